import { describe, expect, it } from 'vitest';
import type { Ahead, Signal } from './call-session.js';
import { Mesh, type PeerSession } from './mesh.svelte.js';
import { SPEAKING_HOLD_MS, speakersFirst } from './speaking.js';

const ref = (username: string) => ({ username, displayName: username.toUpperCase() });
const offer: Signal = { description: { type: 'offer', sdp: 'v=0' } };
const candidate: Signal = { candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host' } };

class FakeSession implements PeerSession {
  signals: Signal[] = [];
  released = false;
  restored = 0;
  muted = false;
  closed = false;
  stats: Record<string, unknown>[] = [];
  level = 0;
  constructor(
    readonly user: string,
    readonly polite: boolean,
    readonly ahead: Ahead | undefined,
  ) {}
  handleSignal(signal: Signal): Promise<void> {
    this.signals.push(signal);
    return Promise.resolve();
  }
  release(): void {
    this.released = true;
  }
  signalingRestored(): void {
    this.restored++;
  }
  setMuted(muted: boolean): void {
    this.muted = muted;
  }
  onHold = false;
  setOnHold(onHold: boolean): void {
    this.onHold = onHold;
  }
  iceServers: RTCIceServer[][] = [];
  setIceServers(servers: RTCIceServer[]): void {
    this.iceServers.push(servers);
  }
  getStats(): Promise<RTCStatsReport> {
    return Promise.resolve(new Map(this.stats.map((s, i) => [String(i), s])) as unknown as RTCStatsReport);
  }
  /** What descriptions() answers: set by a test that checks the verification code. */
  sdp: { local: string | null; remote: string | null } = { local: null, remote: null };
  descriptions(): { local: string | null; remote: string | null } {
    return this.sdp;
  }
  receivedLevel(): number {
    return this.level;
  }
  /** What setGroup() was told, in order. */
  group: boolean[] = [];
  setGroup(group: boolean): void {
    this.group.push(group);
  }
  close(): void {
    this.closed = true;
  }
}

function mesh() {
  const sessions: FakeSession[] = [];
  let now = 1000;
  const m = new Mesh({
    session: (user, polite, ahead) => {
      const s = new FakeSession(user.username, polite, ahead);
      sessions.push(s);
      return s;
    },
    now: () => now,
  });
  return { m, sessions, tick: (ms: number) => (now += ms) };
}

describe('mesh bookkeeping', () => {
  it('one session per participant, with the role given for that pair; a second add keeps the first', () => {
    const { m, sessions } = mesh();
    m.add(ref('bob'), false);
    m.add(ref('carol'), true);
    m.add(ref('bob'), true);
    expect(sessions.map((s) => [s.user, s.polite])).toEqual([
      ['bob', false],
      ['carol', true],
    ]);
    expect(m.peers.map((p) => [p.user.username, p.state])).toEqual([
      ['bob', 'connecting'],
      ['carol', 'connecting'],
    ]);
  });

  it('routes each signal to its sender\'s session, keeping those that come before the session in order', () => {
    const { m, sessions } = mesh();
    m.add(ref('bob'), false);
    m.signal('carol', offer);
    m.signal('carol', candidate);
    m.signal('bob', candidate);
    expect(sessions[0]?.signals).toEqual([candidate]);
    m.add(ref('carol'), true);
    expect(sessions[1]?.signals).toEqual([offer, candidate]);
    m.signal('carol', candidate);
    expect(sessions[1]?.signals).toHaveLength(3);
    expect(sessions[0]?.signals).toHaveLength(1);
  });

  it('a connection that comes up gets its verification code; a renewed one starts without', async () => {
    const { m, sessions } = mesh();
    m.add(ref('bob'), false);
    const session = sessions[0]!;
    const fp = (byte: string) => `a=fingerprint:sha-256 ${Array.from({ length: 32 }, () => byte).join(':')}`;
    session.sdp = { local: `v=0\r\n${fp('AA')}\r\n`, remote: `v=0\r\n${fp('BB')}\r\n` };
    m.setState('bob', 'connected');
    await expect.poll(() => m.peer('bob')?.verification).toMatch(/^\d{4} \d{4}$/);
    m.renew('bob');
    expect(m.peer('bob')?.verification).toBeNull();
    expect(session.closed).toBe(true);
  });

  it('tells every session whether the call is a group (two peers or more), as people come and go', () => {
    const { m, sessions } = mesh();
    m.add(ref('bob'), false);
    m.add(ref('carol'), false);
    m.add(ref('dave'), false);
    m.remove('carol');
    m.remove('dave');
    // Each is told at its add and at every change after: a session may take any word more than once.
    expect(sessions[0]?.group).toEqual([false, true, true, true, false]);
    expect(sessions[1]?.group).toEqual([true, true]);
    expect(sessions[2]?.group).toEqual([true, true]);
  });

  it('keeps a bounded number of early signals per sender', () => {
    const { m, sessions } = mesh();
    for (let i = 0; i < 500; i++) m.signal('mallory', candidate);
    m.add(ref('mallory'), true);
    expect(sessions[0]?.signals.length).toBeLessThanOrEqual(64);
  });

  it('someone leaving closes only their session; the others are untouched', () => {
    const { m, sessions } = mesh();
    m.add(ref('bob'), false);
    m.add(ref('carol'), false);
    m.setStream('bob', {} as MediaStream);
    m.setStream('carol', {} as MediaStream);
    m.remove('bob');
    expect(sessions.map((s) => s.closed)).toEqual([true, false]);
    expect(m.peers.map((p) => p.user.username)).toEqual(['carol']);
    // Signals from someone who left are not kept for a session that will never come… until they rejoin.
    m.signal('bob', offer);
    m.add(ref('bob'), true);
    expect(sessions[2]?.signals).toEqual([offer]);
  });

  it('a ringing invitee is shown without a session and becomes a participant when they answer', () => {
    const { m, sessions } = mesh();
    m.add(ref('bob'), false);
    m.ringing(ref('carol'));
    expect(m.peers.map((p) => p.state)).toEqual(['connecting', 'ringing']);
    expect(m.allConnected()).toBe(false);
    m.setState('bob', 'connected');
    expect(m.allConnected()).toBe(true);
    m.add(ref('carol'), false);
    expect(sessions).toHaveLength(2);
    expect(m.peers.map((p) => p.state)).toEqual(['connected', 'connecting']);
  });

  it('mute, release and restoring signaling reach every session; mute and away marks stay per participant', () => {
    const { m, sessions } = mesh();
    m.add(ref('bob'), false, 'held');
    m.add(ref('carol'), false, 'early');
    m.release();
    m.setMuted(true);
    m.signalingRestored();
    m.signalingRestored('carol');
    expect(sessions.map((s) => [s.ahead, s.released, s.muted, s.restored])).toEqual([
      ['held', true, true, 1],
      ['early', true, true, 2],
    ]);
    m.setMutedBy('carol', true);
    m.setAway('bob', true);
    expect(m.peers.map((p) => [p.muted, p.away])).toEqual([
      [false, true],
      [true, false],
    ]);
  });

  it('speaking follows each participant\'s own level, held briefly after it drops', () => {
    const { m, sessions, tick } = mesh();
    m.add(ref('bob'), false);
    m.add(ref('carol'), false);
    const [bob, carol] = sessions;
    bob!.level = 0.6;
    carol!.level = 0.01;
    m.readLevels();
    expect(m.peers.map((p) => [p.level, p.speaking])).toEqual([
      [0.6, true],
      [0.01, false],
    ]);
    bob!.level = 0;
    tick(SPEAKING_HOLD_MS / 2);
    m.readLevels();
    expect(m.peer('bob')?.speaking).toBe(true);
    tick(SPEAKING_HOLD_MS);
    m.readLevels();
    expect(m.peer('bob')?.speaking).toBe(false);
  });

  it('a session that says who talks (the SFU) decides the ring, not the level; the most recent speaker comes first', () => {
    const { m, sessions, tick } = mesh();
    const said: Record<string, boolean> = {};
    for (const name of ['bob', 'carol', 'dave']) {
      m.add(ref(name), false);
      Object.assign(sessions.at(-1)!, { speaking: () => said[name] ?? false });
    }
    const order = () => speakersFirst(m.peers).map((p) => p.user.username);
    sessions[0]!.level = 0.9;
    m.readLevels();
    expect(m.peers.map((p) => [p.level, p.speaking])).toEqual([[0.9, false], [0, false], [0, false]]);
    expect(order()).toEqual(['bob', 'carol', 'dave']);
    said.dave = true;
    tick(100);
    m.readLevels();
    expect(m.peer('dave')?.speaking).toBe(true);
    expect(order()).toEqual(['dave', 'bob', 'carol']);
    said.carol = true;
    said.dave = false;
    tick(100);
    m.readLevels();
    expect(m.peers.map((p) => p.speaking)).toEqual([false, true, false]);
    expect(order()).toEqual(['carol', 'dave', 'bob']);
    // Muted is never speaking, whatever the SFU still says.
    m.setMutedBy('carol', true);
    m.readLevels();
    expect(m.peer('carol')?.speaking).toBe(false);
  });

  it('in a mesh nobody is reordered, whoever speaks', () => {
    const { m, sessions } = mesh();
    m.add(ref('bob'), false);
    m.add(ref('carol'), false);
    sessions[1]!.level = 0.9;
    m.readLevels();
    expect(speakersFirst(m.peers).map((p) => [p.user.username, p.speaking])).toEqual([['bob', false], ['carol', true]]);
  });

  it('levels come from each session, whatever stream their track arrived in; a ringing invitee has none', () => {
    const { m, sessions } = mesh();
    m.add(ref('bob'), false);
    m.ringing(ref('carol'));
    sessions[0]!.level = 0.5;
    m.readLevels();
    // A new stream (a renegotiation that added video to it) changes nothing about the level.
    m.setStream('bob', {} as MediaStream);
    m.readLevels();
    expect(m.peers.map((p) => [p.user.username, p.level, p.speaking])).toEqual([
      ['bob', 0.5, true],
      ['carol', 0, false],
    ]);
  });

  it('someone who muted is not speaking, at once and for as long as they stay muted, whatever their level reads', () => {
    const { m, sessions, tick } = mesh();
    m.add(ref('bob'), false);
    sessions[0]!.level = 0.8;
    m.readLevels();
    expect(m.peer('bob')?.speaking).toBe(true);
    m.setMutedBy('bob', true);
    m.readLevels();
    expect(m.peer('bob')?.speaking).toBe(false);
    sessions[0]!.level = 0;
    for (let i = 0; i < 5; i++) {
      tick(100);
      m.readLevels();
      expect(m.peer('bob')?.speaking).toBe(false);
    }
    m.setMutedBy('bob', false);
    sessions[0]!.level = 0.8;
    m.readLevels();
    expect(m.peer('bob')?.speaking).toBe(true);
  });

  it('scores each connection on its own statistics', async () => {
    const { m, sessions } = mesh();
    m.add(ref('bob'), false);
    m.add(ref('carol'), false);
    const pair = (rtt: number) => ({ type: 'candidate-pair', state: 'succeeded', nominated: true, currentRoundTripTime: rtt });
    sessions[0]!.stats = [pair(0.02), { type: 'inbound-rtp', kind: 'audio', jitter: 0.005, packetsReceived: 100, packetsLost: 0 }];
    sessions[1]!.stats = [pair(0.9), { type: 'inbound-rtp', kind: 'audio', jitter: 0.2, packetsReceived: 50, packetsLost: 50 }];
    await m.sampleQuality();
    expect(m.peers.map((p) => p.quality?.quality)).toEqual(['good', 'poor']);
  });

  it('on hold every session is told, one made meanwhile too, and no audio is due (no media timeout)', async () => {
    const { m, sessions, tick } = mesh();
    m.add(ref('bob'), false);
    m.setState('bob', 'connected');
    m.setStream('bob', {} as MediaStream);
    m.setOnHold(true);
    expect(sessions[0]!.onHold).toBe(true);
    sessions[0]!.stats = [{ type: 'inbound-rtp', kind: 'audio', packetsReceived: 100, packetsLost: 0 }];
    for (let t = 0; t <= 30_000; t += 2000) {
      await m.sampleQuality();
      tick(2000);
    }
    expect(m.silent()).toEqual([]);
    m.renew('bob');
    expect(sessions[1]!.onHold).toBe(true);
    // Off hold, the same silence is a silent path again.
    m.setOnHold(false);
    expect(sessions[1]!.onHold).toBe(false);
    m.setState('bob', 'connected');
    m.setStream('bob', {} as MediaStream);
    sessions[1]!.stats = sessions[0]!.stats;
    for (let t = 0; t <= 30_000; t += 2000) {
      await m.sampleQuality();
      tick(2000);
    }
    expect(m.silent()).toEqual(['bob']);
  });

  it('close ends every session and forgets everyone', () => {
    const { m, sessions } = mesh();
    m.add(ref('bob'), false);
    m.ringing(ref('carol'));
    m.signal('dave', offer);
    m.close();
    expect(sessions.every((s) => s.closed)).toBe(true);
    expect(m.size).toBe(0);
    m.add(ref('dave'), true);
    expect(sessions[1]?.signals).toEqual([]);
  });

  it('a call closed on hold leaves no hold to the next: its sessions send', () => {
    const { m, sessions } = mesh();
    m.add(ref('bob'), false);
    m.setOnHold(true);
    m.close();
    m.add(ref('bob'), false);
    expect(sessions[1]!.onHold).toBe(false);
  });

  it('a participant\'s media moving to the SFU swaps their session: the old closes, they stay shown, and mute and levels go to the new one', () => {
    const { m, sessions } = mesh();
    m.add(ref('bob'), false);
    m.setState('bob', 'connected');
    m.setMutedBy('bob', true);
    const onSfu = new FakeSession('bob', true, undefined);
    m.replaceSession('bob', onSfu);
    expect(sessions[0]?.closed).toBe(true);
    expect(m.session('bob')).toBe(onSfu);
    expect(m.peers.map((p) => [p.user.username, p.state, p.muted])).toEqual([['bob', 'connected', true]]);
    m.setMuted(true);
    expect(onSfu.muted).toBe(true);
    onSfu.level = 0.5;
    m.readLevels();
    expect(m.peer('bob')?.level).toBe(0.5);
    // Nobody there to move: nothing happens.
    m.replaceSession('carol', new FakeSession('carol', true, undefined));
    expect(m.session('carol')).toBeNull();
    m.remove('bob');
    expect(onSfu.closed).toBe(true);
  });
});
