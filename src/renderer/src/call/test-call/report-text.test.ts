import { describe, expect, it } from 'vitest';
import { serverOf, verdictsFor } from './network-check.js';
import { pathText, reportText, speechText } from './report-text.js';

const TURN = 'turn:turn.example.org:3478?transport=udp';

describe('network verdicts', () => {
  it('match a candidate or an error to the configured URL by host and port', () => {
    expect(serverOf(TURN)).toBe('turn.example.org:3478');
    expect(serverOf('turns:turn.example.org')).toBe('turn.example.org:5349');
    const urls = [TURN, 'turn:other.example.org:3478', 'turn:third.example.org:3478', 'stun:stun.example.org'];
    const verdicts = verdictsFor(
      urls,
      [
        { type: 'relay', address: '203.0.113.7:5000', url: 'turn:turn.example.org:3478?transport=udp' },
        { type: 'srflx', address: '198.51.100.2:6000', url: 'stun:stun.example.org:3478' },
      ],
      [
        { url: 'turn:other.example.org:3478?transport=udp', code: 401, text: 'Unauthorized' },
        { url: 'turn:third.example.org:3478?transport=udp', code: 701, text: 'TURN allocate request timed out.' },
      ],
    );
    expect(verdicts.map((v) => v.kind)).toEqual(['relay', 'refused', 'no-answer', 'srflx']);
  });

  it('name the path from the selected pair', () => {
    expect(pathText('host', 'host').text).toMatch(/^direct \(host to host\)/);
    expect(pathText('srflx', 'host').text).toMatch(/NAT \(found with STUN\)/);
    expect(pathText('host', 'relay').text).toMatch(/^through the TURN relay/);
  });

  it('put the first problem in the headline, in words', () => {
    const text = reportText({
      gather: { host: true, verdicts: [{ kind: 'refused', url: TURN, code: 401, text: 'Unauthorized' }] },
      echo: {
        client: { path: { local: 'host', remote: 'host' }, rttMs: 12, packets: 200, lost: 0, jitterMs: 1.5, level: 0.2 },
        server: { received: { packets: 200, lost: 2, jitterMs: 2 } },
      },
    });
    expect(text.tone).toBe('bad');
    expect(text.headline).toBe('Calls may fail: TURN at turn:turn.example.org:3478 refused the credentials (401)');
    expect(text.lines.find((l) => l.label === 'Loss')?.text).toBe('1 % on the way to the server, 0 % on the way back');
    expect(text.lines.find((l) => l.label === 'Echo')?.tone).toBe('good');
  });

  it('say when no TURN is handed out, and when nothing came back', () => {
    const text = reportText({
      gather: { host: true, verdicts: [] },
      echo: { client: { packets: 0, lost: 0, jitterMs: 0, level: 0 }, server: { received: { packets: 0, lost: 0, jitterMs: 0 } } },
    });
    expect(text.lines.map((l) => l.text)).toContain('nothing audible came back: check your microphone in Settings');
    expect(text.lines.some((l) => l.text.startsWith('this server hands out no TURN server'))).toBe(true);
  });

  it('say what speech to expect, from the loss, the jitter and the delay', () => {
    expect(speechText(0, 2, 20)).toEqual({ label: 'Speech', text: 'clear', tone: 'good' });
    expect(speechText(4, 2, 20)).toEqual({ label: 'Speech', text: 'clear: Parley rebuilds the few packets lost', tone: 'good' });
    expect(speechText(4, 2, 450).text).toBe('clear: Parley rebuilds the few packets lost, with a delay you will notice');
    expect(speechText(10, 2, 20)).toEqual({ label: 'Speech', text: 'mostly clear: now and then a syllable may be lost', tone: 'warn' });
    expect(speechText(0, 80, 20).tone).toBe('warn');
    const bad = speechText(22, 2, 20);
    expect(bad.tone).toBe('bad');
    expect(bad.text).toMatch(/^speech will break up: 22 % of packets were lost/);
    const report = reportText({
      gather: { host: true, verdicts: [{ kind: 'relay', url: TURN, address: '203.0.113.7:5000' }] },
      echo: {
        client: { path: { local: 'host', remote: 'host' }, rttMs: 12, packets: 80, lost: 20, jitterMs: 1.5, level: 0.2 },
        server: { received: { packets: 200, lost: 0, jitterMs: 2 } },
      },
    });
    expect(report.lines.find((l) => l.label === 'Speech')?.text).toMatch(/^speech will break up: 20 %/);
    expect(report.headline).toBe('Calls may fail: speech will break up');
  });
});
