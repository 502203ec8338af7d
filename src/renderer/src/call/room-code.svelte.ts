/**
 * The named room the current call is: who owns it (as the server told this
 * device when it came in) and, for its owner, changing or removing its join
 * code (`room:code`). Everything is said in words (room-code-words.ts): a
 * code that will not do, the change made, or why the server refused it.
 */
import type { RoomOwnership, UserRef } from 'parley-server/protocol';
import type { SignalingLink } from '../connection/link.js';
import type { Notices } from '../lib/notices.svelte.js';
import { codeDone, codeProblem, codeRefused } from './room-code-words.js';

export interface RoomInfo {
  callId: string;
  room: string;
  owner: UserRef;
  /** This user owns the room: the join code is theirs to change. */
  canChangeCode: boolean;
  hasCode: boolean;
}

export interface RoomCodeDeps {
  link: SignalingLink;
  notices: Notices;
  /** Whether `callId` is the call going on here. */
  isLive(callId: string): boolean;
  /** The owner's recent rooms rejoin with the code now in force. */
  remember(room: { name: string; code?: string }): void;
}

/** What the last change came to: shown in the form, and announced. `invalid`: the code typed will not do. */
export interface CodeResult {
  kind: 'done' | 'invalid' | 'refused';
  text: string;
}

export class RoomCode {
  #info = $state<RoomInfo | null>(null);
  /** A change is on its way to the server. */
  saving = $state(false);
  result = $state<CodeResult | null>(null);
  /** The owner asked to remove the code and has not said yes (or no) yet. Kept here: the stage may remount meanwhile. */
  confirmingRemoval = $state(false);

  readonly #deps: RoomCodeDeps;

  constructor(deps: RoomCodeDeps) {
    this.#deps = deps;
  }

  /** The room of the call going on, with its owner; null outside a room, or when the server did not say (an older one). */
  get current(): RoomInfo | null {
    const info = this.#info;
    return info && this.#deps.isLive(info.callId) ? info : null;
  }

  /** This device came into `room` (joined it, or was rung into it). */
  entered(callId: string, room: string, ownership: RoomOwnership | undefined): void {
    this.#info = ownership ? { callId, room, ...ownership } : null;
    this.saving = false;
    this.closed();
  }

  /** Sets `input` (trimmed, as joining trims it) as the room's code; true when the server took it. */
  async change(input: string): Promise<boolean> {
    this.confirmingRemoval = false;
    const code = input.trim();
    const problem = codeProblem(code);
    if (problem !== null) {
      this.#finish({ kind: 'invalid', text: problem });
      return false;
    }
    return this.#send(code);
  }

  /** Asks before removing the code (`remove` is the yes). */
  askRemoval(): void {
    this.confirmingRemoval = true;
    this.result = null;
  }

  keepCode(): void {
    this.confirmingRemoval = false;
  }

  /** Removes the room's code: anyone who knows its name may join. */
  async remove(): Promise<boolean> {
    const removed = await this.#send(null);
    if (removed) this.confirmingRemoval = false;
    return removed;
  }

  /** The owner typed again: the last result no longer applies. */
  clearResult(): void {
    this.result = null;
  }

  /** The panel was closed: what it showed is done with. */
  closed(): void {
    this.result = null;
    this.confirmingRemoval = false;
  }

  async #send(code: string | null): Promise<boolean> {
    const info = this.current;
    if (!info?.canChangeCode || this.saving) return false;
    this.saving = true;
    this.result = null;
    try {
      const res = await this.#deps.link.request('room:code', { callId: info.callId, code });
      // The call ended (or another began) while the change was on its way: nothing here to tell.
      if (this.current !== info) return res.ok;
      if (!res.ok) {
        this.#finish({ kind: 'refused', text: codeRefused(res, info.room, info.owner.displayName, code === null) });
        return false;
      }
      info.hasCode = code !== null;
      this.#deps.remember(code === null ? { name: info.room } : { name: info.room, code });
      this.#finish({ kind: 'done', text: codeDone(info.room, code === null) });
      return true;
    } finally {
      this.saving = false;
    }
  }

  #finish(result: CodeResult): void {
    this.result = result;
    this.#deps.notices.announce(result.text);
  }
}
