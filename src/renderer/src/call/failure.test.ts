import { describe, expect, it } from 'vitest';
import { failureLabel, failureSeen, failureText, hasRelayCandidate } from './failure.js';

/** A stats report as Chromium gives it: entries by id, read through values(). */
const report = (...entries: Record<string, unknown>[]) => new Map(entries.map((e, i) => [String(i), e])) as unknown as RTCStatsReport;
const host = { type: 'local-candidate', candidateType: 'host' };
const relay = { type: 'local-candidate', candidateType: 'relay' };
const mesh = (away: boolean[], ...reports: RTCStatsReport[]) => ({
  peers: away.map((a) => ({ away: a, state: 'interrupted' as const })),
  reports: () => Promise.resolve(reports),
});

describe('what made a call fail', () => {
  it('a peer whose connection to the server is gone: connection-lost, whatever the path did', async () => {
    expect(await failureSeen(mesh([false, true], report(host)), false)).toBe('connection-lost');
  });

  it('a path that was up and did not come back: media-lost, never the TURN hint', async () => {
    expect(await failureSeen(mesh([false], report(host)), true)).toBe('media-lost');
  });

  it('a path that is up while no audio arrives (the media timeout): media-lost, even from a peer who is away', async () => {
    const silent = { peers: [{ away: true, state: 'silent' as const }], reports: () => Promise.resolve([report(host)]) };
    expect(await failureSeen(silent, true)).toBe('media-lost');
  });

  it('a path that never came up: no-relay without a relay candidate on any connection, no-path with one', async () => {
    expect(await failureSeen(mesh([false], report(host), report({ type: 'inbound-rtp' })), false)).toBe('no-relay');
    expect(await failureSeen(mesh([false, false], report(host), report(host, relay)), false)).toBe('no-path');
    expect(hasRelayCandidate(report({ type: 'remote-candidate', candidateType: 'relay' }))).toBe(false);
  });

  it('statistics that cannot be read count as no relay seen', async () => {
    expect(await failureSeen({ peers: [], reports: () => Promise.reject(new Error('closed')) }, false)).toBe('no-relay');
  });

  it('only no-relay mentions TURN; each cause names what was seen, from either side', () => {
    const causes = ['no-relay', 'no-path', 'media-lost', 'connection-lost', 'signaling-lost'] as const;
    const texts = causes.flatMap((c) => [failureText(c, 'Bob'), failureText(c, 'Bob', true)]);
    expect(texts.filter((t) => t?.includes('TURN'))).toEqual([texts[0], texts[1]]);
    expect(new Set(causes.map((c) => failureText(c, 'Bob'))).size).toBe(causes.length);
    expect(causes.slice(1).map((c) => failureText(c, 'Bob'))).toEqual([
      'The call could not connect: no network path to Bob was found, even through the relay server.',
      'The audio between you and Bob stopped and did not come back.',
      "Bob's network went away: neither the server nor this call could reach them, and they did not come back in time.",
      "Bob's connection to the server was lost and did not come back in time.",
    ]);
    expect(failureText(undefined, 'Bob')).toBeNull();
  });

  it('told on its return that the call ended (call:resume), this side hears a cause about whoever was away as its own', () => {
    expect(failureText('signaling-lost', 'Bob', true)).toBe('Your connection to the server was lost and did not come back in time, so the call ended.');
    expect(failureText('connection-lost', 'Bob', true)).toBe(
      'Your network went away: neither the server nor Bob could reach you, and the call ended before you were back.',
    );
    // What either side saw of the path is the same from both.
    for (const c of ['no-relay', 'no-path', 'media-lost'] as const) expect(failureText(c, 'Bob', true)).toBe(failureText(c, 'Bob'));
  });

  it('history gives each cause its own words; an answered call that failed for no known cause lost its connection', () => {
    expect(failureLabel('no-relay', false)).toBe('Failed: network blocks calls');
    expect(failureLabel('no-path', false)).toBe('Failed: no network path');
    expect(failureLabel('media-lost', true)).toBe('Audio stopped');
    expect(failureLabel('connection-lost', true)).toBe('Network dropped');
    expect(failureLabel('signaling-lost', true)).toBe('Server connection lost');
    expect(failureLabel(undefined, true)).toBe('Connection lost');
    expect(failureLabel(undefined, false)).toBe('Failed');
  });
});
