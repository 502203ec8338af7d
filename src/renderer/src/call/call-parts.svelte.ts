/**
 * The call machinery, made in one go once its code has loaded (after first
 * paint: lib/lazy-calls.svelte.ts imports this module dynamically). Owns the
 * controller and what drives it: group and SFU calls, resume across a lost
 * connection, the join code of a room, and the server's call events.
 */
import type { SessionReady } from 'parley-server/protocol';
import type { CallHistory } from '../directory/history.svelte.js';
import type { RecentRooms } from '../directory/rooms.svelte.js';
import { browserPlatform } from './browser-platform.js';
import type { CallDeps, CallPlatform } from './call-deps.js';
import { listenForCalls } from './call-events.js';
import { rememberCalls } from './call-memory.svelte.js';
import { CallResume } from './call-resume.js';
import { CallController } from './controller.svelte.js';
import { GroupCalls } from './group-calls.js';
import type { PushToTalk } from './push-to-talk.svelte.js';
import { rejoin } from './rejoin.js';
import { RoomCode } from './room-code.svelte.js';
import { SfuCalls } from './sfu/sfu-calls.js';

/** What the calls need of the rest of the app; `CallDeps` less what is made here. */
export interface CallPartsHost extends Omit<CallDeps, 'enteredRoom' | 'ended' | 'joinedRoom' | 'platform'> {
  /** A test's fake; otherwise the browser's WebRTC and devices (whose code comes with this module). */
  platform?: CallPlatform;
  rooms: RecentRooms;
  history: CallHistory;
  pushToTalk: PushToTalk;
  /** The session the server last took, if it took one before this code loaded. */
  ready: SessionReady | null;
}

export interface CallParts {
  readonly calls: CallController;
  readonly groups: GroupCalls;
  readonly roomCode: RoomCode;
  readonly resume: CallResume;
  dispose(): void;
}

export function makeCallParts(host: CallPartsHost): CallParts {
  const { link, notices, history, pushToTalk } = host;
  // Group calls past PARLEY_SFU_FROM people: their peer sessions are on the SFU (sfu/).
  const sfu = new SfuCalls(link, () => calls);
  const deps: CallDeps = {
    ...host,
    platform: sfu.platform(host.platform ?? browserPlatform()),
    joinedRoom: (room) => host.rooms.remember(room),
    enteredRoom: (callId, room, ownership) => roomCode.entered(callId, room, ownership),
    ended: (missed) => {
      pushToTalk.release();
      // A call waiting meanwhile rings as any call now (after this teardown is done).
      queueMicrotask(() => calls.waiting.callEnded());
      if (missed) history.missed += 1;
      void history.load();
    },
  };
  const calls = new CallController(deps);
  const roomCode: RoomCode = new RoomCode({ link, notices, isLive: (callId) => calls.isLive(callId), remember: (room) => host.rooms.remember(room) });
  const groups = new GroupCalls(calls, deps);
  const resume = new CallResume(calls, link, notices, (call) => rejoin(calls, deps, call));
  const forget = rememberCalls(calls);
  listenForCalls(link, calls, resume, notices);
  // Connected before this code came: the ICE servers, and a call to take back after a reload.
  if (host.ready) resume.sessionReady(host.ready);
  return {
    calls,
    groups,
    roomCode,
    resume,
    dispose: () => {
      forget();
      calls.dispose();
      sfu.dispose();
    },
  };
}
