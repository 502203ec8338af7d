/**
 * A link that keeps the chosen server events, in the order they came, until
 * release(): the call code loads after first paint, and a call that rings
 * (or a signal that follows it) meanwhile must still reach it, in order.
 * Other events and all requests pass straight through.
 */
import type { ClientEvent, ClientPayload } from 'parley-server/protocol';
import { logger } from '../lib/log.js';
import type { SignalingLink } from './link.js';
import type { ServerEvent, ServerPayload } from './signaling.js';

const log = logger('held-link');

interface Entry {
  event: ServerEvent;
  handler: (payload: never) => void;
}

export class HeldLink implements SignalingLink {
  #kept: { event: ServerEvent; payload: unknown }[] | null = [];
  readonly #entries: Entry[] = [];
  readonly #stops: (() => void)[];

  readonly #link: SignalingLink;
  readonly #held: readonly ServerEvent[];
  readonly #onKept: () => void;

  constructor(
    link: SignalingLink,
    held: readonly ServerEvent[],
    /** An event was kept: whoever will release() should hurry. */
    onKept: () => void = () => undefined,
  ) {
    this.#link = link;
    this.#held = held;
    this.#onKept = onKept;
    this.#stops = held.map((event) => link.on(event, (payload) => this.#arrived(event, payload)));
  }

  get connected(): boolean {
    return this.#link.connected;
  }

  request<E extends ClientEvent>(event: E, payload: ClientPayload<E>): ReturnType<SignalingLink['request']> {
    return this.#link.request(event, payload);
  }

  on<E extends ServerEvent>(event: E, handler: (payload: ServerPayload<E>) => void): () => void {
    if (!this.#held.includes(event)) return this.#link.on(event, handler);
    const entry: Entry = { event, handler };
    this.#entries.push(entry);
    return () => {
      const i = this.#entries.indexOf(entry);
      if (i >= 0) this.#entries.splice(i, 1);
    };
  }

  /** Hands the kept events to the handlers there are now, in order; later ones go through as they come. */
  release(): void {
    const kept = this.#kept ?? [];
    this.#kept = null;
    for (const { event, payload } of kept) this.#deliver(event, payload);
  }

  /** How many events wait for release(). */
  get waiting(): number {
    return this.#kept?.length ?? 0;
  }

  dispose(): void {
    for (const stop of this.#stops) stop();
    this.#entries.length = 0;
    this.#kept = null;
  }

  #arrived(event: ServerEvent, payload: unknown): void {
    if (this.#kept) {
      this.#kept.push({ event, payload });
      this.#onKept();
    } else this.#deliver(event, payload);
  }

  #deliver(event: ServerEvent, payload: unknown): void {
    for (const entry of this.#entries.slice()) {
      if (entry.event !== event) continue;
      // One handler's fault must not cost the events after it.
      try {
        entry.handler(payload as never);
      } catch (err) {
        log.error(`a handler of ${event} failed`, err);
      }
    }
  }
}
