/**
 * The echo test call's cost is bounded (issue 34, item 3): a flood is
 * dropped, not queued (the queue's size is read from /metrics); one test
 * call per account, on one node or across two sharing Redis; offers with more media sections than a test needs, or
 * not bundled, are refused before werift opens a socket for them.
 */
import { describe, expect, it } from 'vitest';
import { ECHO_LIMITS, EchoQueue } from '../src/testcall/echo-queue.js';
import { missingTool } from './coturn.js';
import { connect, expectOk, register, startTestServer, team, twoNodes } from './harness.js';
import { caller, metrics, offerSdp, until } from './testcall-peer.js';

describe('the test call’s cost', () => {
  it('a flood of echo packets is dropped on arrival: the queue stays within its caps, in packets and bytes', async () => {
    const server = await startTestServer({ testCall: 'on' });
    const { alice } = await team(server, 'alice');
    const started = expectOk(await alice.emit('testcall:start', { delayMs: 1000 }));
    const call = await caller(alice, started.testId);
    await until(() => call.pc.connectionState === 'connected', 15_000, 'the test call connects');
    // 3,000 packets of 1,000 bytes at once: 3 MB, where a voice sends 50 packets of about 100 bytes a second.
    const floodAt = Date.now();
    await call.flood(3000, 1000);
    const m = () => metrics(server);
    const dropped = async () => {
      const sample = await m();
      return sample('parley_test_call_dropped_packets_total', { reason: 'rate' }) + sample('parley_test_call_dropped_packets_total', { reason: 'queue' });
    };
    await until(async () => (await dropped()) > 0, 10_000, 'the flood to meet the policer');
    // The queue empties one delay after the flood's last admitted packet.
    await until(async () => (await m())('parley_test_call_queue_packets') === 0, 10_000, 'the queue to empty');
    const queue = new EchoQueue(1000);
    const sample = await m();
    expect(sample('parley_test_call_queue_peak_packets')).toBeGreaterThan(0);
    expect(sample('parley_test_call_queue_peak_packets')).toBeLessThanOrEqual(queue.maxPackets);
    expect(sample('parley_test_call_queue_peak_bytes')).toBeLessThanOrEqual(queue.maxBytes);
    // Of what arrived (some of the flood may be lost on the way), all but what the policed rate lets through in the time was dropped.
    const policed = Math.ceil((ECHO_LIMITS.burstBytes + (ECHO_LIMITS.bytesPerS * (Date.now() - floodAt)) / 1000) / 1000);
    const { received } = expectOk(await alice.emit('testcall:stop', { testId: started.testId }));
    expect(received.packets).toBeGreaterThan(ECHO_LIMITS.burstPackets);
    expect(await dropped()).toBeGreaterThanOrEqual(received.packets - policed);
    expect(call.echoed.size).toBeGreaterThan(0);
    expect(call.echoed.size).toBeLessThanOrEqual(policed);
  }, 40_000);

  it('the queue polices the rate and holds no more than its caps, even when nothing leaves it', () => {
    const queue = new EchoQueue<number>(3000, ECHO_LIMITS, 0);
    // A burst at one instant: the bucket's burst goes in, the rest is dropped.
    for (let n = 0; n < 10_000; n++) queue.push(n, 100, 0);
    expect(queue.packets).toBe(ECHO_LIMITS.burstPackets);
    expect(queue.dropped.rate).toBe(10_000 - ECHO_LIMITS.burstPackets);
    // Twice the rate for ten seconds, the pump stalled: the rate halves it, the cap holds the rest.
    for (let t = 0; t < 10_000; t += 5) queue.push(t, 100, t);
    expect(queue.packets).toBe(queue.maxPackets);
    expect(queue.dropped.queue).toBeGreaterThan(0);
    expect(queue.bytes).toBeLessThanOrEqual(queue.maxBytes);
    // Big packets meet the byte rate first.
    const bytes = new EchoQueue<number>(1000, ECHO_LIMITS, 0);
    for (let n = 0; n < 100; n++) bytes.push(n, 1200, 0);
    expect(bytes.bytes).toBeLessThanOrEqual(ECHO_LIMITS.burstBytes);
    expect(bytes.due(999)).toEqual([]);
    expect(bytes.due(1000)).toHaveLength(bytes.peakPackets);
    expect(bytes.bytes).toBe(0);
  });

  it('one test call per account: a second device is refused in_test_call, others are not', async () => {
    const server = await startTestServer({ testCall: 'on', testCallMax: 4 });
    const { alice, bob, logins } = await team(server, 'alice', 'bob');
    const laptop = await connect(server, logins.alice);
    const first = expectOk(await alice.emit('testcall:start', {}));
    const refused = await laptop.emit('testcall:start', {});
    expect(refused).toMatchObject({ ok: false, code: 'in_test_call' });
    expect(refused.ok ? '' : refused.message).toContain('another device');
    // Another user still gets a slot, and the same device may start again (it replaces its own).
    expectOk(await bob.emit('testcall:start', {}));
    const again = expectOk(await alice.emit('testcall:start', {}));
    expect(await alice.emit('testcall:stop', { testId: first.testId })).toMatchObject({ ok: false, code: 'not_found' });
    // Ended there, it may start here.
    expectOk(await alice.emit('testcall:stop', { testId: again.testId }));
    expectOk(await laptop.emit('testcall:start', {}));
  }, 20_000);

  it.skipIf(missingTool('redis-server', 'redis-server', 'testcall-limits.test.ts'))(
    "one test call per account across nodes: a device on the other node is refused in_test_call until the first one ends, or its connection does",
    async () => {
      const [one, two] = await twoNodes({ testCall: 'on' });
      const login = await register(one, 'alice');
      const desk = await connect(one, login);
      const laptop = await connect(two, login);
      const first = expectOk(await desk.emit('testcall:start', {}));
      const refused = await laptop.emit('testcall:start', {});
      expect(refused).toMatchObject({ ok: false, code: 'in_test_call' });
      // The same device replaces its own, still holding the one slot.
      const again = expectOk(await desk.emit('testcall:start', {}));
      expect(again.testId).not.toBe(first.testId);
      expect(await laptop.emit('testcall:start', {})).toMatchObject({ ok: false, code: 'in_test_call' });
      expectOk(await desk.emit('testcall:stop', { testId: again.testId }));
      expectOk(await laptop.emit('testcall:start', {}));
      expect(await desk.emit('testcall:start', {})).toMatchObject({ ok: false, code: 'in_test_call' });
      // A connection that goes ends its test call, and frees the slot for the other node.
      laptop.socket.disconnect();
      await expect.poll(async () => (await desk.emit('testcall:start', {})).ok, { timeout: 5000 }).toBe(true);
    },
    30_000,
  );

  it('offers not bundled, or with more media sections than a test needs, are refused unsupported_offer', async () => {
    const server = await startTestServer({ testCall: 'on' });
    const { alice } = await team(server, 'alice');
    const { testId } = expectOk(await alice.emit('testcall:start', {}));
    const offer = async (sdp: string) => alice.emit('testcall:signal', { testId, description: { type: 'offer', sdp } });
    const refusals: [string, string][] = [];
    for (const sdp of [
      await offerSdp({ bundle: false }),
      await offerSdp({ audio: 3 }),
      await offerSdp({ audio: 2 }),
      await offerSdp({ audio: 1, video: 2 }),
      await offerSdp({ audio: 1, data: true }),
      await offerSdp({ audio: 0, video: 1 }),
    ]) {
      const reply = await offer(sdp);
      refusals.push(reply.ok ? ['ok', ''] : [reply.code, reply.message]);
    }
    expect(refusals.map(([code]) => code)).toEqual(Array(6).fill('unsupported_offer'));
    expect(refusals[0]?.[1]).toContain('BUNDLE');
    expect(refusals[1]?.[1]).toContain('this offer has 3');
    // The test call is still there and takes the app's offer: one audio section, bundled.
    expectOk(await offer(await offerSdp()));
  }, 20_000);
});
