import { describe, expect, it } from 'vitest';
import { failureLabel, failureSeen, failureText, hasRelayCandidate } from './failure.js';

/** A stats report as Chromium gives it: entries by id, read through values(). */
const report = (...entries: Record<string, unknown>[]) => new Map(entries.map((e, i) => [String(i), e])) as unknown as RTCStatsReport;
const host = { type: 'local-candidate', candidateType: 'host' };
const relay = { type: 'local-candidate', candidateType: 'relay' };
const mesh = (away: boolean[], ...reports: RTCStatsReport[]) => ({ peers: away.map((a) => ({ away: a })), reports: () => Promise.resolve(reports) });

describe('what made a call fail', () => {
  it('a peer whose connection to the server is gone: connection-lost, whatever the path did', async () => {
    expect(await failureSeen(mesh([false, true], report(host)), false)).toBe('connection-lost');
  });

  it('a path that was up and did not come back: media-lost, never the TURN hint', async () => {
    expect(await failureSeen(mesh([false], report(host)), true)).toBe('media-lost');
  });

  it('a path that never came up: no-relay without a relay candidate on any connection, no-path with one', async () => {
    expect(await failureSeen(mesh([false], report(host), report({ type: 'inbound-rtp' })), false)).toBe('no-relay');
    expect(await failureSeen(mesh([false, false], report(host), report(host, relay)), false)).toBe('no-path');
    expect(hasRelayCandidate(report({ type: 'remote-candidate', candidateType: 'relay' }))).toBe(false);
  });

  it('statistics that cannot be read count as no relay seen', async () => {
    expect(await failureSeen({ peers: [], reports: () => Promise.reject(new Error('closed')) }, false)).toBe('no-relay');
  });

  it('only no-relay mentions TURN; each names what was seen', () => {
    const texts = (['no-relay', 'no-path', 'media-lost', 'connection-lost'] as const).map((c) => failureText(c, 'Bob'));
    expect(texts.filter((t) => t?.includes('TURN'))).toEqual([texts[0]]);
    expect(texts.slice(1)).toEqual([
      'The call could not connect: no network path to Bob was found, even through the relay server.',
      'The connection to Bob was lost and did not come back.',
      'Bob lost the connection and did not come back in time.',
    ]);
    expect(failureText(undefined, 'Bob')).toBeNull();
  });

  it('history says an answered call that failed lost its connection, not that it failed', () => {
    expect(failureLabel(undefined, true)).toBe('Connection lost');
    expect(failureLabel('media-lost', true)).toBe('Connection lost');
    expect(failureLabel('no-relay', false)).toBe('Failed: network blocks calls');
    expect(failureLabel('no-path', false)).toBe('Failed: no network path');
    expect(failureLabel(undefined, false)).toBe('Failed');
  });
});
