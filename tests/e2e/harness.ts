/**
 * Browser end-to-end harness: a real signaling server on port 0 with a temp
 * data dir serving the built web renderer, and Debian's Chromium driven by
 * playwright-core with a known tone as the fake microphone. One browser
 * context per user. A test file takes it through `e2eTest` (the fixtures at
 * the end): the world, its signed-in team, and pictures of every page when a
 * test fails; its pages open in the run's one shared Chromium.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject, test } from 'vitest';
import { loadConfig, type Config, type LogLevel } from '../../signaling-server/src/config.js';
import { createLogger } from '../../signaling-server/src/logger.js';
import { startServer, type RunningServer } from '../../signaling-server/src/server.js';
import { launchChromium, writeToneWav } from './chromium.js';
import { callPanel, peerState } from './page-probes.js';
import { ServerLog, serverLogs } from './server-log.js';
import { TcpProxy } from './tcp-proxy.js';

export { CHROMIUM, launchChromium, launchPersistentChromium, writeToneWav, writeWav } from './chromium.js';
export { callPanel, inboundAudio, liveTracks, microphones, peerState, type AudioIn } from './page-probes.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const WEB_ROOT = path.join(ROOT, 'out/renderer');
export const ARTIFACTS = path.join(ROOT, 'test-results/e2e');

export interface World {
  server: RunningServer;
  /** Where pages load the app and reach the server: the proxy when there is one. */
  url: string;
  /** Present with `startWorld({ proxy: true })`: cut it to block the server's port. */
  proxy: TcpProxy | undefined;
  browser: Browser;
  dataDir: string;
  /** Stops the server as SIGTERM does (clients start reconnecting). */
  stopServer(): Promise<void>;
  /** Starts it again on the same port and data dir. */
  startServer(): Promise<void>;
  close(): Promise<void>;
}

export interface WorldOptions {
  ringTimeoutS?: number;
  /** What the server logs, kept in memory and printed when a test fails (`warn` unless told). */
  serverLogLevel?: LogLevel;
  /** The server's PARLEY_MESH_LIMIT (default 6). */
  meshLimit?: number;
  /** The server's PARLEY_UNANSWERED_PER_CALLEE (default 10). */
  unansweredPerCallee?: number;
  /** Put a TCP proxy the test can cut between the pages and the server. */
  proxy?: boolean;
  /** Where the server listens instead of loopback (a bridge that browsers in network namespaces reach). */
  host?: string;
  /** The folder the server serves at `/`: the web build unless told (benchmarks serve baseline pages). */
  webRoot?: string;
  /** STUN and TURN settings (none unless told). */
  ice?: Partial<Pick<Config, 'stunUrls' | 'turnUrls' | 'turnSecret' | 'turnTtlS'>>;
  /** PARLEY_TEST_CALL (off unless told). */
  testCall?: Config['testCall'];
  /** PARLEY_JANUS_URL and its admin key, with PARLEY_SFU_FROM (none unless told). */
  sfu?: Pick<Config, 'sfu' | 'sfuFrom'>;
  /**
   * Open the pages in this browser (the shared Chromium) instead of one the
   * world launches: `close` then closes the contexts opened in it, not the
   * browser, and says so if the browser went away meanwhile.
   */
  browser?: Browser;
}

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-e2e-'));
  const config = loadConfig({}, {}, {
    port: 0,
    dataDir: path.join(dataDir, 'server'),
    logLevel: 'silent',
    webRoot: options.webRoot ?? WEB_ROOT,
    ringTimeoutS: options.ringTimeoutS ?? 30,
    ...(options.meshLimit !== undefined && { meshLimit: options.meshLimit }),
    ...(options.unansweredPerCallee !== undefined && { unansweredPerCallee: options.unansweredPerCallee }),
    // Many UI actions in a row per user: keep the limiter out of the way.
    messageRate: 1000,
    messageBurst: 1000,
    ...(options.host ? { host: options.host } : {}),
    ...options.ice,
    ...(options.testCall && { testCall: options.testCall }),
    ...options.sfu,
  });
  const serverLog = new ServerLog();
  serverLogs.add(serverLog);
  const serverOptions = { logger: createLogger(options.serverLogLevel ?? 'warn', serverLog), accountPollMs: 200 };
  const server = await startServer(config, serverOptions);
  const proxy = options.proxy ? await TcpProxy.start({ host: '127.0.0.1', port: server.port }) : undefined;
  const browser = options.browser ?? (await launchChromium(toneIn(dataDir)));
  mkdirSync(ARTIFACTS, { recursive: true });
  const world: World = {
    server,
    url: proxy?.url ?? server.url,
    proxy,
    browser,
    dataDir,
    async stopServer() {
      await world.server.close();
    },
    async startServer() {
      world.server = await startServer({ ...config, port: server.port }, serverOptions);
    },
    async close() {
      const lost = options.browser !== undefined && !browser.isConnected();
      if (!options.browser) await browser.close();
      else if (!lost) for (const context of browser.contexts()) await context.close();
      await proxy?.close();
      await world.server.close();
      serverLogs.delete(serverLog);
      rmSync(dataDir, { recursive: true, force: true });
      if (lost) throw new Error('The shared Chromium went away during this file (it crashed or was killed): the tests that failed after that failed for that reason.');
    },
  };
  return world;
}

/** The 440 Hz tone's WAV in `dir`, written there. */
function toneIn(dir: string): string {
  const wav = path.join(dir, 'tone.wav');
  writeToneWav(wav);
  return wav;
}

/**
 * Test-side instrumentation, injected before the app loads: remembers every
 * RTCPeerConnection and every microphone, camera and screen track the page creates (and every
 * clone of a camera or screen: a live clone keeps the device open), so tests can read getStats()
 * and check that tracks were stopped. The app has no
 * test hooks of its own.
 */
function instrument(): void {
  const w = window as unknown as { __pcs: RTCPeerConnection[]; __tracks: MediaStreamTrack[] };
  w.__pcs = [];
  w.__tracks = [];
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Original {
    constructor(config?: RTCConfiguration) {
      super(config);
      w.__pcs.push(this);
    }
  };
  const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await gum(constraints);
    w.__tracks.push(...stream.getTracks());
    return stream;
  };
  // Shared screens too (they count as video tracks, never as microphones).
  const gdm = navigator.mediaDevices.getDisplayMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getDisplayMedia = async (options) => {
    const stream = await gdm(options);
    w.__tracks.push(...stream.getTracks());
    return stream;
  };
  const clone = Object.getOwnPropertyDescriptor(MediaStreamTrack.prototype, 'clone')!.value as (this: MediaStreamTrack) => MediaStreamTrack;
  MediaStreamTrack.prototype.clone = function (this: MediaStreamTrack) {
    const copy = clone.call(this);
    if (copy.kind === 'video') w.__tracks.push(copy);
    return copy;
  };
}

export interface User {
  name: string;
  context: BrowserContext;
  page: Page;
  /** The page's console warnings and errors, shown when a test fails. */
  console: string[];
}

export interface OpenOptions {
  /** More test-side setup injected before the app loads (a fake window.parley, say), given `initArg`. */
  init?: (arg: unknown) => void;
  /** Data for `init` from the test's side (the page's script cannot import it). */
  initArg?: unknown;
  /** Type the server address (the desktop app does not default to the page's origin). */
  serverField?: boolean;
  /** The user's own browser (one in a network namespace, say) instead of the world's. */
  browser?: Browser;
  /** Lets test-side scripts the app's content security policy would refuse run (a benchmark's blob: audio worklet). */
  bypassCSP?: boolean;
}

/** Only where the page loads the app, and the browser: several load balancer addresses can share one browser. */
export type Site = Pick<World, 'url' | 'browser'>;

/** Every user whose context is still open, in the order opened: whose pages a failed test's pictures show. */
const openUsers = new Set<User>();

export async function openUser(world: Site, name: string, options: OpenOptions = {}): Promise<User> {
  const context = await (options.browser ?? world.browser).newContext({ permissions: ['microphone', 'camera'], bypassCSP: options.bypassCSP ?? false });
  await context.addInitScript(instrument);
  if (options.init) await context.addInitScript(options.init, options.initArg);
  const page = await context.newPage();
  const log: string[] = [];
  const opened: User = { name, context, page, console: log };
  openUsers.add(opened);
  context.on('close', () => openUsers.delete(opened));
  page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') log.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  await page.goto(world.url);
  if (options.serverField) await page.getByLabel('Server').fill(world.url);
  return opened;
}

export async function registerUser(world: Pick<World, 'url'>, name: string): Promise<void> {
  const res = await fetch(`${world.url}/api/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: name, password: `${name}-password`, displayName: name[0]!.toUpperCase() + name.slice(1) }),
  });
  if (res.status !== 201) throw new Error(`register ${name}: ${res.status}`);
}

/** Signs in through the sign-in screen, as a person would. */
export async function signIn(user: User): Promise<void> {
  const { page } = user;
  await page.getByLabel('Username').fill(user.name);
  await page.getByLabel('Password', { exact: true }).fill(`${user.name}-password`);
  // A server reached over plain http at an address that is not this computer (the network-namespace
  // suites): the app asks before the password goes unencrypted, and the person agrees.
  const plainHttp = page.getByRole('checkbox', { name: 'Send my password unencrypted to this server' });
  if (await plainHttp.isVisible()) await plainHttp.check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Sections' }).waitFor();
  await page.getByRole('button', { name: /^Call / }).first().waitFor();
}

export async function user(world: Site, name: string, options: OpenOptions = {}): Promise<User> {
  const u = await openUser(world, name, options);
  await signIn(u);
  return u;
}

/** Keeps a picture of every user's page, for a failed test's artifacts. */
export async function screenshotAll(testName: string, ...users: (User | undefined)[]): Promise<void> {
  const slug = testName.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
  for (const u of users) {
    if (u) console.error(`${u.name}'s console:\n  ${u.console.join('\n  ')}\n  peer connections: ${await peerState(u.page).catch(() => '?')}`);
    if (u && !u.page.isClosed()) await u.page.screenshot({ path: path.join(ARTIFACTS, `failed-${slug}-${u.name}.png`) }).catch(() => undefined);
  }
}

/** Closes the ended-call view, which may already have closed by itself. */
export async function closeEnded(...users: User[]): Promise<void> {
  for (const u of users) {
    await u.page.getByRole('button', { name: 'Close' }).click({ timeout: 2000 }).catch(() => undefined);
    await callPanel(u.page).waitFor({ state: 'detached' });
  }
}

/**
 * Ends whatever call each page still shows (hang up, decline, cancel, then close): a file's tidying
 * between tests that share pages, so one failed test leaves the next a page without a call.
 */
export async function endCalls(...users: User[]): Promise<void> {
  const ending = /^(Hang up|Leave call|Decline|Cancel call to .*|Close)$/;
  for (const u of users) {
    for (let i = 0; i < 4 && (await callPanel(u.page).count()) > 0; i++) {
      await callPanel(u.page).getByRole('button', { name: ending }).first().click({ timeout: 2000 }).catch(() => undefined);
    }
    await callPanel(u.page).waitFor({ state: 'detached', timeout: 5000 });
  }
}

// ---------------------------------------------------------------------------
// Fixtures: what every browser test file sets up, the vitest way (test.extend).
// ---------------------------------------------------------------------------

/** A file's team: each member signed in on a page (a browser context) of their own. */
export type Team<N extends string> = { readonly [K in N]: User };

/** What a file's `it` sets up (e2eTest). */
export interface E2eOptions<N extends string> {
  /** The server's settings. A file whose server needs something started first (Janus, coturn) extends `worldOptions` instead. */
  world?: WorldOptions;
  /** The `team` fixture: each registered, then each signed in, in this order (so each sees the others). */
  team?: readonly N[];
  /** How a member's page opens (an init script, the server field). */
  open?: Partial<Record<N, OpenOptions>>;
  /** Registered with the team but not signed in: people a test opens itself. */
  alsoRegistered?: readonly string[];
  /** Runs once everyone is registered, before anyone signs in (accounts made another way, say). */
  beforeSignIn?: (world: World) => Promise<void>;
  /** Runs after each test, once a failed one's pictures are taken: what the file puts back between tests. */
  afterEach?: (fixtures: { team: Team<N>; world: World }) => Promise<void>;
  /** More to print when a test fails (a server's log, say), after the pictures. */
  onFailure?: () => void | Promise<void>;
}

/** How long a file waits for the shared Chromium to be back after a crash (global-setup.ts launches it again). */
const RECONNECT_MS = 30_000;

/** A connection to the shared Chromium, tried again for a while (after a crash it comes back at the same address); null without a global setup. */
async function connectSharedChromium(): Promise<Browser | null> {
  const endpoint = inject('chromiumEndpoint') as string | undefined;
  if (!endpoint) return null;
  const deadline = Date.now() + RECONNECT_MS;
  for (;;) {
    try {
      return await chromium.connect(endpoint, { timeout: 10_000 });
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`the shared Chromium (tests/e2e/global-setup.ts) cannot be reached at ${endpoint}`, { cause: err });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * The file's `it`, with these fixtures:
 * - `browser` (worker): a connection to the run's shared Chromium (global-setup.ts), or a Chromium of its own without one;
 * - `worldOptions` (file): `options.world`; a file extends it to start something first (`.extend('worldOptions', { scope: 'file' }, ({ janus }) => ...)`);
 * - `world` (file): the server, its pages in `browser`; closed after the file, with every context opened in it;
 * - `team` (file): `options.team`, registered and signed in;
 * - two automatic ones for each test: the pictures of every open page (and their consoles) when it failed, then `options.afterEach`.
 */
export function e2eTest<const N extends string = never>(options: E2eOptions<N> = {}) {
  const { afterEach: tidy, onFailure } = options;
  const worldOptions: WorldOptions = options.world ?? {};
  const base = test
    // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from its destructuring
    .extend('browser', { scope: 'worker' }, async ({}, { onCleanup }) => {
      const shared = await connectSharedChromium();
      if (shared) {
        onCleanup(() => shared.close());
        return shared;
      }
      const dir = mkdtempSync(path.join(tmpdir(), 'parley-e2e-chromium-'));
      const own = await launchChromium(toneIn(dir));
      onCleanup(async () => {
        await own.close();
        rmSync(dir, { recursive: true, force: true });
      });
      return own;
    })
    .extend('worldOptions', { scope: 'file' }, worldOptions)
    .extend('world', { scope: 'file' }, async ({ browser, worldOptions }, { onCleanup }) => {
      const world = await startWorld({ ...worldOptions, browser });
      onCleanup(() => world.close());
      return world;
    })
    .extend('team', { scope: 'file' }, async ({ world }) => {
      const names = options.team ?? [];
      for (const name of [...names, ...(options.alsoRegistered ?? [])]) await registerUser(world, name);
      await options.beforeSignIn?.(world);
      const open: Partial<Record<string, OpenOptions>> = options.open ?? {};
      const members: [N, User][] = [];
      for (const name of names) members.push([name, await user(world, name, open[name])]);
      return Object.fromEntries(members) as Team<N>;
    });
  type Tidy = (fixtures: { team: Team<N>; world: World }, builder: { onCleanup: (fn: () => Promise<void>) => void }) => void;
  const afterEachTest: Tidy = tidy
    ? ({ team, world }, { onCleanup }) => onCleanup(() => tidy({ team, world }))
    : // eslint-disable-next-line no-empty-pattern -- no dependency: a file without it does not start a world for it
      ({}) => undefined;
  // Set up in this order, so torn down in the other: the pictures first, then the file's tidying.
  return base.extend('tidy', { auto: true }, afterEachTest).extend('failureShots', { auto: true }, ({ task }, { onCleanup }) => {
    // The test's result is known here (a fixture's teardown runs after the test and its afterEach hooks);
    // onTestFailed would run after the tidying above, when the pages no longer show what failed.
    onCleanup(async () => {
      if (task.result?.state !== 'fail') return;
      await screenshotAll(task.name, ...openUsers);
      for (const log of serverLogs) if (log.toString()) console.error(`the server's log (its last lines):\n${log.toString()}`);
      await onFailure?.();
    });
  });
}
