/**
 * The echo test call (PARLEY_TEST_CALL): a werift peer in the test plays the
 * caller, sends audio packets through a real server's echo peer, and gets
 * each one back after the delay; the server's report counts what it got
 * and names the path its ICE agent selected.
 */
import { describe, expect, it } from 'vitest';
import { expectOk, startTestServer, team } from './harness.js';
import { caller, until } from './testcall-peer.js';

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
