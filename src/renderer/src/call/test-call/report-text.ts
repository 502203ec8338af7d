/**
 * A network report in words: what path the test call's media took, its
 * round trip, loss and jitter each way, and what every STUN and TURN server
 * did. Pure, so the wording is tested without a browser.
 */
import type { CandidateType, TestCallReport } from 'parley-server/protocol';
import type { GatherResult, ServerVerdict } from './network-check.js';

/** What the app's own getStats saw of the echo (downstream: server → you). */
export interface EchoMeasures {
  path?: { local: CandidateType; remote: CandidateType };
  rttMs?: number;
  packets: number;
  lost: number;
  jitterMs: number;
  /** The loudest the echo was while it played (0–1). */
  level: number;
}

export interface NetworkReport {
  gather: GatherResult;
  /** With the echo: both sides' measures, or why it did not run. */
  echo?: { client: EchoMeasures; server: TestCallReport } | { error: string };
}

export interface ReportLine {
  label: string;
  text: string;
  tone: 'good' | 'warn' | 'bad';
}

export interface ReportText {
  headline: string;
  tone: 'good' | 'warn' | 'bad';
  lines: ReportLine[];
}

/** Heard: Chromium reports about 3e-5 for silence. */
const HEARD_LEVEL = 0.01;

export function pathText(local: CandidateType, remote: CandidateType): { text: string; tone: ReportLine['tone'] } {
  if (local === 'relay' || remote === 'relay') {
    return { text: 'through the TURN relay: no direct path worked, so the audio went through your team’s TURN server', tone: 'warn' };
  }
  if (local === 'host' && remote === 'host') return { text: 'direct (host to host): no NAT between you and the server', tone: 'good' };
  return { text: 'direct through your router’s NAT (found with STUN)', tone: 'good' };
}

export function verdictText(v: ServerVerdict): ReportLine {
  const name = v.url.replace(/\?.*$/, '');
  const turn = /^turns?:/i.test(v.url);
  switch (v.kind) {
    case 'relay':
      return { label: 'TURN', text: `TURN at ${name} gave a relay candidate (${v.address})`, tone: 'good' };
    case 'srflx':
      return { label: 'STUN', text: `STUN at ${name} saw your public address ${v.address}`, tone: 'good' };
    case 'refused':
      return {
        label: turn ? 'TURN' : 'STUN',
        text: v.code === 401 ? `TURN at ${name} refused the credentials (401): ask your admin to run parley-server check-turn` : `${turn ? 'TURN' : 'STUN'} at ${name} refused (${v.code} ${v.text})`,
        tone: 'bad',
      };
    case 'no-answer':
      return { label: turn ? 'TURN' : 'STUN', text: `no answer from ${turn ? 'TURN' : 'STUN'} at ${name}: a firewall may block it`, tone: 'bad' };
  }
}

/**
 * The speech to expect on calls over this network, in words, from the test
 * call's loss (the worse way), jitter and round trip. The loss bands follow
 * bench:quality (BENCHMARKS.md, speech quality): with three earlier frames in
 * each packet once loss is reported, Parley rebuilds nearly every packet lost
 * at random, even at 20 %, and bursts of up to three. A network losing 15 %
 * or more is most often congested, which loses in longer bursts, and the
 * copies' bitrate adds to it: that band still warns that speech will break up.
 */
export function speechText(lossPct: number, jitterMs: number, rttMs: number | undefined): ReportLine {
  const delay = rttMs !== undefined && rttMs > 300 ? ', with a delay you will notice' : '';
  if (lossPct >= 15) {
    return { label: 'Speech', text: `speech will break up: ${lossPct} % of packets were lost, more than Parley can rebuild; a wired connection or another network would help`, tone: 'bad' };
  }
  if (lossPct >= 8 || jitterMs > 50) return { label: 'Speech', text: `mostly clear: now and then a syllable may be lost${delay}`, tone: 'warn' };
  if (lossPct >= 1) return { label: 'Speech', text: `clear: Parley rebuilds the few packets lost${delay}`, tone: delay ? 'warn' : 'good' };
  return { label: 'Speech', text: `clear${delay}`, tone: delay ? 'warn' : 'good' };
}

const percent = (lost: number, packets: number): number => (packets + lost === 0 ? 0 : Math.round((1000 * lost) / (packets + lost)) / 10);

export function reportText(report: NetworkReport): ReportText {
  const lines: ReportLine[] = [];
  const echo = report.echo;
  if (echo && 'client' in echo) {
    const { client, server } = echo;
    const path = client.path ?? server.path;
    if (path) {
      const p = pathText(path.local, path.remote);
      lines.push({ label: 'Path', text: p.text, tone: p.tone });
    }
    const heard = client.level >= HEARD_LEVEL;
    lines.push({ label: 'Echo', text: heard ? 'your voice came back: you heard it after the delay' : 'nothing audible came back: check your microphone in Settings', tone: heard ? 'good' : 'bad' });
    const rtt = client.rttMs ?? server.rttMs;
    const up = percent(server.received.lost, server.received.packets);
    const down = percent(client.lost, client.packets);
    const jitter = Math.max(client.jitterMs, server.received.jitterMs);
    // What the person cares about first, right after whether their voice came back.
    if (heard) lines.push(speechText(Math.max(up, down), jitter, rtt));
    if (rtt !== undefined) lines.push({ label: 'Round trip', text: `${rtt} ms to the server and back`, tone: rtt > 300 ? 'warn' : 'good' });
    // Loss Parley rebuilds (RED, FEC) unheard is no warning; past 15 % speech breaks up (speechText).
    lines.push({ label: 'Loss', text: `${up} % on the way to the server, ${down} % on the way back`, tone: Math.max(up, down) >= 15 ? 'bad' : Math.max(up, down) >= 3 ? 'warn' : 'good' });
    lines.push({ label: 'Jitter', text: `${client.jitterMs} ms coming back, ${server.received.jitterMs} ms going out`, tone: jitter > 30 ? 'warn' : 'good' });
  } else if (echo) {
    lines.push({ label: 'Test call', text: echo.error, tone: 'bad' });
  }
  if (!report.gather.host) lines.push({ label: 'WebRTC', text: 'this browser found no network address to call from: WebRTC is blocked here', tone: 'bad' });
  lines.push(...report.gather.verdicts.map(verdictText));
  if (!report.gather.verdicts.some((v) => /^turns?:/i.test(v.url))) {
    lines.push({ label: 'TURN', text: 'this server hands out no TURN server: calls between networks that block each other cannot be relayed', tone: 'warn' });
  }
  const tone = lines.some((l) => l.tone === 'bad') ? 'bad' : lines.some((l) => l.tone === 'warn') ? 'warn' : 'good';
  const firstBad = lines.find((l) => l.tone === 'bad');
  // The problem itself, without the advice after it (the line below has both).
  const headline = tone === 'bad' ? `Calls may fail: ${(firstBad?.text ?? '').split(': ')[0]}` : tone === 'warn' ? 'Calls should work, with a caveat below' : 'Your network is ready for calls';
  return { headline, tone, lines };
}
