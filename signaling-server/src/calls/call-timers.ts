/**
 * The deadlines of calls: how long a call rings, how long someone added to
 * an answered call is rung, and how long an answered call waits for a
 * device that lost its connection. When one is due the
 * CallService decides against the store whether it still applies (the call
 * may have been answered or resumed elsewhere), so a late or repeated firing
 * does no harm. This node's timers are here; Redis-backed ones, which any
 * node enforces when the node that set them died, are in
 * redis/redis-call-timers.ts.
 */
export type CallTimer =
  | { kind: 'ring'; callId: string }
  | { kind: 'invite'; callId: string; username: string }
  | { kind: 'away'; callId: string; device: string };

export interface CallTimers {
  /** Sets the handler of due timers (once, by the CallService). */
  start(onDue: (timer: CallTimer) => Promise<void>): void;
  /** Sets or replaces the timer, due in `ms`. */
  set(timer: CallTimer, ms: number): Promise<void>;
  clear(timer: CallTimer): Promise<void>;
  /** Stops this node's timers (shutdown); shared deadlines stay for the other nodes. */
  dispose(): void;
}

/** One timer per key: setting it again replaces it. */
export function timerKey(t: CallTimer): string {
  switch (t.kind) {
    case 'ring':
      return `ring:${t.callId}`;
    case 'invite':
      return `invite:${t.callId}:${t.username}`;
    case 'away':
      return `away:${t.callId}:${t.device}`;
  }
}

/** The timer as JSON with its fields in one order, so the same timer is always the same string (a shared deadline's name). */
export function timerJson(t: CallTimer): string {
  switch (t.kind) {
    case 'ring':
      return JSON.stringify({ kind: t.kind, callId: t.callId });
    case 'invite':
      return JSON.stringify({ kind: t.kind, callId: t.callId, username: t.username });
    case 'away':
      return JSON.stringify({ kind: t.kind, callId: t.callId, device: t.device });
  }
}

export type TimerFailure = (err: unknown, timer: CallTimer) => void;

/** One node's timers in memory: the default. */
export class LocalCallTimers implements CallTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private onDue: (timer: CallTimer) => Promise<void> = () => Promise.resolve();

  constructor(private readonly failed: TimerFailure) {}

  start(onDue: (timer: CallTimer) => Promise<void>): void {
    this.onDue = onDue;
  }

  set(timer: CallTimer, ms: number): Promise<void> {
    const key = timerKey(timer);
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.onDue(timer).catch((err: unknown) => this.failed(err, timer));
      }, ms),
    );
    return Promise.resolve();
  }

  clear(timer: CallTimer): Promise<void> {
    const key = timerKey(timer);
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    return Promise.resolve();
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
