/**
 * Voicemail over HTTP (PROTOCOL.md, "Voicemail"), every route with the
 * session's sign-in token (bearer-auth.ts). Audio goes up as the raw request
 * body, read whole into memory within its size limit before anything is
 * checked or stored, so an upload cut off midway stores nothing. Nothing
 * here may be kept by a proxy or a browser cache. Each user has a budget of
 * requests a minute for all of it, and of greeting uploads an hour, besides
 * the messages they may leave (voicemail-service.ts); every node counts
 * together with Redis.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { UserRepository } from '../accounts/users.js';
import type { TokenService } from '../auth/tokens.js';
import type { MakeLimiter } from '../limits.js';
import { GREETING_MAX_S, usernameSchema, voicemailIdSchema, type VoicemailMime } from '../protocol/index.js';
import { maxBytesFor, type VoicemailService } from '../voicemail/voicemail-service.js';
import { requireUser, signedInUser } from './bearer-auth.js';
import { HttpFailure } from './http-failure.js';
import { withinLimit } from './http-limit.js';

const EXTENSIONS: Record<VoicemailMime, string> = { 'audio/ogg': 'ogg', 'audio/webm': 'webm' };

/** The request body as bytes, at most `limit` of them (any declared type: the bytes are checked, not the label). */
function rawBody(limit: number) {
  const parse: RequestHandler = express.raw({ type: () => true, limit });
  return (req: Request, res: Response, next: NextFunction) =>
    parse(req, res, (err?: unknown) => {
      const type = (err as { type?: unknown } | undefined)?.type;
      if (type === 'entity.too.large') next(new HttpFailure(413, 'too_large', `The recording is larger than this server takes (${limit} bytes)`));
      else next(err);
    });
}

const bodyBytes = (req: Request): Buffer => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));

function param<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpFailure(404, 'not_found', `No such ${what}`);
  return parsed.data;
}

function sendAudio(res: Response, name: string, found: { mime: VoicemailMime; audio: Buffer }): void {
  res.setHeader('Content-Type', found.mime);
  res.setHeader('Content-Disposition', `inline; filename="${name}.${EXTENSIONS[found.mime]}"`);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.send(found.audio);
}

/** Voicemail requests a user may make a minute: an inbox played through, a message at a time, is a few dozen. */
export const VOICEMAIL_REQUESTS_PER_MINUTE = 120;
/** Greetings a user may upload an hour: each is a few hundred KB written to the store. */
export const GREETINGS_PER_HOUR = 20;

export function voicemailRoutes(deps: { voicemail: VoicemailService; tokens: TokenService; users: UserRepository; limiter: MakeLimiter }): Router {
  const { voicemail } = deps;
  const requests = deps.limiter({ keyPrefix: 'voicemail-http', points: VOICEMAIL_REQUESTS_PER_MINUTE, duration: 60 });
  const greetings = deps.limiter({ keyPrefix: 'voicemail-greeting', points: GREETINGS_PER_HOUR, duration: 3600 });
  const router = express.Router({ strict: true, caseSensitive: true });
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'private, no-store');
    next();
  });
  router.use(requireUser(deps));
  router.use(async (_req, res, next) => {
    await withinLimit(requests, signedInUser(res).username, 'Too many voicemail requests: wait a minute and try again');
    next();
  });

  router.get('/to/:username', async (req, res) => {
    res.json(await voicemail.check(signedInUser(res), param(usernameSchema, req.params.username, 'account')));
  });
  router.post('/to/:username', rawBody(voicemail.maxBytes), async (req, res) => {
    res.status(201).json(await voicemail.leave(signedInUser(res), param(usernameSchema, req.params.username, 'account'), bodyBytes(req)));
  });

  router.get('/messages', async (_req, res) => {
    res.json(await voicemail.list(signedInUser(res)));
  });
  router.get('/messages/:id', async (req, res) => {
    const id = param(voicemailIdSchema, req.params.id, 'message');
    sendAudio(res, `voicemail-${id}`, await voicemail.audio(signedInUser(res), id));
  });
  router.delete('/messages/:id', async (req, res) => {
    await voicemail.remove(signedInUser(res), param(voicemailIdSchema, req.params.id, 'message'));
    res.status(204).end();
  });
  router.post('/messages/:id/heard', async (req, res) => {
    await voicemail.markHeard(signedInUser(res), param(voicemailIdSchema, req.params.id, 'message'));
    res.status(204).end();
  });

  // The hour's budget is counted before the upload is read: a refused greeting costs no body.
  const greetingBudget: RequestHandler = async (_req, res, next) => {
    await withinLimit(greetings, signedInUser(res).username, 'Too many new greetings: wait and try again');
    next();
  };
  router.put('/greeting', greetingBudget, rawBody(maxBytesFor(GREETING_MAX_S)), async (req, res) => {
    res.json(await voicemail.setGreeting(signedInUser(res), bodyBytes(req)));
  });
  router.delete('/greeting', async (_req, res) => {
    await voicemail.removeGreeting(signedInUser(res));
    res.status(204).end();
  });
  router.get('/greeting/:username', async (req, res) => {
    const username = param(usernameSchema, req.params.username, 'account');
    sendAudio(res, `greeting-${username}`, await voicemail.greeting(username));
  });
  return router;
}
