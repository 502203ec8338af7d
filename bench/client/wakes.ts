/**
 * `npm run bench:wakes`: what wakes the signed-in page at rest, in counts,
 * not timings, so it may run beside other work. The idle situation of
 * bench:client (alice signed in, 50 contacts), settled, then a Chromium
 * trace over a window: on the page's main thread, the timers fired (by where
 * they were installed, when that was inside the window), the JS entered, the
 * events dispatched, style, layout and paint, and every task by where it was
 * posted from; top-level tasks per process and thread; and what the page
 * holds at the end (running animations, audio contexts, live tracks, focus).
 * Settings through the environment: BENCH_WAKES_SECONDS (30),
 * BENCH_WAKES_SETTLE (10), BENCH_CLIENT_CONTACTS (50), BENCH_WAKES_BLANK=1
 * (bench:client's blank baseline page instead of the app),
 * BENCH_WAKES_AFTER_CALL=1 (alice at rest after an audio call with bob).
 */
import path from 'node:path';
import type { CDPSession } from 'playwright-core';
import { it } from 'vitest';
import { closeEnded, liveTracks, openUser, registerUser, startWorld, user, type User, type World } from '../../tests/e2e/harness.js';
import { recordAudioContexts, runningAudioContexts } from '../../tests/e2e/media.js';
import { establishCall, waitState } from '../../tests/e2e/steps.js';
import { startBareServer } from '../call/baseline.js';
import { fromEnv } from '../call/env.js';
import { seedContacts } from './contacts.js';

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  pid: number;
  tid: number;
  /** `src_file`, `src_func`: where a task was posted from. */
  args?: { name?: string; data?: Record<string, unknown>; src_file?: string; src_func?: string };
}

interface Frame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.stack', 'toplevel', 'v8', 'blink', 'cc', 'viz', 'benchmark'];
/** Work on the page's main thread that a wake causes. */
const MAIN = new Set(['TimerFire', 'FireAnimationFrame', 'FunctionCall', 'EventDispatch', 'UpdateLayoutTree', 'Layout', 'Paint', 'PrePaint', 'Commit', 'MajorGC', 'MinorGC']);
const RUN_TASK = 'ThreadControllerImpl::RunTask';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tally = (keys: string[]) => Object.fromEntries([...keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>())].sort((a, b) => b[1] - a[1]));
const data = (e: TraceEvent): Record<string, unknown> => e.args?.data ?? {};
const where = (f: Pick<Frame, 'functionName' | 'url' | 'lineNumber'>) => `${f.functionName || '(anonymous)'}@${path.basename(f.url)}:${f.lineNumber}`;

async function trace(cdp: CDPSession, seconds: number): Promise<TraceEvent[]> {
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: CATEGORIES, recordMode: 'recordContinuously' }, transferMode: 'ReturnAsStream' });
  await sleep(seconds * 1000);
  const complete = new Promise<string>((resolve) => cdp.once('Tracing.tracingComplete', (e) => resolve(e.stream ?? '')));
  await cdp.send('Tracing.end');
  const stream = await complete;
  let text = '';
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle: stream });
    text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString() : chunk.data;
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle: stream });
  const parsed = JSON.parse(text) as { traceEvents: TraceEvent[] } | TraceEvent[];
  return Array.isArray(parsed) ? parsed : parsed.traceEvents;
}

/** The counts, from the trace: `page` is the renderer's pid and main thread's tid. */
function count(events: TraceEvent[]) {
  const threads = new Map<string, string>();
  const processes = new Map<number, string>();
  for (const e of events.filter((x) => x.ph === 'M')) {
    if (e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?');
    if (e.name === 'process_name') processes.set(e.pid, e.args?.name ?? '?');
  }
  const key = (e: TraceEvent) => `${e.pid}:${e.tid}`;
  // The page's main thread: the renderer main thread that dispatched anything the page did.
  const mains = [...threads].filter(([, name]) => name === 'CrRendererMain').map(([k]) => k);
  const main = mains.find((k) => events.some((e) => key(e) === k && MAIN.has(e.name))) ?? mains[0];
  const page = main?.split(':')[0];
  const onMain = events.filter((e) => key(e) === main);
  const installed = new Map<unknown, string>();
  for (const e of events.filter((x) => x.name === 'TimerInstall')) {
    const d = data(e) as { timerId: unknown; timeout: number; singleShot: boolean; stackTrace?: Frame[] };
    installed.set(d.timerId, `${d.singleShot ? 'setTimeout' : 'setInterval'} ${d.timeout} ms from ${d.stackTrace?.slice(0, 3).map(where).join(' < ') ?? '?'}`);
  }
  const postedFrom = (e: TraceEvent) => `${path.basename(e.args?.src_file ?? '?')} ${e.args?.src_func ?? ''}`.trim();
  const thread = (e: TraceEvent) => `${processes.get(e.pid) ?? e.pid}${String(e.pid) === page ? ' (the page)' : ''} ${threads.get(key(e)) ?? e.tid}`;
  return {
    timersFired: tally(onMain.filter((e) => e.name === 'TimerFire').map((e) => installed.get((data(e) as { timerId: unknown }).timerId) ?? 'a timer installed before the window')),
    scriptEntered: tally(onMain.filter((e) => e.name === 'FunctionCall').map((e) => where(data(e) as unknown as Frame))),
    eventsDispatched: tally(onMain.filter((e) => e.name === 'EventDispatch').map((e) => String((data(e) as { type?: string }).type))),
    mainThreadWork: tally(onMain.filter((e) => MAIN.has(e.name)).map((e) => e.name)),
    mainThreadTasks: tally(onMain.filter((e) => e.name === RUN_TASK).map(postedFrom)),
    tasksByThread: tally(events.filter((e) => e.ph === 'X' && e.cat.split(',').includes('toplevel')).map(thread)),
  };
}

async function held(u: User) {
  const page = await u.page.evaluate(() => ({
    runningAnimations: document.getAnimations().filter((a) => a.playState === 'running').map((a) => `${a instanceof CSSAnimation ? a.animationName : a.constructor.name} on ${(a.effect as KeyframeEffect | null)?.target?.nodeName ?? '?'}`),
    hidden: document.hidden,
    mediaElements: [...document.querySelectorAll('audio, video')].map((m) => {
      const el = m as HTMLMediaElement;
      return `${el.nodeName}${el.isConnected ? '' : ' (detached)'} ${el.paused ? 'paused' : 'playing'}${el.srcObject ? ' with a stream' : ''}${el.src ? ` ${el.src.slice(0, 40)}` : ''}`;
    }),
    focused: `${document.activeElement?.nodeName ?? 'nothing'} ${document.activeElement?.getAttribute('aria-label') ?? ''}`.trim(),
  }));
  return { ...page, runningAudioContexts: await runningAudioContexts(u.page), liveTracks: await liveTracks(u.page) };
}

async function signedIn(world: World, contacts: number): Promise<User> {
  const afterCall = process.env.BENCH_WAKES_AFTER_CALL === '1';
  await registerUser(world, 'alice');
  if (afterCall) await registerUser(world, 'bob');
  await seedContacts(world, contacts - 1);
  const alice = await user(world, 'alice', { init: recordAudioContexts });
  if (afterCall) {
    const bob = await user(world, 'bob');
    await establishCall(alice, bob, 'Bob');
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await waitState(bob.page, 'ended');
    await closeEnded(alice, bob);
    await bob.context.close();
  }
  return alice;
}

it('bench:wakes', async () => {
  const seconds = fromEnv('BENCH_WAKES_SECONDS', 30);
  const world = await startWorld();
  const bare = process.env.BENCH_WAKES_BLANK === '1' ? await startBareServer() : null;
  try {
    const u = bare ? await openUser({ url: bare.url, browser: world.browser }, 'blank', { init: recordAudioContexts }) : await signedIn(world, fromEnv('BENCH_CLIENT_CONTACTS', 50));
    await sleep(fromEnv('BENCH_WAKES_SETTLE', 10) * 1000);
    const events = await trace(await u.context.newCDPSession(u.page), seconds);
    console.log(JSON.stringify({ page: bare ? 'blank' : 'app', seconds, ...count(events), ...(await held(u)) }, null, 2));
  } finally {
    await bare?.close();
    await world.close();
  }
});
