/**
 * The echo test call cannot be aimed at other hosts (issue 34, item 2): the
 * server's werift peer checks only candidates that can be the caller
 * itself, at most eight a call, offered or trickled. Counted as an attacker
 * would: UDP and TCP listeners on this host's ports, which no STUN check and
 * no connection may reach.
 */
import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { CandidatePolicy, MAX_CANDIDATES, clientOrigin, type ClientOrigin } from '../src/testcall/candidate-policy.js';
import { expectOk, startTestServer, team } from './harness.js';
import { hostCandidate, listen, metrics, offerWith, proxiedDevice } from './testcall-peer.js';

/** This host's addresses, loopback's aside, that are not public (every one, on a test machine). */
function ownAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((entry) => !entry.internal)
    .map((entry) => entry.address.split('%')[0] ?? '')
    .filter((a) => ipaddr.process(a).range() !== 'unicast');
}

describe('the echo peer’s candidates', () => {
  it('from a caller behind a proxy: no loopback, private, link-local, multicast or named candidate is checked, none reaches this host', async () => {
    const server = await startTestServer({ testCall: 'on' });
    const { logins, bob } = await team(server, 'alice', 'bob');
    // Alice comes through a reverse proxy (X-Forwarded-For): the server cannot tell her address, so only public ones go.
    const alice = await proxiedDevice(server, logins.alice);
    const target = await listen();
    const sentinel = await listen('127.0.0.1');
    const loopback = ['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1'];
    const unspecified = ['0.0.0.0', '::'];
    const lan = ['10.0.0.1', '172.16.0.1', '192.168.1.1', '100.64.0.1', 'fd00::1'];
    const linkLocal = ['169.254.169.254', 'fe80::1'];
    const named = ['127.1', '0x7f.0.0.1', '2130706433', '127.000.000.001', 'localhost', '3c5b9f2e-5d1b-4e0e-9d6a-0c2f7f1e4b11.local', 'metadata.google.internal'];
    const multicast = ['224.0.0.251', 'ff02::1', '255.255.255.255'];
    const own = ownAddresses();
    const udp = [...loopback, ...unspecified, ...lan, ...linkLocal, ...named, ...multicast, ...own].map((a, n) => hostCandidate(n, a, target.udpPort));
    const tcp = ['127.0.0.1', '::1', ...own].map((a, n) => hostCandidate(100 + n, a, target.tcpPort, { transport: 'tcp' }));
    const all = [...udp, ...tcp];
    const half = Math.floor(all.length / 2);

    const started = expectOk(await alice.emit('testcall:start', {}));
    const answer = new Promise<void>((resolve) =>
      alice.socket.on('testcall:signal', (m) => {
        if (m.description) resolve();
      }),
    );
    expectOk(await alice.emit('testcall:signal', { testId: started.testId, description: { type: 'offer', sdp: await offerWith(all.slice(0, half)) } }));
    for (const candidate of all.slice(half)) expectOk(await alice.emit('testcall:signal', { testId: started.testId, candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 } }));
    await answer;

    // Bob, on this machine, offers his own loopback: the one candidate checked. When it is, Alice's would have been long since.
    const bobs = expectOk(await bob.emit('testcall:start', {}));
    expectOk(await bob.emit('testcall:signal', { testId: bobs.testId, description: { type: 'offer', sdp: await offerWith([hostCandidate(0, '127.0.0.1', sentinel.udpPort)]) } }));
    await sentinel.first;

    expect(target.datagrams).toEqual([]);
    expect(target.connections).toBe(0);
    const m = await metrics(server);
    const dropped = (reason: string) => m('parley_test_call_dropped_candidates_total', { reason });
    // Own addresses land in the reason their range has; the fixed ones are counted exactly where no own address can fall.
    expect(dropped('loopback')).toBe(loopback.length + 2);
    expect(dropped('unspecified')).toBe(unspecified.length);
    expect(dropped('not-ip')).toBe(named.length);
    expect(dropped('multicast')).toBe(multicast.length);
    expect(dropped('private')).toBeGreaterThanOrEqual(lan.length);
    expect(dropped('link-local')).toBeGreaterThanOrEqual(linkLocal.length);
    const reasons = ['malformed', 'not-ip', 'loopback', 'private', 'link-local', 'metadata', 'multicast', 'unspecified', 'reserved', 'over-limit'];
    expect(reasons.reduce((sum, r) => sum + dropped(r), 0)).toBe(all.length);
  }, 20_000);

  it(`takes at most ${MAX_CANDIDATES} a call, offered and trickled alike`, async () => {
    const server = await startTestServer({ testCall: 'on' });
    const { bob } = await team(server, 'bob');
    // Bob is on this machine: his loopback candidates are his own. Eight in the offer, four more trickled.
    const taken = await Promise.all(Array.from({ length: MAX_CANDIDATES }, () => listen('127.0.0.1')));
    const over = await Promise.all(Array.from({ length: 4 }, () => listen('127.0.0.1')));
    const started = expectOk(await bob.emit('testcall:start', {}));
    const offer = await offerWith(taken.map((l, n) => hostCandidate(n, '127.0.0.1', l.udpPort, { priority: 1000 + n })));
    expectOk(await bob.emit('testcall:signal', { testId: started.testId, description: { type: 'offer', sdp: offer } }));
    // The four over the cap have the highest priority: werift would check them before most of the eight.
    for (const [n, l] of over.entries()) {
      const candidate = hostCandidate(50 + n, '127.0.0.1', l.udpPort, { priority: 2_000_000_000 - n });
      expectOk(await bob.emit('testcall:signal', { testId: started.testId, candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 } }));
    }
    await Promise.all(taken.map((l) => l.first));
    expect(over.map((l) => l.datagrams.length)).toEqual([0, 0, 0, 0]);
    expect((await metrics(server))('parley_test_call_dropped_candidates_total', { reason: 'over-limit' })).toBe(4);
  }, 20_000);

  it('a policy decides by range, the caller’s own address, and PARLEY_TEST_CALL=lan', () => {
    const verdict = (origin: ClientOrigin, lan: boolean, address: string) => {
      const admitted = new CandidatePolicy(lan, origin).admit(hostCandidate(0, address, 5000));
      return admitted.ok ? (admitted.candidate.split(' ')[4] ?? '') : admitted.reason;
    };
    const unknown: ClientOrigin = { kind: 'unknown' };
    // Public unicast only, in canonical form: what was judged is what werift gets.
    expect(verdict(unknown, false, '8.8.8.8')).toBe('8.8.8.8');
    expect(verdict(unknown, false, '2001:4860:4860::8888')).toBe('2001:4860:4860::8888');
    expect(verdict(unknown, false, '::ffff:8.8.8.8')).toBe('8.8.8.8');
    expect(verdict(unknown, false, '::ffff:10.0.0.1')).toBe('private');
    expect(verdict(unknown, false, '64:ff9b::7f00:1')).toBe('reserved'); // NAT64 of 127.0.0.1
    expect(verdict(unknown, false, '2002:7f00:1::1')).toBe('reserved'); // 6to4
    expect(verdict(unknown, false, '::7f00:1')).toBe('reserved'); // IPv4-compatible
    expect(verdict(unknown, false, '192.0.2.1')).toBe('reserved');
    expect(verdict(unknown, false, 'fe80::1%eth0')).toBe('not-ip');
    // A LAN server takes the LAN, never loopback, multicast, names or the cloud's metadata service.
    for (const a of ['10.1.2.3', '172.31.0.1', '192.168.0.10', '100.100.0.1', 'fd12:3456::1', 'fe80::1']) expect(verdict(unknown, true, a)).toBe(a);
    for (const [a, reason] of [
      ['169.254.169.254', 'link-local'],
      ['fd00:ec2::254', 'metadata'],
      ['127.0.0.1', 'loopback'],
      ['239.1.1.1', 'multicast'],
      ['printer.local', 'not-ip'],
    ]) {
      expect(verdict(unknown, true, a as string)).toBe(reason);
    }
    // The caller's own address goes, from a direct connection only.
    expect(verdict({ kind: 'remote', address: '192.168.1.20' }, false, '192.168.1.20')).toBe('192.168.1.20');
    expect(verdict({ kind: 'remote', address: '192.168.1.20' }, false, '192.168.1.21')).toBe('private');
    expect(verdict({ kind: 'local' }, false, '127.0.0.1')).toBe('127.0.0.1');
    expect(verdict({ kind: 'local' }, false, '10.9.9.9')).toBe('private');
    expect(clientOrigin({ address: '::ffff:127.0.0.1', forwarded: false }, false)).toEqual({ kind: 'local' });
    expect(clientOrigin({ address: '127.0.0.1', forwarded: true }, false)).toEqual({ kind: 'unknown' });
    expect(clientOrigin({ address: '127.0.0.1', forwarded: false }, true)).toEqual({ kind: 'unknown' });
    expect(clientOrigin({ address: '::ffff:192.168.1.20', forwarded: false }, false)).toEqual({ kind: 'remote', address: '192.168.1.20' });
    // Malformed lines are not guessed at.
    expect(new CandidatePolicy(false, unknown).admit('candidate:1 1 udp 1 8.8.8.8 0 typ host')).toMatchObject({ ok: false, reason: 'malformed' });
    expect(new CandidatePolicy(false, unknown).admit('candidate:1 1 sctp 1 8.8.8.8 5000 typ host')).toMatchObject({ ok: false, reason: 'malformed' });
  });
});
