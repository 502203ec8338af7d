/**
 * Every server setting: one table, read from flags (`--port 7070`) over
 * environment variables (`PARLEY_PORT`) over defaults. A bad value stops the
 * start with a message naming the setting; `--help` prints the table. How a
 * setting is read (flags, `_FILE` secrets, help) is config-reading.ts.
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, helpOf, int, readPem, secretFromFile, splitFlags, urlList, webRootProblem, type Setting } from './config-reading.js';

export { ConfigError } from './config-reading.js';

export type Registration = 'open' | 'invite' | 'closed';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL connection URL; unset: the SQLite file in the data dir. */
  databaseUrl: string | undefined;
  registration: Registration;
  inviteCode: string | undefined;
  ringTimeoutS: number;
  dbSync: 'normal' | 'full';
  /** After a full garbage collection, the C heap's free pages go back to the system, at most once per this many ms; 0: never (memory-trim.ts). */
  mallocTrimMs: number;
  callGraceS: number;
  /** Most people in one group call (a full mesh: one peer connection per pair). */
  meshLimit: number;
  stunUrls: string[];
  turnUrls: string[];
  turnSecret: string | undefined;
  /** Lifetime of the TURN credentials issued for a call (renewed during it with call:ice). */
  turnTtlS: number;
  /**
   * The SFU (Janus's WebSocket API, sfu/); undefined: calls are a mesh only. With it, a call of sfuFrom people (or past meshLimit)
   * moves to it for good. `apiSecret`: Janus's api_secret, sent with every request (unset: a Janus that asks for none).
   */
  sfu: { janusUrls: string[]; adminKey: string; apiSecret?: string } | undefined;
  sfuFrom: number;
  /** PARLEY_TEST_CALL: the echo test call (testcall/). */
  testCall: 'on' | 'lan' | 'off';
  testCallMax: number;
  allowedOrigins: string[];
  trustProxy: string[];
  tls: { cert: Buffer; key: Buffer } | undefined;
  logLevel: LogLevel;
  tokenTtlS: number;
  messageRate: number;
  messageBurst: number;
  /** Refused (rate_limited) messages within 10 s that get a device session disconnected; 0: never. */
  floodDisconnect: number;
  /** Most devices one account may have connected at once. */
  maxDevices: number;
  /** Per account, shared by its devices and every node: status changes a minute. */
  statusChanges: number;
  /** A user's watchers get at most one change of the user per this many ms (the latest); 0: every change at once. */
  presenceWindowMs: number;
  /** A device that takes batches gets at most one presence message per this many ms; 0: each change at once. */
  presenceBatchMs: number;
  /** While `presenceBurstFrom` devices or more on a node have a batch window open: each window lasts this long, the first change waiting too; 0: no burst windows. */
  presenceBurstMs: number;
  presenceBurstFrom: number;
  /** Per account: calls placed without an answer in 10 minutes (an answer gives its try back). */
  unansweredCalls: number;
  /** The same, per caller and callee. */
  unansweredPerCallee: number;
  /** Days call history (and its chat notes) is kept; older rows are pruned in the background. */
  historyDays: number;
  /** Days a voicemail message is kept; older ones are deleted in the background. */
  voicemailDays: number;
  /** Longest voicemail message, in seconds. */
  voicemailMaxS: number;
  /** Per callee: most messages kept at once. */
  voicemailCount: number;
  /** Per callee: most megabytes of messages kept at once. */
  voicemailMb: number;
  /** Absolute path of the built web client served at `/`, if any. */
  webRoot: string | undefined;
  /** Shared state for several nodes (see stores/redis-*.ts); undefined: this node's memory. */
  redisUrl: string | undefined;
  /** With Redis: how long a node may miss its heartbeat before the others end its sessions. */
  nodeTimeoutMs: number;
  /** The address users reach the server at; its host name is accepted in Host (see http/hosts.ts). */
  publicUrl: string | undefined;
  /** Bearer token /metrics asks for; undefined: /metrics is open (guard it at the proxy). */
  metricsToken: string | undefined;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

// deploy/janus ships placeholders that work if left on both sides: refused, so a secret is made (openssl rand -hex 32).
const janusSecret = z
  .string()
  .min(16, 'must be at least 16 characters')
  .refine((k) => !k.startsWith('CHANGE-ME'), 'is the placeholder of deploy/janus: make one (openssl rand -hex 32) and set it in both');

/** The raw, string-typed form of each setting before cross-checks. */
const rawSchema = z.object({
  port: int(0, 65535),
  host: z.string().min(1),
  dataDir: z.string().min(1),
  databaseUrl: z
    .string()
    .refine((u) => /^postgres(ql)?:\/\/./.test(u), { message: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  registration: z.enum(['open', 'invite', 'closed']).optional(),
  inviteCode: z.string().min(8, 'must be at least 8 characters').optional(),
  ringTimeoutS: int(1, 600),
  callGraceS: int(1, 3600),
  meshLimit: int(2, 16),
  dbSync: z.enum(['normal', 'full']),
  mallocTrimMs: int(0, 3_600_000),
  stunUrls: urlList(['stun', 'stuns']),
  turnUrls: urlList(['turn', 'turns']),
  turnSecret: z.string().min(16, 'must be at least 16 characters').optional(),
  turnTtlS: int(60, 7 * 24 * 3600),
  janusUrl: urlList(['ws', 'wss']).optional(),
  janusAdminKey: janusSecret.optional(),
  janusApiSecret: janusSecret.optional(),
  sfuFrom: int(2, 64),
  testCall: z.enum(['on', 'lan', 'off']),
  testCallMax: int(1, 1000),
  allowedOrigins: z
    .string()
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean)),
  trustProxy: z
    .string()
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean)),
  tlsCert: z.string().optional(),
  tlsKey: z.string().optional(),
  logLevel: z.enum(LOG_LEVELS),
  tokenTtlS: int(60, 365 * 24 * 3600),
  messageRate: int(1, 10_000),
  messageBurst: int(1, 100_000),
  floodDisconnect: int(0, 1_000_000),
  maxDevices: int(1, 1000),
  statusChanges: int(1, 100_000),
  presenceWindowMs: int(0, 60_000),
  presenceBatchMs: int(0, 10_000),
  presenceBurstMs: int(0, 60_000),
  presenceBurstFrom: int(1, 10_000_000),
  unansweredCalls: int(1, 1_000_000),
  unansweredPerCallee: int(1, 1_000_000),
  historyDays: int(1, 36_500),
  voicemailDays: int(1, 36_500),
  voicemailMaxS: int(5, 600),
  voicemailCount: int(1, 500),
  voicemailMb: int(1, 10_000),
  webRoot: z.string().optional(),
  nodeTimeoutMs: int(1000, 600_000),
  redisUrl: z
    .string()
    .refine((u) => URL.canParse(u) && ['redis:', 'rediss:'].includes(new URL(u).protocol), {
      message: 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379/0',
    })
    .optional(),
  publicUrl: z
    .string()
    .refine((u) => URL.canParse(u) && ['http:', 'https:'].includes(new URL(u).protocol) && new URL(u).hostname !== '', {
      message: 'must be an http:// or https:// URL, e.g. https://parley.example.com',
    })
    .optional(),
  metricsToken: z.string().min(16, 'must be at least 16 characters').optional(),
});
type RawSettings = z.input<typeof rawSchema>;

export const SETTINGS: readonly Setting<keyof RawSettings>[] = [
  { key: 'port', env: 'PARLEY_PORT', flag: '--port', default: '7070', help: 'TCP port to listen on (0 picks a free one)' },
  { key: 'host', env: 'PARLEY_HOST', flag: '--host', default: '127.0.0.1', help: 'address to bind; 0.0.0.0 for every interface' },
  { key: 'dataDir', env: 'PARLEY_DATA_DIR', flag: '--data-dir', default: './parley-data', help: 'folder for the SQLite database and the token secret (with --database-url, both live in PostgreSQL)' },
  { key: 'databaseUrl', env: 'PARLEY_DATABASE_URL', flag: '--database-url', help: 'postgres://user:password@host:5432/db: keep users and history in PostgreSQL (shared by several nodes) instead of the SQLite file' },
  { key: 'registration', env: 'PARLEY_REGISTRATION', flag: '--registration', help: 'open | invite | closed (default: open on loopback, closed otherwise)' },
  { key: 'inviteCode', env: 'PARLEY_INVITE_CODE', flag: '--invite-code', help: 'code new users must give when registration is "invite"' },
  { key: 'ringTimeoutS', env: 'PARLEY_RING_TIMEOUT_S', flag: '--ring-timeout-s', default: '30', help: 'seconds a call rings before it ends with no-answer' },
  { key: 'callGraceS', env: 'PARLEY_CALL_GRACE_S', flag: '--call-grace-s', default: '30', help: 'seconds an answered call waits for a device that lost its connection (or for both sides after a restart) before it ends as failed' },
  { key: 'meshLimit', env: 'PARLEY_MESH_LIMIT', flag: '--mesh-limit', default: '6', help: 'most people in one group call or room (2-16); each sends its audio to every other, so the next one is refused with room_full' },
  { key: 'stunUrls', env: 'PARLEY_STUN_URLS', flag: '--stun-urls', default: '', help: 'comma-separated stun: URLs handed to clients' },
  { key: 'turnUrls', env: 'PARLEY_TURN_URLS', flag: '--turn-urls', default: '', help: 'comma-separated turn:/turns: URLs handed to clients' },
  { key: 'turnSecret', env: 'PARLEY_TURN_SECRET', flag: '--turn-secret', help: "shared secret with coturn's use-auth-secret (TURN REST credentials)" },
  { key: 'turnTtlS', env: 'PARLEY_TURN_TTL_S', flag: '--turn-ttl-s', default: '600', help: 'lifetime in seconds of the TURN credentials each call gets (a longer call renews them before they expire; a check outside a call gets 120 s at most)' },
  { key: 'janusUrl', env: 'PARLEY_JANUS_URL', flag: '--janus-url', help: "comma-separated ws:// URLs of Janus's WebSocket API, one per instance (loopback or a private network): group calls of PARLEY_SFU_FROM people or more go through this SFU, each call's room on the least loaded instance" },
  { key: 'janusAdminKey', env: 'PARLEY_JANUS_ADMIN_KEY', flag: '--janus-admin-key', help: "the admin_key of Janus's VideoRoom plugin (janus.plugin.videoroom.jcfg), with which rooms are created" },
  { key: 'janusApiSecret', env: 'PARLEY_JANUS_API_SECRET', flag: '--janus-api-secret', help: "the api_secret of Janus (janus.jcfg), sent with every request to it; unset, Janus's API is open to whoever reaches its port" },
  { key: 'sfuFrom', env: 'PARLEY_SFU_FROM', flag: '--sfu-from', default: '7', help: 'with PARLEY_JANUS_URL: a call reaching this many people (2-64; or past the mesh limit) moves to the SFU and stays there; 2 puts every group call on it. Calls on the SFU hold up to 64 people' },
  { key: 'testCall', env: 'PARLEY_TEST_CALL', flag: '--test-call', default: 'off', help: 'on: answer the app\'s Test call with an echo of the caller\'s voice (the one time audio goes through this server; needs the optional package werift and UDP from the clients to this host); lan: also to callers\' private addresses' },
  { key: 'testCallMax', env: 'PARLEY_TEST_CALL_MAX', flag: '--test-call-max', default: '4', help: 'test calls one node carries at once; the next is refused with busy' },
  { key: 'allowedOrigins', env: 'PARLEY_ALLOWED_ORIGINS', flag: '--allowed-origins', default: '', help: 'comma-separated browser origins allowed besides the server\'s own; * allows any' },
  { key: 'trustProxy', env: 'PARLEY_TRUST_PROXY', flag: '--trust-proxy', default: '', help: 'reverse proxies whose X-Forwarded-For names the client (e.g. loopback, 10.0.0.0/8)' },
  { key: 'tlsCert', env: 'PARLEY_TLS_CERT', flag: '--tls-cert', help: 'PEM certificate file: serve https/wss (needs --tls-key)' },
  { key: 'tlsKey', env: 'PARLEY_TLS_KEY', flag: '--tls-key', help: 'PEM private key file for --tls-cert' },
  { key: 'logLevel', env: 'PARLEY_LOG_LEVEL', flag: '--log-level', default: 'info', help: LOG_LEVELS.join(' | ') },
  { key: 'tokenTtlS', env: 'PARLEY_TOKEN_TTL_S', flag: '--token-ttl-s', default: String(7 * 24 * 3600), help: 'lifetime of sign-in tokens in seconds; a device that connects with less than half left gets a fresh one' },
  { key: 'messageRate', env: 'PARLEY_MESSAGE_RATE', flag: '--message-rate', default: '20', help: 'messages per second each device session may send, sustained' },
  { key: 'messageBurst', env: 'PARLEY_MESSAGE_BURST', flag: '--message-burst', default: '100', help: 'messages a device session may send in a burst above the rate' },
  { key: 'floodDisconnect', env: 'PARLEY_FLOOD_DISCONNECT', flag: '--flood-disconnect', default: '100', help: 'rate_limited refusals within 10 s after which a device session is disconnected (0: never)' },
  { key: 'maxDevices', env: 'PARLEY_MAX_DEVICES', flag: '--max-devices', default: '10', help: 'most devices (windows, tabs, apps) one account may have connected at once; the next is refused with too_many_devices' },
  { key: 'statusChanges', env: 'PARLEY_STATUS_CHANGES', flag: '--status-changes', default: '20', help: 'status changes a minute per account (all its devices, every node); each reaches every watcher' },
  { key: 'presenceWindowMs', env: 'PARLEY_PRESENCE_WINDOW_MS', flag: '--presence-window-ms', default: '1000', help: 'each watcher gets at most one status change of a user in this window, the latest (0: every change at once)' },
  { key: 'presenceBatchMs', env: 'PARLEY_PRESENCE_BATCH_MS', flag: '--presence-batch-ms', default: '250', help: 'a device that takes presence in batches gets at most one message in this window: the first change at once, then the latest of each user (0: every change at once)' },
  { key: 'presenceBurstMs', env: 'PARLEY_PRESENCE_BURST_MS', flag: '--presence-burst-ms', default: '2000', help: 'while a burst of changes keeps --presence-burst-from devices or more waiting on one node (a team signing in), their batches come once in this window, the first change waiting too (0: never)' },
  { key: 'presenceBurstFrom', env: 'PARLEY_PRESENCE_BURST_FROM', flag: '--presence-burst-from', default: '1000', help: 'devices with a batch pending on one node from which it is a burst (see --presence-burst-ms)' },
  { key: 'unansweredCalls', env: 'PARLEY_UNANSWERED_CALLS', flag: '--unanswered-calls', default: '30', help: 'calls an account may place without an answer in 10 minutes (refused ones too); an answered call does not count' },
  { key: 'unansweredPerCallee', env: 'PARLEY_UNANSWERED_PER_CALLEE', flag: '--unanswered-per-callee', default: '10', help: 'the same, to one callee: ring-and-cancel in a loop stops here' },
  { key: 'historyDays', env: 'PARLEY_HISTORY_DAYS', flag: '--history-days', default: '365', help: 'days call history is kept; older calls are deleted in the background' },
  { key: 'voicemailDays', env: 'PARLEY_VOICEMAIL_DAYS', flag: '--voicemail-days', default: '30', help: 'days a voicemail message is kept; older ones are deleted in the background' },
  { key: 'voicemailMaxS', env: 'PARLEY_VOICEMAIL_MAX_S', flag: '--voicemail-max-s', default: '120', help: 'longest voicemail message in seconds (5-600)' },
  { key: 'voicemailCount', env: 'PARLEY_VOICEMAIL_COUNT', flag: '--voicemail-count', default: '50', help: 'most voicemail messages one user keeps at once (1-500); a caller is told the box is full before recording' },
  { key: 'voicemailMb', env: 'PARLEY_VOICEMAIL_MB', flag: '--voicemail-mb', default: '50', help: 'most megabytes of voicemail one user keeps at once' },
  { key: 'dbSync', env: 'PARLEY_DB_SYNC', flag: '--db-sync', default: 'normal', help: 'normal: a killed server loses no acknowledged write; full: neither does a power cut (an fsync per commit, slower)' },
  { key: 'mallocTrimMs', env: 'PARLEY_MALLOC_TRIM_MS', flag: '--malloc-trim-ms', default: '2000', help: "after a full garbage collection, memory freed outside JavaScript's heap goes back to the system, at most once in this many ms (0: never; Linux with glibc)" },
  { key: 'webRoot', env: 'PARLEY_WEB_ROOT', flag: '--web-root', help: 'folder of the built web client (index.html and assets/) to serve at /' },
  { key: 'nodeTimeoutMs', env: 'PARLEY_NODE_TIMEOUT_MS', flag: '--node-timeout-ms', default: '8000', help: 'with Redis: a node that has not renewed its heartbeat for this long is taken for dead and the others end its sessions (renewed four times as often); a node that could not reach Redis for this long closes the connections of its clients so they resume elsewhere' },
  { key: 'redisUrl', env: 'PARLEY_REDIS_URL', flag: '--redis-url', help: 'redis:// URL: share sessions, presence, calls and limits with other nodes (several nodes behind a load balancer)' },
  { key: 'publicUrl', env: 'PARLEY_PUBLIC_URL', flag: '--public-url', help: 'https://name users reach the server at: requests naming another host (Host header) are refused; unset, the check is on only while listening on loopback without a proxy' },
  { key: 'metricsToken', env: 'PARLEY_METRICS_TOKEN', flag: '--metrics-token', help: 'secret that /metrics asks for as "Authorization: Bearer <token>" (unset: /metrics is open, guard it at the proxy)' },
];

/** Settings whose value is never echoed in an error (secrets, or URLs that may hold a password). */
const SECRET_SETTINGS = new Set<keyof RawSettings>(['janusAdminKey', 'janusApiSecret', 'turnSecret', 'inviteCode', 'databaseUrl', 'redisUrl', 'metricsToken']);

/** The secret settings given as flags: visible to every user of the machine in `ps`. */
export function secretsOnCommandLine(flags: Partial<Record<keyof RawSettings, string>>): string[] {
  return SETTINGS.filter((s) => SECRET_SETTINGS.has(s.key) && flags[s.key] !== undefined).map((s) => `${s.flag} (use ${s.env} or ${s.env}_FILE)`);
}

/** Splits `--name value` / `--name=value` flags that name settings; returns the rest. */
export function extractSettingFlags(argv: readonly string[]): { flags: Partial<Record<keyof RawSettings, string>>; rest: string[] } {
  return splitFlags(argv, SETTINGS);
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** Reads, validates and cross-checks every setting. Throws ConfigError. */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  flags: Partial<Record<keyof RawSettings, string>> = {},
  overrides: Partial<Config> = {},
): Config {
  const raw: Record<string, string | undefined> = {};
  for (const s of SETTINGS) {
    const value = flags[s.key] ?? env[s.env] ?? (SECRET_SETTINGS.has(s.key) ? secretFromFile(s, env) : undefined);
    // A blank value (PARLEY_PORT= from an unset shell variable) means "not set", never 0.
    raw[s.key] = value === undefined || value.trim() === '' ? s.default : value;
  }
  const parsed = rawSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const setting = SETTINGS.find((s) => s.key === issue?.path[0]);
    const shown = setting ? raw[setting.key] : undefined;
    throw new ConfigError(
      `${setting ? `${setting.env} (${setting.flag})` : 'setting'}: ${issue?.message ?? 'invalid'}` +
        (shown !== undefined && setting && !SECRET_SETTINGS.has(setting.key) ? ` (got "${shown}")` : ''),
    );
  }
  const r = parsed.data;
  const registration = r.registration ?? (isLoopback(r.host) ? 'open' : 'closed');
  if (registration === 'invite' && !r.inviteCode) {
    throw new ConfigError('PARLEY_REGISTRATION (--registration): "invite" needs PARLEY_INVITE_CODE (--invite-code)');
  }
  if (Boolean(r.tlsCert) !== Boolean(r.tlsKey)) {
    throw new ConfigError('PARLEY_TLS_CERT (--tls-cert) and PARLEY_TLS_KEY (--tls-key) must be set together');
  }
  if (r.turnUrls.length > 0 && !r.turnSecret) {
    throw new ConfigError('PARLEY_TURN_URLS (--turn-urls): TURN needs PARLEY_TURN_SECRET (--turn-secret) for credentials');
  }
  if (Boolean(r.janusUrl?.length) !== Boolean(r.janusAdminKey)) {
    throw new ConfigError('PARLEY_JANUS_URL (--janus-url) and PARLEY_JANUS_ADMIN_KEY (--janus-admin-key) must be set together');
  }
  if (r.janusApiSecret && !r.janusUrl?.length) throw new ConfigError('PARLEY_JANUS_API_SECRET (--janus-api-secret) needs PARLEY_JANUS_URL (--janus-url)');
  const webRoot = r.webRoot === undefined ? undefined : path.resolve(r.webRoot);
  const webRootError = webRoot === undefined ? undefined : webRootProblem(webRoot);
  if (webRootError) throw new ConfigError(`PARLEY_WEB_ROOT (--web-root): ${webRootError}`);
  return {
    port: r.port,
    host: r.host,
    dataDir: path.resolve(r.dataDir),
    databaseUrl: r.databaseUrl,
    registration,
    inviteCode: r.inviteCode,
    ringTimeoutS: r.ringTimeoutS,
    callGraceS: r.callGraceS,
    meshLimit: r.meshLimit,
    dbSync: r.dbSync,
    mallocTrimMs: r.mallocTrimMs,
    stunUrls: r.stunUrls,
    turnUrls: r.turnUrls,
    turnSecret: r.turnSecret,
    turnTtlS: r.turnTtlS,
    sfu: r.janusUrl?.length && r.janusAdminKey ? { janusUrls: r.janusUrl, adminKey: r.janusAdminKey, ...(r.janusApiSecret && { apiSecret: r.janusApiSecret }) } : undefined,
    sfuFrom: r.sfuFrom,
    testCall: r.testCall,
    testCallMax: r.testCallMax,
    allowedOrigins: r.allowedOrigins,
    trustProxy: r.trustProxy,
    tls:
      r.tlsCert && r.tlsKey
        ? { cert: readPem(r.tlsCert, 'PARLEY_TLS_CERT (--tls-cert)'), key: readPem(r.tlsKey, 'PARLEY_TLS_KEY (--tls-key)') }
        : undefined,
    logLevel: r.logLevel,
    tokenTtlS: r.tokenTtlS,
    messageRate: r.messageRate,
    messageBurst: r.messageBurst,
    floodDisconnect: r.floodDisconnect,
    maxDevices: r.maxDevices,
    statusChanges: r.statusChanges,
    presenceWindowMs: r.presenceWindowMs,
    presenceBatchMs: r.presenceBatchMs,
    presenceBurstMs: r.presenceBurstMs,
    presenceBurstFrom: r.presenceBurstFrom,
    unansweredCalls: r.unansweredCalls,
    unansweredPerCallee: r.unansweredPerCallee,
    historyDays: r.historyDays,
    voicemailDays: r.voicemailDays,
    voicemailMaxS: r.voicemailMaxS,
    voicemailCount: r.voicemailCount,
    voicemailMb: r.voicemailMb,
    webRoot,
    redisUrl: r.redisUrl,
    nodeTimeoutMs: r.nodeTimeoutMs,
    publicUrl: r.publicUrl,
    metricsToken: r.metricsToken,
    ...overrides,
  };
}

/** Just the data dir, for admin commands that must not depend on serving settings. */
export function resolveDataDir(env: NodeJS.ProcessEnv, flags: Partial<Record<keyof RawSettings, string>> = {}): string {
  const value = flags.dataDir ?? env.PARLEY_DATA_DIR;
  return path.resolve(value === undefined || value.trim() === '' ? './parley-data' : value);
}

/** Where the store is, for admin commands: PostgreSQL when a URL is set, else the data dir's SQLite file. */
export function resolveStore(
  env: NodeJS.ProcessEnv,
  flags: Partial<Record<keyof RawSettings, string>> = {},
): { dataDir: string; databaseUrl: string | undefined } {
  const setting = SETTINGS.find((s) => s.key === 'databaseUrl');
  const value = flags.databaseUrl ?? env.PARLEY_DATABASE_URL ?? (setting && secretFromFile(setting, env));
  const databaseUrl = value === undefined || value.trim() === '' ? undefined : value;
  const parsed = rawSchema.shape.databaseUrl.safeParse(databaseUrl);
  if (!parsed.success) throw new ConfigError(`PARLEY_DATABASE_URL (--database-url): ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return { dataDir: resolveDataDir(env, flags), databaseUrl };
}

export function settingsHelp(): string {
  return helpOf(SETTINGS);
}
