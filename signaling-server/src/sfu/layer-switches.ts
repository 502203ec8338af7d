/**
 * Sees a subscriber's simulcast layer changes through. Janus switches a
 * stream to the layer asked for at that layer's next keyframe, and asks the
 * publisher for one (a PLI) once, when told. A browser ignores a keyframe
 * request that comes soon after the one before (libwebrtc: 300 ms), and
 * sends none of its own for minutes, so the second of two changes close
 * together (a window resized: medium, then low) could wait that long, the
 * tile getting the old layer meanwhile. A change Janus has not reported
 * done (its `substream` event) is asked for again, which sends another PLI.
 */
import type { StreamSetting, ViewChange } from './view.js';

/** How long a change may take before it is asked for again, and how many times it is. */
export const SWITCH_RETRY_MS = 1_000;
const SWITCH_TRIES = 3;

export class LayerSwitches {
  /** Changes not yet reported done, by the subscription's mid (`key`: whose track it carried then). */
  private readonly pending = new Map<string, { setting: StreamSetting; key: string; tries: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** Sends the settings again (in the subscriber handle's order). */
    private readonly resend: (settings: StreamSetting[]) => void,
    private readonly retryMs = SWITCH_RETRY_MS,
  ) {}

  /** Settings just sent: a layer to switch to is watched; a stream no longer relayed, or a screen (one layer), is not. */
  asked(changes: readonly ViewChange[]): void {
    for (const { setting, key } of changes) {
      if (setting.send && setting.substream !== undefined) this.pending.set(setting.mid, { setting, key, tries: 0 });
      else this.pending.delete(setting.mid);
    }
    this.schedule();
  }

  /** Janus reports the stream at `mid` now relays `substream`. */
  switched(mid: string | undefined, substream: number): void {
    if (mid !== undefined && this.pending.get(mid)?.setting.substream === substream) this.pending.delete(mid);
    if (this.pending.size === 0) this.stop();
  }

  /** The subscription was renegotiated: a mid that carries another track now (`keys` by mid) is no longer watched. */
  renegotiated(keys: ReadonlyMap<string, string>): void {
    for (const [mid, p] of this.pending) if (keys.get(mid) !== p.key) this.pending.delete(mid);
    if (this.pending.size === 0) this.stop();
  }

  close(): void {
    this.pending.clear();
    this.stop();
  }

  private schedule(): void {
    if (this.pending.size === 0) return this.stop();
    this.timer ??= setTimeout(() => this.retry(), this.retryMs);
  }

  private retry(): void {
    this.timer = undefined;
    const again: StreamSetting[] = [];
    for (const [mid, p] of this.pending) {
      // A layer the publisher does not send (short of bandwidth or CPU) never comes: Janus relays the one below.
      if (++p.tries > SWITCH_TRIES) this.pending.delete(mid);
      else again.push(p.setting);
    }
    if (again.length > 0) this.resend(again);
    this.schedule();
  }

  private stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
