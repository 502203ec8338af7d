/**
 * The desktop app's view of the renderer: a snapshot its main process
 * mirrors (tray, shortcuts, notifications, popup), published when it changes,
 * and the commands main sends back (from the tray, a global shortcut, a
 * notification or the popup). Absent in a browser.
 */
import { desktopCommandSchema, type DesktopCommand, type DesktopState } from '../../../shared/desktop-state.js';
import type { ParleyDesktopApi } from '../../../shared/ipc.js';
import type { UserRef } from 'parley-server/protocol';
import type { KnownCall } from '../call/call.svelte.js';
import type { CallController } from '../call/controller.svelte.js';
import type { GroupCalls } from '../call/group-calls.js';
import type { PushToTalk } from '../call/push-to-talk.svelte.js';
import type { Tones } from '../call/call-deps.js';
import type { Connection } from '../connection/connection.svelte.js';
import type { Directory } from '../directory/directory.svelte.js';
import type { CallHistory } from '../directory/history.svelte.js';
import type { RecentRooms } from '../directory/rooms.svelte.js';
import { logger } from '../lib/log.js';
import type { Section } from '../lib/sections.js';
import type { VoicemailInbox } from '../voicemail/inbox.svelte.js';
import { desktopState, transferView } from './desktop-view.js';

const log = logger('desktop');

/** The calls, whose code loads after first paint (lib/lazy-calls.svelte.ts). */
export interface LoadingCalls {
  readonly parts: LoadedCalls | null;
  load(): Promise<LoadedCalls>;
}

interface LoadedCalls {
  readonly calls: CallController;
  readonly groups: GroupCalls;
}

export interface BridgeParts {
  connection: Connection;
  directory: Directory;
  history: CallHistory;
  voicemail: VoicemailInbox;
  rooms: RecentRooms;
  calls: LoadingCalls;
  tones: Tones;
  pushToTalk: PushToTalk;
  /** Opens a section of the window. */
  show(section: Section): void;
}

export class DesktopBridge {
  #published = '';
  #stop: (() => void) | null = null;

  readonly #desktop: ParleyDesktopApi['desktop'];
  readonly #parts: BridgeParts;

  constructor(
    desktop: ParleyDesktopApi['desktop'],
    parts: BridgeParts,
  ) {
    this.#desktop = desktop;
    this.#parts = parts;
  }

  /** What main mirrors, from the renderer's state. */
  snapshot(): DesktopState {
    const { connection, directory, history, rooms, pushToTalk } = this.#parts;
    const calls = this.#parts.calls.parts?.calls;
    const key = pushToTalk.key;
    return desktopState({
      connection: connection.state,
      me: connection.session?.user ?? null,
      myStatus: directory.myStatus,
      chosenStatus: directory.chosenStatus,
      // No call code yet: no call.
      call: calls?.phase ?? { kind: 'idle' },
      muted: calls?.muted ?? false,
      pushToTalk: key === null ? null : { key, talking: pushToTalk.talking },
      hold: calls?.hold.possible ? { mine: calls.hold.mine, theirs: calls.hold.theirs } : null,
      transferredBy: calls?.transferredBy ?? null,
      waiting: (calls?.waiting.call && waitingView(calls.waiting.call)) ?? null,
      aside: (calls?.aside && { callId: calls.aside.callId, peer: calls.aside.peer }) ?? null,
      transfer: calls ? transferView(calls.transfer, calls.live()?.callId ?? null) : null,
      missedCalls: history.missed,
      directory: directory.list,
      favorites: directory.favorites,
      history: history.entries,
      rooms: rooms.list.map((r) => r.name),
      voicemail: { unheard: this.#parts.voicemail.unheard, latest: this.#parts.voicemail.latest },
    });
  }

  /** Publishes each changed snapshot and takes main's commands, until dispose(). */
  start(): void {
    const offCommands = this.#desktop.onCommand((command) => this.handle(command));
    const offEffect = $effect.root(() => {
      $effect(() => {
        const snapshot = this.snapshot();
        const text = JSON.stringify(snapshot);
        if (text === this.#published) return;
        this.#published = text;
        this.#desktop.publish(snapshot);
      });
    });
    this.#stop = () => {
      offCommands();
      offEffect();
    };
  }

  /** A command from outside the window (tray, global shortcut, notification, popup). */
  handle(input: unknown): void {
    const parsed = desktopCommandSchema.safeParse(input);
    if (!parsed.success) {
      log.warn('ignored a malformed desktop command');
      return;
    }
    const command = parsed.data;
    if (this.#callFree(command)) return;
    const loaded = this.#parts.calls.parts;
    if (loaded) {
      this.#forCalls(command, loaded);
      return;
    }
    // Taken before the call code came (a shortcut at start): done once it is here, in the order given.
    this.#parts.calls.load().then(
      (parts) => this.#forCalls(command, parts),
      () => log.warn(`the call code did not load: ${command.type} was not done`),
    );
  }

  /** The commands that need no call code; false for the others. */
  #callFree(command: DesktopCommand): boolean {
    switch (command.type) {
      case 'reconnect':
        this.#parts.connection.retryNow();
        return true;
      case 'push-to-talk':
        this.#parts.pushToTalk.setElsewhere(command.down);
        return true;
      case 'set-status':
        void this.#parts.directory.setStatus(command.status);
        return true;
      case 'show':
        if (command.tab) this.#parts.show(command.tab);
        return true;
      default:
        return false;
    }
  }

  #forCalls(command: DesktopCommand, { calls, groups }: LoadedCalls): void {
    const { rooms, tones } = this.#parts;
    // A command meant for one ringing call does nothing to another.
    const ringing = calls.phase.kind === 'incoming' ? calls.phase.callId : null;
    const forThisCall = (callId: string | undefined) => callId === undefined || callId === ringing;
    const waiting = calls.waiting.call?.callId ?? null;
    switch (command.type) {
      case 'dial':
        void calls.dial(command.username);
        break;
      case 'join-room':
        // With the join code it was last joined with; one it needs and lacks is asked for by the server's refusal.
        void groups.joinRoom(command.name, rooms.codeOf(command.name));
        break;
      case 'answer':
        if (waiting !== null && command.callId === waiting) void calls.waiting.endAndAnswer();
        else if (forThisCall(command.callId)) void calls.answer();
        break;
      case 'hold-and-answer':
        if (waiting !== null && command.callId === waiting) void calls.waiting.holdAndAnswer();
        break;
      case 'swap':
        if (calls.aside?.callId === command.callId) void calls.swap();
        break;
      case 'decline':
        if (waiting !== null && command.callId === waiting) calls.waiting.decline();
        else if (forThisCall(command.callId)) calls.decline();
        break;
      case 'transfer':
      case 'transfer-picker':
      case 'take-back-transfer':
      case 'complete-transfer':
      case 'merge':
        transferCommand(command, calls);
        break;
      case 'hangup':
        void calls.hangupOrEnd();
        break;
      case 'toggle-mute':
        calls.toggleMute();
        // Heard, since the user may be looking at another app.
        tones.cue(!calls.muted);
        break;
      case 'toggle-hold':
        void calls.hold.toggle();
        // Heard, as for mute: the user may be looking at another app (the toggle takes effect at once).
        tones.cue(!calls.hold.mine);
        break;
    }
  }

  dispose(): void {
    this.#stop?.();
    this.#stop = null;
  }
}

type TransferCommand = Extract<DesktopCommand, { type: 'transfer' | 'transfer-picker' | 'take-back-transfer' | 'complete-transfer' | 'merge' }>;

/** Transfer and merge from the tray or a shortcut; one naming a call they no longer apply to does nothing. */
function transferCommand(command: TransferCommand, calls: CallController): void {
  const { transfer } = calls;
  switch (command.type) {
    case 'transfer':
      if (calls.live()?.callId === command.callId) void transfer.blind(command.to);
      break;
    case 'transfer-picker':
      transfer.choose();
      break;
    case 'take-back-transfer':
      if (transfer.ringing?.callId === command.callId) void transfer.takeBack();
      break;
    case 'complete-transfer':
      if (calls.aside?.callId === command.callId) void transfer.complete();
      break;
    case 'merge':
      if (calls.aside?.callId === command.callId) void transfer.merge();
      break;
  }
}

/** The waiting call as the desktop shows it: who calls, and who put them through. */
function waitingView(call: KnownCall): { callId: string; peer: UserRef; transferredBy?: UserRef } {
  return { callId: call.callId, peer: call.peer, ...(call.transferredBy && { transferredBy: call.transferredBy }) };
}
