/**
 * Push-to-talk: with the setting on and a key chosen, the microphone stays
 * closed in calls unless that key is held. The key is seen in the window
 * (keydown / keyup) and, in the desktop app, anywhere: main's global input
 * hook sends `push-to-talk` commands (desktop/bridge.svelte.ts). Either is
 * enough; letting go opens a short tail so the end of a word is not cut
 * (and the gaps of a keyboard's autorepeat never close the microphone).
 *
 * The gate is this side's alone: the peer is not sent `call:mute` for it. A
 * press is often shorter than a relay through the server, it would put the
 * rhythm of who talks when on the server, and the peer already sees talking
 * as it is heard (the speaking ring follows the audio that arrives). Mute
 * stays what the Mute button does, and wins: muted, the key does nothing.
 * Like mute, the gate disables the track, which still sends silence: the
 * media timeout (media-timeout.ts) never takes a quiet talker for a lost path.
 *
 * Typing is never broken: a key that types (a letter, Space…) types as usual
 * in a text field, and pushes to talk only outside one; a key that types
 * nothing (F8, Right Ctrl…) pushes to talk everywhere. Outside a call the key
 * does nothing at all.
 */
import { keyName, keyTypes } from '../../../shared/push-to-talk.js';
import type { Settings } from '../settings/settings.js';

/** How long the microphone stays open after the key is let go. */
export const RELEASE_TAIL_MS = 200;

const MODIFIERS = new Set(['ControlLeft', 'ControlRight', 'AltLeft', 'AltRight', 'ShiftLeft', 'ShiftRight']);

/** A push-to-talk key as this keyboard labels it ("Right ⌥" on a Mac). */
export function keyLabel(code: string): string {
  return keyName(code, typeof navigator !== 'undefined' && /^Mac/i.test(navigator.platform));
}

export interface PushToTalkDeps {
  settings(): Pick<Settings, 'pushToTalk' | 'pushToTalkKey'>;
  /** A call is answered and going on: only then does the key do anything. */
  live(): boolean;
  /** Closes (key up) or opens (key held, or push-to-talk off) the microphone: CallLine.setGate. */
  gate(closed: boolean): void;
}

type KeyInput = Pick<KeyboardEvent, 'code' | 'repeat' | 'target' | 'preventDefault'>;

/** What is read of a key event's target (an Element in the page). */
interface KeyTarget {
  tagName?: string;
  isContentEditable?: boolean;
  closest?(selector: string): unknown;
}

/** A field that takes typing, or one of Settings' key-capture fields (which read the key themselves). */
function takesKeys(target: EventTarget | null): 'typing' | 'capture' | null {
  const element = target as KeyTarget | null;
  if (typeof element?.closest !== 'function') return null;
  if (element.closest('[data-key-capture]')) return 'capture';
  if (element.isContentEditable === true) return 'typing';
  return ['INPUT', 'TEXTAREA', 'SELECT'].includes(element.tagName ?? '') ? 'typing' : null;
}

export class PushToTalk {
  /** The key is held (or was, less than RELEASE_TAIL_MS ago): the microphone is open. */
  talking = $state(false);
  #inWindow = false;
  #elsewhere = false;
  #tail: ReturnType<typeof setTimeout> | undefined;
  #closed: boolean | null = null;
  #stop: (() => void) | null = null;

  readonly #deps: PushToTalkDeps;

  constructor(deps: PushToTalkDeps) {
    this.#deps = deps;
  }

  /** The key held to talk (KeyboardEvent.code) while push-to-talk is on; null while it is off or no key is chosen. */
  get key(): string | null {
    const { pushToTalk, pushToTalkKey } = this.#deps.settings();
    return pushToTalk ? pushToTalkKey : null;
  }

  /** The microphone is held closed now (push-to-talk on, key up). */
  get gated(): boolean {
    return this.key !== null && !this.talking;
  }

  /** Listens to the window's keyboard (until dispose) and sets the gate as the settings say. */
  start(target: Pick<Window, 'addEventListener' | 'removeEventListener'>): void {
    const down = (event: KeyboardEvent) => this.keyDown(event);
    const up = (event: KeyboardEvent) => this.keyUp(event);
    // The window lost the keyboard: its keyup will not come (the global hook, if any, goes on).
    const blur = () => this.#setInWindow(false);
    // Capture phase: before a focused button takes a Space for a click.
    const capture = { capture: true };
    target.addEventListener('keydown', down, capture);
    target.addEventListener('keyup', up, capture);
    target.addEventListener('blur', blur);
    this.#stop = () => {
      target.removeEventListener('keydown', down, capture);
      target.removeEventListener('keyup', up, capture);
      target.removeEventListener('blur', blur);
    };
    this.refresh();
  }

  /** The settings changed: another key, or push-to-talk on or off. */
  refresh(): void {
    if (this.key === null) this.release();
    this.#apply();
  }

  keyDown(event: KeyInput): void {
    const key = this.key;
    if (key === null || event.code !== key || !this.#deps.live()) return;
    const field = takesKeys(event.target);
    if (field === 'capture' || (field === 'typing' && keyTypes(key))) return;
    // Held to talk, it must not also reload (F5), press the focused button (Space) or scroll (Page Down).
    if (!MODIFIERS.has(key)) event.preventDefault();
    if (!event.repeat) this.#setInWindow(true);
  }

  keyUp(event: KeyInput): void {
    if (!this.#inWindow || event.code !== this.key) return;
    if (!MODIFIERS.has(event.code)) event.preventDefault();
    this.#setInWindow(false);
  }

  /** The key went down or up while another app had focus (main's global hook). */
  setElsewhere(down: boolean): void {
    this.#elsewhere = down && this.key !== null;
    this.#update();
  }

  /** Lets go of everything at once: the call ended, or push-to-talk went off. */
  release(): void {
    this.#inWindow = false;
    this.#elsewhere = false;
    clearTimeout(this.#tail);
    this.talking = false;
    this.#apply();
  }

  #setInWindow(down: boolean): void {
    this.#inWindow = down;
    this.#update();
  }

  #update(): void {
    if (this.#inWindow || this.#elsewhere) {
      clearTimeout(this.#tail);
      this.#tail = undefined;
      this.talking = true;
      this.#apply();
    } else if (this.talking && this.#tail === undefined) {
      this.#tail = setTimeout(() => {
        this.#tail = undefined;
        this.talking = false;
        this.#apply();
      }, RELEASE_TAIL_MS);
    }
  }

  #apply(): void {
    const closed = this.gated;
    if (closed === this.#closed) return;
    this.#closed = closed;
    this.#deps.gate(closed);
  }

  dispose(): void {
    this.#stop?.();
    this.#stop = null;
    clearTimeout(this.#tail);
  }
}
