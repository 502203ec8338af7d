/**
 * The echo test call (PARLEY_TEST_CALL): a werift peer in the test plays the
 * caller, sends audio packets through a real server's echo peer, and gets
 * each one back after the delay; the server's report counts what it got
 * and names the path its ICE agent selected.
 */
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from 'werift';
import { describe, expect, it } from 'vitest';
import { expectOk, startTestServer, team, type Device } from './harness.js';

const opus = () => [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2 })];

/** A werift caller: offers one audio track over testcall:signal and notes when each echoed packet comes back. */
async function caller(device: Device, testId: string) {
  const pc = new RTCPeerConnection({ codecs: { audio: opus(), video: [] } });
  const mic = new MediaStreamTrack({ kind: 'audio' });
  const transceiver = pc.addTransceiver(mic, { direction: 'sendrecv' });
  const echoed = new Map<number, number>(); // payload marker → arrival time
  transceiver.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => echoed.set(rtp.payload.readUInt32BE(0), Date.now())));
  pc.onIceCandidate.subscribe((c) => {
    if (c) void device.emit('testcall:signal', { testId, candidate: c.toJSON() });
  });
  device.socket.on('testcall:signal', (m) => {
    if (m.testId !== testId) return;
    if (m.description?.sdp) void pc.setRemoteDescription({ type: 'answer', sdp: m.description.sdp });
    if (m.candidate) void pc.addIceCandidate(m.candidate).catch(() => undefined);
  });
  await pc.setLocalDescription(await pc.createOffer());
  expectOk(await device.emit('testcall:signal', { testId, description: { type: 'offer', sdp: pc.localDescription?.sdp ?? '' } }));
  const sent = new Map<number, number>();
  return {
    pc,
    echoed,
    sent,
    /** 20 ms packets, each carrying its number, for `ms`. */
    async talk(ms: number): Promise<void> {
      for (let n = 0; n < ms / 20; n++) {
        const payload = Buffer.alloc(40);
        payload.writeUInt32BE(n, 0);
        sent.set(n, Date.now());
        mic.writeRtp(new RtpPacket(new RtpHeader({ sequenceNumber: n, timestamp: n * 960, payloadType: 111, ssrc: 4242, marker: false }), payload));
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('test call', () => {
  it('is off unless PARLEY_TEST_CALL=on: session:ready says so and testcall:start is refused', async () => {
    const server = await startTestServer();
    const { alice } = await team(server, 'alice');
    expect(alice.ready.testCall).toBe(false);
    const reply = await alice.emit('testcall:start', {});
    expect(reply).toMatchObject({ ok: false, code: 'not_found' });
    expect(reply.ok ? '' : reply.message).toContain('PARLEY_TEST_CALL');
    // The network check's credentials do not depend on it.
    expect(expectOk(await alice.emit('network:ice', {})).iceServers).toEqual([]);
  });

  it('echoes the caller’s audio after the delay and reports what arrived and the path', async () => {
    const server = await startTestServer({ testCall: 'on' });
    const { alice } = await team(server, 'alice');
    expect(alice.ready.testCall).toBe(true);
    const started = expectOk(await alice.emit('testcall:start', { delayMs: 1000 }));
    expect(started).toMatchObject({ delayMs: 1000, maxMs: 60_000, iceServers: [] });
    const call = await caller(alice, started.testId);
    await until(() => call.pc.connectionState === 'connected', 10_000);
    await call.talk(2000);
    await until(() => call.echoed.size >= 90, 5000);
    // Every packet came back no sooner than the delay after it was sent.
    for (const [n, at] of call.echoed) expect(at - (call.sent.get(n) ?? 0)).toBeGreaterThanOrEqual(990);
    const report = expectOk(await alice.emit('testcall:stop', { testId: started.testId }));
    expect(report.received.packets).toBeGreaterThanOrEqual(90);
    expect(report.received.lost).toBe(0);
    expect(report.received.jitterMs).toBeGreaterThanOrEqual(0);
    expect(report.path).toEqual({ local: 'host', remote: 'host', protocol: 'udp' });
    expect(report.rttMs).toBeGreaterThanOrEqual(0);
    // Stopped: it is gone.
    expect(await alice.emit('testcall:stop', { testId: started.testId })).toMatchObject({ ok: false, code: 'not_found' });
    await call.pc.close();
  }, 30_000);

  it('one per device, a limit per node, another device cannot touch it, and a disconnect ends it', async () => {
    const server = await startTestServer({ testCall: 'on', testCallMax: 1 });
    const { alice, bob } = await team(server, 'alice', 'bob');
    const first = expectOk(await alice.emit('testcall:start', {}));
    expect(first.delayMs).toBe(3000);
    expect(await bob.emit('testcall:start', {})).toMatchObject({ ok: false, code: 'busy' });
    expect(await bob.emit('testcall:stop', { testId: first.testId })).toMatchObject({ ok: false, code: 'not_found' });
    // A second start on the same device replaces the first.
    const second = expectOk(await alice.emit('testcall:start', {}));
    expect(await alice.emit('testcall:stop', { testId: first.testId })).toMatchObject({ ok: false, code: 'not_found' });
    expect(await alice.emit('testcall:signal', { testId: second.testId, description: { type: 'answer', sdp: 'v=0' } })).toMatchObject({
      ok: false,
      code: 'bad_request',
    });
    alice.socket.disconnect();
    await until(() => false, 300).catch(() => undefined);
    expectOk(await bob.emit('testcall:start', {}));
  }, 20_000);
});
