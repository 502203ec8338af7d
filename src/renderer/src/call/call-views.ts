/**
 * What components may see and do of the call they show: each gets the
 * narrowest of these through its props, never the controller (which
 * satisfies them all), so a component cannot reach past its own part.
 */
import type { UserRef } from 'parley-server/protocol';
import type { ChatLog } from './chat/chat.svelte.js';
import type { CallHold } from './call-hold.svelte.js';
import type { CallPhase } from './call-state.js';
import type { CallWaiting } from './call-waiting.svelte.js';
import type { CallTransfer } from './transfer.svelte.js';
import type { CallMedia } from './media/call-media.svelte.js';
import type { ScreenShare } from './media/screen-share.svelte.js';
import type { Mesh } from './mesh.svelte.js';
import type { CallRecording } from './recording/call-recording.svelte.js';

/** The bar leading back to the call (ReturnToCall): its name. */
export interface TitledCall {
  readonly title: string;
}

/** A list's Call button (History): whether a call can be placed now, and placing it. */
export interface Dialer {
  readonly busy: boolean;
  dial(username: string, video?: boolean): Promise<void>;
}

/** A room's Join button (Rooms, History): joins it, or says why not. */
export interface RoomJoiner {
  joinRoom(input: string, code?: string): Promise<boolean>;
}

/** The call's row of controls (ControlBar). */
export interface CallControls {
  readonly phase: CallPhase;
  readonly muted: boolean;
  readonly group: boolean;
  readonly media: CallMedia;
  readonly screenShare: ScreenShare;
  readonly chat: ChatLog;
  readonly line: { readonly recording: CallRecording };
  readonly hold: Pick<CallHold, 'mine' | 'theirs' | 'onHold' | 'possible' | 'toggle'>;
  readonly transfer: Pick<CallTransfer, 'possible'>;
  toggleMute(): void;
  hangup(): void;
}

/** A call connecting or going on (LiveCall): its people, what is said over them, and a call waiting meanwhile. */
export interface LiveCallView extends CallControls, TitledCall {
  readonly mesh: Mesh;
  readonly room: string | null;
  readonly inputSpeaking: boolean;
  /** The call on hold for this one (hold and answer, a consult). */
  readonly aside: { readonly peer: UserRef } | null;
  readonly waiting: Pick<CallWaiting, 'call' | 'decline' | 'endAndAnswer' | 'holdAndAnswer'>;
  readonly transfer: Pick<CallTransfer, 'possible' | 'consulting' | 'ringing' | 'beingTransferred' | 'choosingFor' | 'choose' | 'blind' | 'consult' | 'complete' | 'merge' | 'backToHeld' | 'takeBack'>;
  swap(): Promise<void>;
}

/** The call on the stage in every phase (CallStage): calling, ringing here, going on, ended. */
export interface StageCall extends LiveCallView, Dialer {
  readonly videoCall: boolean;
  readonly invitedWith: UserRef[];
  /** Rung here as a blind transfer: who put it through. */
  readonly transferredBy: UserRef | null;
  cancel(): void;
  answer(video?: boolean): Promise<void>;
  decline(): void;
  endedText(): string;
  dismissEnded(): void;
}
