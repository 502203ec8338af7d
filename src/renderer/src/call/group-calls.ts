/**
 * Calls with more than two people: joining a named room (in it at once, with
 * whoever is there) and ringing another person into the call going on.
 */
import type { UserRef } from 'parley-server/protocol';
import { normalizeRoomName } from '../directory/recent-rooms.js';
import type { CallDeps } from './call-deps.js';
import { MICROPHONE_PROBLEM } from './call-limits.js';
import type { CallController } from './controller.svelte.js';

export class GroupCalls {
  readonly #calls: CallController;
  readonly #deps: CallDeps;

  constructor(
    calls: CallController,
    deps: CallDeps,
  ) {
    this.#calls = calls;
    this.#deps = deps;
  }

  /**
   * Opens the named room, or joins it with whoever is there: this side is the
   * newcomer, polite toward each of them, who offer to it. A refusal (a full
   * room, a wrong code) is shown as the server words it. True once in the room.
   */
  async joinRoom(input: string, code?: string): Promise<boolean> {
    const calls = this.#calls;
    const deps = this.#deps;
    const name = normalizeRoomName(input);
    const me = deps.me();
    if (!name) {
      deps.notices.show('A room name is 1 to 64 letters, digits, ".", "_" or "-".');
      return false;
    }
    if (calls.busy || !deps.link.connected || !me) return false;
    if (deps.platform.microphoneDenied()) {
      deps.notices.show(MICROPHONE_PROBLEM, 'device');
      return false;
    }
    const signal = calls.beginSetup();
    // Read after each await: another call may have come in meanwhile (its setup aborts this one).
    const overtaken = () => signal.aborted || calls.busy;
    deps.notices.announce(`Joining room ${name}`);
    const stream = await deps.platform.openMicrophone(deps.settings(), (text) => deps.notices.show(text, 'device'));
    if (!stream) {
      deps.notices.show(MICROPHONE_PROBLEM, 'device');
      return false;
    }
    const res = await deps.link.request('room:join', { name, ...(code && { code }) });
    // Another call came in meanwhile (or this one was given up): that one wins.
    if (overtaken()) {
      deps.platform.stopStream(stream);
      if (res.ok) void calls.hangups.send(res.callId);
      return false;
    }
    if (!res.ok) {
      deps.platform.stopStream(stream);
      deps.notices.show(res.message, 'call');
      deps.notices.announce(res.message);
      return false;
    }
    calls.dismissEnded();
    if (!calls.apply({ type: 'room', callId: res.callId, peer: { username: me.username, displayName: `Room ${res.room}` }, at: Date.now() })) {
      deps.platform.stopStream(stream);
      void calls.hangups.send(res.callId);
      return false;
    }
    calls.active.joinedRoom(res.room);
    calls.useMicrophone(signal, stream);
    calls.line.ice.granted(res.callId, res);
    deps.joinedRoom({ name: res.room, ...(code && { code }) });
    deps.enteredRoom(res.callId, res.room, res.ownership);
    for (const p of res.participants) calls.mesh.add(p, true);
    calls.line.recording.told(res.recording ?? []);
    calls.line.startMeters();
    const others = res.participants.map((p) => p.displayName).join(', ');
    deps.notices.announce(others ? `In room ${res.room} with ${others}` : `In room ${res.room}. Nobody else is here yet.`);
    return true;
  }

  /** Add person: rings a contact into the call going on; they show as ringing until they answer. */
  async addPerson(username: string): Promise<void> {
    const calls = this.#calls;
    const deps = this.#deps;
    const phase = calls.phase;
    if ((phase.kind !== 'active' && phase.kind !== 'reconnecting') || !deps.link.connected) return;
    const user: UserRef = deps.lookup(username);
    calls.mesh.ringing(user);
    const res = await deps.link.request('call:add', { callId: phase.callId, to: username });
    if (res.ok) {
      deps.notices.announce(`Calling ${user.displayName} into the call`);
      return;
    }
    if (calls.mesh.peer(username)?.state === 'ringing') calls.mesh.remove(username);
    deps.notices.show(res.message, 'call');
    deps.notices.announce(res.message);
  }

  /** Takes back an Add person still ringing: their devices stop ringing and the call hears so (room:left). */
  async cancelAdd(username: string): Promise<void> {
    const calls = this.#calls;
    const deps = this.#deps;
    const phase = calls.phase;
    if ((phase.kind !== 'active' && phase.kind !== 'reconnecting') || calls.mesh.peer(username)?.state !== 'ringing') return;
    const res = await deps.link.request('call:cancel', { callId: phase.callId, to: username });
    // not_found: the ringing ended meanwhile (answered, declined, rung out), which room:left or room:joined tells.
    if (res.ok || res.code === 'not_found') return;
    deps.notices.show(res.message, 'call');
    deps.notices.announce(res.message);
  }
}
