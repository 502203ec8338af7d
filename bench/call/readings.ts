/**
 * What bench:call's stopwatch recorded in a page (probe.ts), read from
 * Node: waiting for a reading, checking it is there, and a call's
 * timeline printed from it.
 */
import type { Page } from 'playwright-core';
import { PROBE_SETTINGS, type PeerRecord, type ProbeRecord, type ProbeWindow } from './probe.js';

export function readProbe(page: Page): Promise<ProbeRecord> {
  return page.evaluate(() => (window as unknown as ProbeWindow).__bench);
}

/**
 * Waits until the page painted a ring, the same way in Parley's page and the bare one: a loop in the page on a
 * 50 ms timer. A locator's wait instead queries the page from Playwright every 20 to 100 ms, each query a few
 * protocol round trips and a forced style and layout in the callee's page, inside the ring it measures.
 */
export async function waitRung(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as ProbeWindow).__bench.states.some((s) => s.state === 'incoming' && s.painted !== null), undefined, { polling: 50, timeout: 5000 });
}

/** Waits (Node side, coarse: the times are the page's) until the page's newest peer connection heard audio. */
export async function waitAudible(page: Page, count = 1): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const pcs = (window as unknown as ProbeWindow).__bench.pcs;
      return pcs.length >= n && pcs.slice(-n).every((pc) => pc.audible !== null && pc.sounded !== null);
    },
    count,
    { polling: 50, timeout: 15_000 },
  ).catch(async (err: unknown) => {
    // Say which reading never came (and why the audio-thread probe failed, if it did).
    const pcs = (await readProbe(page)).pcs.slice(-count);
    const missing = pcs.map((pc) => `${pc.audible === null ? 'no level' : 'level'}, ${pc.sounded === null ? 'no audio-thread reading' : 'audio-thread reading'}${pc.trace.filter((t) => t.e.includes('probe failed')).map((t) => `: ${t.e}`).join('')}`);
    throw new Error(`no audio both ways (${missing.join('; ')})`, { cause: err });
  });
}

export function must<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`the stopwatch has no ${what}`);
  return value;
}

export function clickAt(record: ProbeRecord, name: string): number {
  return must(record.clicks.find((c) => c.name === name)?.t, `click on ${name}`);
}

export function peerTimes(pc: PeerRecord | undefined, from: number, who: string) {
  const p = must(pc, `peer connection for the ${who}`);
  return {
    // Connected while it rang (ahead.ts): nothing was left to connect after the click.
    connected: Math.max(0, must(p.connected, `${who} connected`) - from),
    firstPlayed: must(p.firstPlayed, `${who} first packet played`) - from,
    heard: must(p.heard, `${who} first audible packet played`) - from,
    audible: must(p.audible, `${who} audible`) - from,
    sounded: must(p.sounded, `${who} first audible sample rendered`) - from,
  };
}

/** Events of several pages (or peer connections) on one time line, in ms from `from`. */
export function printTimeline(records: [string, ProbeRecord][], from: number, extra: [number, string][], print: (line: string) => void): void {
  const lines = [...extra];
  for (const [who, r] of records) {
    for (const s of r.states) {
      lines.push([s.t, `${who} shows ${s.state}`]);
      if (s.painted !== null) lines.push([s.painted, `${who} paints ${s.state}`]);
    }
    for (const m of r.messages) lines.push([m.t, `${who} ${m.e}`]);
    for (const m of r.work) lines.push([m.t, `${who} ${m.e}`]);
    for (const c of r.clicks) lines.push([c.t, `${who} clicks ${c.name}`]);
    for (const [i, pc] of r.pcs.entries()) {
      const name = r.pcs.length > 1 ? `${who}#${i + 1}` : who;
      lines.push([pc.created, `${name} new RTCPeerConnection`]);
      for (const e of pc.trace) lines.push([e.t, `${name} ${e.e}`]);
      if (pc.firstPlayed !== null) lines.push([pc.firstPlayed, `${name} plays the first audio packet`]);
      if (pc.heard !== null) lines.push([pc.heard, `${name} plays the first audible packet`]);
      if (pc.sounded !== null) lines.push([pc.sounded, `${name} renders the first audible sample (audio thread)`]);
      if (pc.audible !== null) lines.push([pc.audible, `${name} getStats audioLevel > ${PROBE_SETTINGS.audibleLevel} (${pc.freshReports} fresh reports in ${pc.polls} polls)`]);
    }
  }
  for (const [t, what] of lines.sort((x, y) => x[0] - y[0])) print(`  ${(t - from).toFixed(1).padStart(8)} ms  ${what}`);
}
