/**
 * What the main process knows of the app: a small snapshot the renderer
 * publishes whenever it changes (the renderer owns calls and presence), and
 * the commands main sends back (from the tray, shortcuts, notifications and
 * the incoming-call popup). Pure TypeScript, validated on both sides.
 */
import { z } from 'zod/mini';
import { pushToTalkKeySchema } from './push-to-talk.js';

/** A Parley username, as the server accepts it. */
export const usernameSchema = z.string().check(z.regex(/^[a-z0-9._-]{2,32}$/));
const username = usernameSchema;
const callId = z.string().check(z.minLength(1), z.maxLength(64));
const displayName = z.string().check(z.minLength(1), z.maxLength(64));
const peerSchema = z.strictObject({ username, displayName });
/** A named room, as the server accepts its name (`parley://room/<name>`). */
export const roomNameSchema = z.string().check(z.regex(/^[a-z0-9][a-z0-9._-]{0,63}$/));
export type Peer = z.infer<typeof peerSchema>;

export const SETTABLE = ['available', 'away', 'dnd'] as const;
export const PRESENCE = ['available', 'away', 'dnd', 'busy', 'offline'] as const;
export type Presence = (typeof PRESENCE)[number];
export type SettablePresence = (typeof SETTABLE)[number];

/**
 * Transfer in a call of two: `possible`, a blind transfer or a consult can
 * start; `ringing`, this side's blind transfer rings `to` (it can be taken
 * back); `consulting`, a call is held `aside` while this one goes on (a
 * consult, or hold and answer), so the two can be joined (attended transfer:
 * aside's peer goes to this call's peer) or merged into one call of three.
 */
const transferSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('possible') }),
  z.strictObject({ kind: z.literal('ringing'), to: peerSchema }),
  z.strictObject({ kind: z.literal('consulting') }),
]);
export type DesktopTransfer = z.infer<typeof transferSchema>;

const inCallSchema = z
  .strictObject({
    kind: z.literal('in-call'),
    callId,
    peer: peerSchema,
    muted: z.boolean(),
    /** When the call was answered; null while still connecting. */
    answeredAt: z.nullable(z.int().check(z.nonnegative())),
    /**
     * Present while push-to-talk is on: the key (KeyboardEvent.code) main's
     * global input hook listens for, and whether it is held now (the
     * microphone is open).
     */
    pushToTalk: z.optional(z.strictObject({ key: pushToTalkKeySchema, talking: z.boolean() })),
    /**
     * Present while the call can be held (answered, a call of two): whether
     * this side holds it, and whether the other side does.
     */
    hold: z.optional(z.strictObject({ mine: z.boolean(), theirs: z.boolean() })),
    /**
     * A second call ringing meanwhile (call waiting): its Answer ends this
     * call first, its Decline declines it; Hold and answer (while `hold` is
     * present and nothing is `aside`) holds this call and answers it.
     */
    waiting: z.optional(z.strictObject({ callId, peer: peerSchema, transferredBy: z.optional(peerSchema) })),
    /** A call of two held meanwhile (hold and answer, a consult): the call again, still on hold, when this one ends. */
    aside: z.optional(z.strictObject({ callId, peer: peerSchema })),
    /** What transfer offers now; absent when nothing of it applies (call/transfer.svelte.ts). */
    transfer: z.optional(transferSchema),
  })
  .check(z.refine((call) => call.transfer?.kind !== 'consulting' || call.aside !== undefined, 'consulting needs a call held aside'));

const callSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  /** `transferredBy`: a blind transfer, put through by them ("Bob, transferred by Alice"). */
  z.strictObject({ kind: z.literal('ringing-in'), callId, peer: peerSchema, transferredBy: z.optional(peerSchema) }),
  z.strictObject({ kind: z.literal('ringing-out'), peer: peerSchema }),
  inCallSchema,
]);
export type DesktopCall = z.infer<typeof callSchema>;

export const MAX_MENU_CONTACTS = 15;
export const MAX_MENU_RECENT = 10;
export const MAX_MENU_ROOMS = 8;

export const desktopStateSchema = z.strictObject({
  connection: z.enum(['signed-out', 'connecting', 'online', 'offline']),
  me: z.nullable(peerSchema),
  /** The user's status as others see it. */
  status: z.enum(PRESENCE),
  /** The status the user picked (the radio items of the menu). */
  chosenStatus: z.enum(SETTABLE),
  call: callSchema,
  missedCalls: z.int().check(z.nonnegative(), z.maximum(100_000)),
  /** Favorites first, then online contacts by most recent call. */
  contacts: z
    .array(z.strictObject({ username, displayName, status: z.enum(PRESENCE), favorite: z.boolean() }))
    .check(z.maxLength(MAX_MENU_CONTACTS)),
  recent: z
    .array(
      z.strictObject({
        callId,
        peer: peerSchema,
        direction: z.enum(['outgoing', 'incoming']),
        missed: z.boolean(),
      }),
    )
    .check(z.maxLength(MAX_MENU_RECENT)),
  /** Named rooms joined lately, newest first (the tray's Join room menu). */
  rooms: z.array(roomNameSchema).check(z.maxLength(MAX_MENU_ROOMS)),
  /**
   * Voicemail: messages not heard yet, and the newest that arrived while
   * connected (its id changes once per message: a notification names it).
   * Left out by a window from before voicemail.
   */
  voicemail: z.optional(
    z.strictObject({
      unheard: z.int().check(z.nonnegative(), z.maximum(100_000)),
      latest: z.nullable(z.strictObject({ id: z.string().check(z.minLength(1), z.maxLength(64)), from: peerSchema, durationMs: z.int().check(z.nonnegative()) })),
    }),
  ),
});
export type DesktopState = z.infer<typeof desktopStateSchema>;

export const SIGNED_OUT: DesktopState = {
  connection: 'signed-out',
  me: null,
  status: 'offline',
  chosenStatus: 'available',
  call: { kind: 'none' },
  missedCalls: 0,
  contacts: [],
  recent: [],
  rooms: [],
};

export const desktopCommandSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('dial'), username }),
  /** Joins a named room (a recent one from the tray, or a confirmed `parley://room/<name>` link). */
  z.strictObject({ type: z.literal('join-room'), name: roomNameSchema }),
  /**
   * `callId` is set when the command comes from something shown for one
   * particular call (the popup, a notification, a shortcut pressed while it
   * rang): main drops it if that call no longer rings, and the renderer should
   * ignore it if the id is not its ringing call. In a call, a call waiting
   * is the ringing one: Answer ends the call going on and answers it.
   */
  z.strictObject({ type: z.literal('answer'), callId: z.optional(callId) }),
  z.strictObject({ type: z.literal('decline'), callId: z.optional(callId) }),
  /** Holds the call going on (a call of two) and answers the call waiting, `callId`. */
  z.strictObject({ type: z.literal('hold-and-answer'), callId }),
  /** Switches to the call held aside, `callId` (hold and answer): it comes off hold and the call going on waits aside on hold. */
  z.strictObject({ type: z.literal('swap'), callId }),
  /** Blind transfer of the call going on, `callId`, to `to`: this side leaves once they answer. */
  z.strictObject({ type: z.literal('transfer'), callId, to: username }),
  /** Shows the window with the transfer panel of the call going on open (whom to put it through to). */
  z.strictObject({ type: z.literal('transfer-picker') }),
  /** Takes back this side's blind transfer of `callId` while it still rings. */
  z.strictObject({ type: z.literal('take-back-transfer'), callId }),
  /** Attended transfer: the other side of the call held aside, `callId`, goes to the other side of the call going on; this side leaves both. */
  z.strictObject({ type: z.literal('complete-transfer'), callId }),
  /** Merges the call held aside, `callId`, and the call going on into one call of three. */
  z.strictObject({ type: z.literal('merge'), callId }),
  z.strictObject({ type: z.literal('hangup') }),
  z.strictObject({ type: z.literal('toggle-mute') }),
  /** Holds the call of two, or takes it off hold. */
  z.strictObject({ type: z.literal('toggle-hold') }),
  /** The push-to-talk key went down or up while another app had focus (main's global input hook). */
  z.strictObject({ type: z.literal('push-to-talk'), down: z.boolean() }),
  z.strictObject({ type: z.literal('set-status'), status: z.enum(SETTABLE) }),
  z.strictObject({ type: z.literal('show'), tab: z.optional(z.enum(['contacts', 'history', 'voicemail', 'settings'])) }),
  /** The computer woke up (or the network came back): reconnect to the server now instead of waiting for a retry. */
  z.strictObject({ type: z.literal('reconnect') }),
]);
export type DesktopCommand = z.infer<typeof desktopCommandSchema>;
