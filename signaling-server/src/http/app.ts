/**
 * The HTTP side: sign-up, sign-in and sign-out, the contact list, health and metrics. JSON in, JSON out,
 * errors as `{ code, message }` with a fitting status. With a web root, also
 * the web client at `/` (see web-root.ts).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { SignOuts } from '../auth/sign-outs.js';
import type { TokenService } from '../auth/tokens.js';
import { WeakPasswordError } from '../accounts/password-policy.js';
import { DisplayNameTakenError, UsernameTakenError, type User, type UserRepository } from '../accounts/users.js';
import type { Registration } from '../config.js';
import { memoryLimiter, type MakeLimiter } from '../limits.js';
import { unavailableMessage } from '../db/store-errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import {
  describeIssues,
  loginRequestSchema,
  PROTOCOL_VERSION,
  USERNAME_PATTERN,
  registerRequestSchema,
  type HttpError,
  type LoginResponse,
  type ServerInfo,
  type Status,
} from '../protocol/index.js';
import { directoryRoute } from './directory-route.js';
import { FORBIDDEN_HOST_MESSAGE, hostAllowed, type HostPolicy } from './hosts.js';
import { HttpFailure } from './http-failure.js';
import { logoutHandler, LogoutRefused } from './logout.js';
import { originAllowed } from './origins.js';
import { voicemailRoutes } from './voicemail-routes.js';
import { withinLimit } from './http-limit.js';
import { webRoot } from './web-root.js';
import type { VoicemailService } from '../voicemail/voicemail-service.js';

export interface HttpDeps {
  version: string;
  registration: Registration;
  inviteCode: string | undefined;
  allowedOrigins: readonly string[];
  /** Express "trust proxy" value: whose X-Forwarded-For to believe for the client IP. */
  trustProxy: string[];
  users: UserRepository;
  tokens: TokenService;
  signOuts: SignOuts;
  throttle: LoginThrottle;
  metrics: Metrics;
  log: Logger;
  /** Backing stores /healthz asks: each check resolves when its store answers. */
  healthChecks: HealthCheck[];
  /** Where the per-IP registration limit counts (shared between nodes with Redis). */
  limiter?: MakeLimiter;
  sessions: () => number;
  /** Folder of the built web client to serve at `/` (absolute, checked by loadConfig). */
  webRoot?: string | undefined;
  /** Names accepted in Host (hosts.ts); undefined: any. */
  hosts?: HostPolicy;
  /** When set, /metrics answers only `Authorization: Bearer <this>`. */
  metricsToken?: string | undefined;
  /** This server terminates TLS itself (PARLEY_TLS_CERT): every answer carries Strict-Transport-Security. */
  tls?: boolean;
  /** Voicemail's rules; the /api/voicemail routes exist with it. */
  voicemail?: VoicemailService;
  /** Users' statuses over all their devices, for GET /api/directory. */
  statuses(usernames: readonly string[]): Promise<Status[]>;
}

/** Two years, subdomains left alone (they may be other services): as deploy/nginx/parley.conf sends it. */
const HSTS = 'max-age=63072000';

export interface HealthCheck {
  /** Named in the /healthz answer when it fails (e.g. "database"). */
  name: string;
  check: () => Promise<void>;
}

/** A store that has not answered by then counts as down: a load balancer must not wait on a hung one. */
const HEALTH_TIMEOUT_MS = 3000;

function withinHealthTimeout(check: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS);
  });
  return Promise.race([check(), timeout]).finally(() => clearTimeout(timer));
}

const sameSecret = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

/** Wrong invite codes an IP may try per window (PROTOCOL.md and docs/self-hosting.md say so too). */
export const INVITE_TRIES = 5;
export const INVITE_WINDOW_S = 15 * 60;

const bearerIs = (header: string | undefined, token: string): boolean =>
  header !== undefined && /^Bearer /i.test(header) && sameSecret(header.slice('Bearer '.length).trim(), token);

const clientIp = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';

export function createHttpApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // /metrics/ and /METRICS are not /metrics: a proxy rule written for one
  // exact path must not be walked around by a variant the router accepts.
  app.set('strict routing', true);
  app.set('case sensitive routing', true);
  if (deps.trustProxy.length > 0) app.set('trust proxy', deps.trustProxy);
  const startedAt = Date.now();
  // New accounts per IP: enough for a team's first morning, not for a bot.
  const registrations = (deps.limiter ?? memoryLimiter)({ keyPrefix: 'register', points: 20, duration: 3600 });
  // Invite codes tried per IP: room for typos, none for guessing.
  const inviteTries = (deps.limiter ?? memoryLimiter)({ keyPrefix: 'invite', points: INVITE_TRIES, duration: INVITE_WINDOW_S });

  /** A try is taken before the code is compared (atomically, so parallel guesses get no more) and given back when it was right. */
  const checkInvite = async (code: string | undefined, ip: string): Promise<void> => {
    if (!code) throw new HttpFailure(403, 'invalid_invite', 'The invite code is missing or wrong');
    await withinLimit(inviteTries, ip, 'Too many wrong invite codes from here: wait and try again');
    if (deps.inviteCode && sameSecret(code, deps.inviteCode)) await inviteTries.reward(ip, 1);
    else throw new HttpFailure(403, 'invalid_invite', 'The invite code is missing or wrong');
  };

  if (deps.tls) {
    app.use((_req, res, next) => {
      res.setHeader('Strict-Transport-Security', HSTS);
      next();
    });
  }
  // The raw Host header, never req.hostname (which a trusted proxy's X-Forwarded-Host would set).
  app.use((req, _res, next) => {
    if (!hostAllowed(req.headers.host, deps.hosts)) next(new HttpFailure(421, 'forbidden_host', FORBIDDEN_HOST_MESSAGE));
    else next();
  });
  app.use((req, _res, next) => {
    if (!originAllowed(req.headers.origin, req.headers.host, deps.allowedOrigins)) {
      next(new HttpFailure(403, 'forbidden_origin', 'Origin not allowed: add it to PARLEY_ALLOWED_ORIGINS'));
    } else next();
  });
  app.use(cors({ origin: true, methods: ['GET', 'POST', 'PUT', 'DELETE'], maxAge: 600 }));
  app.use(express.json({ limit: '16kb' }));

  // 200 while every backing store answers; otherwise 503 naming those that do not.
  app.get('/healthz', async (_req, res) => {
    const results = await Promise.allSettled(deps.healthChecks.map((h) => withinHealthTimeout(h.check)));
    const down = deps.healthChecks.filter((_, i) => results[i]?.status === 'rejected').map((h) => h.name);
    if (down.length === 0) {
      res.json({ status: 'ok', version: deps.version, uptimeS: Math.round((Date.now() - startedAt) / 1000), sessions: deps.sessions() });
      return;
    }
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : []));
    deps.log.warn({ down, errors }, 'health check failed');
    res.status(503).json({ status: 'error', down, message: `unreachable: ${down.join(', ')}` });
  });

  app.get('/metrics', async (req, res) => {
    if (deps.metricsToken !== undefined && !bearerIs(req.headers.authorization, deps.metricsToken)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new HttpFailure(401, 'unauthorized', 'Metrics need "Authorization: Bearer" with PARLEY_METRICS_TOKEN');
    }
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  app.get('/api/info', (_req, res) => {
    const info: ServerInfo = { name: 'parley-server', version: deps.version, protocol: PROTOCOL_VERSION, registration: deps.registration };
    res.json(info);
  });

  const signedIn = async (user: User): Promise<LoginResponse> => {
    const { token, expiresAt } = await deps.tokens.issue({ userId: user.id, username: user.username, version: user.tokenVersion });
    return { token, expiresAt, user: { username: user.username, displayName: user.displayName } };
  };

  app.post('/api/register', async (req, res) => {
    const parsed = registerRequestSchema.safeParse(req.body);
    if (!parsed.success) throw new HttpFailure(400, 'bad_request', describeIssues(parsed.error));
    const { username, password, displayName, inviteCode } = parsed.data;
    if (deps.registration === 'closed') {
      throw new HttpFailure(403, 'registration_closed', 'This server does not accept new accounts: ask your admin');
    }
    if (deps.registration === 'invite') await checkInvite(inviteCode, clientIp(req));
    await withinLimit(registrations, clientIp(req), 'Too many new accounts from here');
    try {
      const user = await deps.users.create({ username, password, displayName });
      deps.log.info({ username }, 'account registered');
      res.status(201).json(await signedIn(user));
    } catch (err) {
      if (err instanceof UsernameTakenError) throw new HttpFailure(409, 'username_taken', `The username "${username}" is taken`);
      if (err instanceof DisplayNameTakenError) throw new HttpFailure(409, 'display_name_taken', err.message);
      if (err instanceof WeakPasswordError) throw new HttpFailure(400, 'weak_password', err.message);
      throw err;
    }
  });

  app.post('/api/login', async (req, res) => {
    const parsed = loginRequestSchema.safeParse(req.body);
    if (!parsed.success) throw new HttpFailure(400, 'bad_request', describeIssues(parsed.error));
    const { username, password } = parsed.data;
    const ip = clientIp(req);
    // Reserved before the password is checked, so parallel guesses get no more checks than sequential ones.
    const attempt = await deps.throttle.reserve(username, ip);
    if (!attempt.ok) throw new HttpFailure(429, 'rate_limited', 'Too many failed sign-ins: wait and try again', attempt.retryAfterMs);
    let user: User | undefined;
    try {
      user = await deps.users.verify(username, password);
    } catch (err) {
      await attempt.abandoned();
      throw err;
    }
    if (!user) {
      await attempt.failed();
      deps.log.warn({ username: USERNAME_PATTERN.test(username) ? username : '[not a username]', ip }, 'sign-in failed');
      throw new HttpFailure(401, 'invalid_credentials', 'Wrong username or password');
    }
    await attempt.succeeded();
    if (user.disabled) throw new HttpFailure(403, 'account_disabled', 'This account is disabled: ask your admin');
    res.json(await signedIn(user));
  });

  app.post('/api/logout', logoutHandler(deps));
  app.get('/api/directory', ...directoryRoute(deps));
  if (deps.voicemail) app.use('/api/voicemail', voicemailRoutes({ voicemail: deps.voicemail, tokens: deps.tokens, users: deps.users, limiter: deps.limiter ?? memoryLimiter }));

  app.use('/api', (_req, _res, next) => next(new HttpFailure(404, 'not_found', 'No such API endpoint')));

  // After every server route, so the web client can never shadow one.
  if (deps.webRoot) app.use(webRoot(deps.webRoot));

  // Anything else: a JSON 404, not counted as a refusal (browsers ask for
  // /favicon.ico, scanners for everything).
  app.use((_req, res) => {
    const body: HttpError = { code: 'not_found', message: 'Not found' };
    res.status(404).json(body);
  });

  // Express 5 passes rejected async handlers here.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const unavailable = unavailableMessage(err);
    let failure: HttpFailure;
    if (err instanceof HttpFailure) failure = err;
    else if (err instanceof LogoutRefused) failure = new HttpFailure(401, 'unauthorized', err.message);
    else if (isBodyError(err)) {
      failure =
        err.type === 'entity.too.large'
          ? new HttpFailure(413, 'bad_request', 'Request body too large')
          : err.type === 'request.aborted'
            ? new HttpFailure(400, 'bad_request', 'The request was cut off before its end')
            : new HttpFailure(400, 'bad_request', 'Request body is not valid JSON');
    } else if (unavailable !== undefined) {
      deps.log.warn({ err: (err as Error).message }, 'request refused: a store is unreachable');
      failure = new HttpFailure(503, 'unavailable', unavailable);
    } else {
      deps.log.error({ err }, 'request failed');
      failure = new HttpFailure(500, 'internal', 'The server could not handle this request');
    }
    deps.metrics.rejected.inc({ code: failure.code });
    const body: HttpError = { code: failure.code, message: failure.message };
    if (failure.retryAfterMs !== undefined) {
      body.retryAfterMs = failure.retryAfterMs;
      res.setHeader('Retry-After', Math.ceil(failure.retryAfterMs / 1000));
    }
    res.status(failure.status).json(body);
  });

  return app;
}

function isBodyError(err: unknown): err is { type: string } {
  return typeof err === 'object' && err !== null && typeof (err as { type?: unknown }).type === 'string';
}
