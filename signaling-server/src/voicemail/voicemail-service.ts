/**
 * The rules of voicemail: who may leave whom a message, how long and how
 * large, how many a caller may leave in a while and a callee keep, and who
 * hears of it. Refusals are HttpFailures whose message says why in words;
 * the routes (http/voicemail-routes.ts) only read requests and write answers.
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { User, UserRepository } from '../accounts/users.js';
import { HttpFailure } from '../http/http-failure.js';
import type { MakeLimiter } from '../limits.js';
import type { Logger } from '../logger.js';
import { GREETING_MAX_S, type VoicemailCheck, type VoicemailList, type VoicemailMessage, type VoicemailMime, type VoicemailSent, type UserRef } from '../protocol/index.js';
import { userRoom, type ParleyServer } from '../realtime/types.js';
import { AudioRefused, checkAudio, type CheckedAudio } from './audio-check.js';
import type { GreetingRepository } from './greetings.js';
import type { VoicemailMetrics } from './voicemail-metrics.js';
import type { MailboxLimits, StoredVoicemail, VoicemailRepository } from './voicemail-repository.js';

/** Messages one caller may leave in RATE_WINDOW_S, to anyone (every node counts together with Redis). */
export const MESSAGES_PER_WINDOW = 10;
export const RATE_WINDOW_S = 10 * 60;

/** Bytes allowed for `seconds` of audio: 128 kbit/s (a browser's default Opus rate) and 64 KiB of container. */
export const maxBytesFor = (seconds: number): number => seconds * 16_000 + 65_536;

/** A recorder stops a little after its limit: this much past it is still taken. */
const DURATION_SLACK_MS = 1000;

export interface VoicemailDeps {
  messages: VoicemailRepository;
  greetings: GreetingRepository;
  users: UserRepository;
  /** Made after the HTTP app (Socket.IO attaches to its server): asked when an event goes out. */
  io: () => ParleyServer;
  limiter: MakeLimiter;
  /** PARLEY_VOICEMAIL_MAX_S. */
  maxSeconds: number;
  mailbox: MailboxLimits;
  metrics: VoicemailMetrics;
  log: Logger;
}

const fmtSeconds = (s: number) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;

export class VoicemailService {
  private readonly rate: RateLimiterAbstract;

  constructor(private readonly deps: VoicemailDeps) {
    this.rate = deps.limiter({ keyPrefix: 'voicemail', points: MESSAGES_PER_WINDOW, duration: RATE_WINDOW_S });
  }

  get maxBytes(): number {
    return maxBytesFor(this.deps.maxSeconds);
  }

  /** Whether `caller` may leave `to` a message now; refused in words before anyone records. */
  async check(caller: User, to: string): Promise<VoicemailCheck> {
    const callee = await this.callee(caller, to);
    const spent = await this.rate.get(caller.username);
    if (spent && spent.remainingPoints <= 0) throw this.tooMany(spent.msBeforeNext);
    await this.roomFor(callee, 1);
    return { callee, maxSeconds: this.deps.maxSeconds, maxBytes: this.maxBytes, greeting: await this.deps.greetings.has(callee.username) };
  }

  /** Stores a message whole (or refuses it) and tells the callee's devices, on every node. */
  async leave(caller: User, to: string, bytes: Buffer): Promise<VoicemailSent> {
    const callee = await this.callee(caller, to);
    try {
      await this.rate.consume(caller.username);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw this.tooMany(err.msBeforeNext);
      throw err;
    }
    const audio = this.checked(bytes, this.deps.maxSeconds, this.maxBytes);
    const result = await this.deps.messages.store(
      { callee: callee.username, caller: caller.username, createdAt: Date.now(), durationMs: audio.durationMs, mime: audio.mime, audio: bytes },
      this.deps.mailbox,
    );
    if ('refused' in result) {
      if (result.refused === 'no_callee') throw new HttpFailure(404, 'not_found', `There is no account "${to}" to leave a message for`);
      this.deps.metrics.refused('mailbox_full');
      throw this.full(callee);
    }
    this.deps.metrics.stored();
    this.deps.log.info({ caller: caller.username, callee: callee.username, durationMs: audio.durationMs, size: bytes.length }, 'voicemail left');
    const message = toMessage(result.stored, { username: caller.username, displayName: caller.displayName });
    this.deps.io().to(userRoom(callee.username)).emit('voicemail:new', { message, unheard: await this.deps.messages.unheard(callee.username) });
    return { durationMs: audio.durationMs, size: bytes.length };
  }

  async list(user: User): Promise<VoicemailList> {
    const stored = await this.deps.messages.list(user.username);
    const refs = await this.deps.users.refs(stored.map((m) => m.caller));
    const messages = stored.map((m) => toMessage(m, refs.get(m.caller) ?? { username: m.caller, displayName: m.caller }));
    return { messages, unheard: messages.filter((m) => !m.heard).length };
  }

  async audio(user: User, id: string): Promise<{ mime: VoicemailMime; audio: Buffer }> {
    const found = await this.deps.messages.audio(user.username, id);
    if (!found) throw notFound();
    return found;
  }

  async markHeard(user: User, id: string): Promise<void> {
    if (!(await this.deps.messages.markHeard(user.username, id, Date.now()))) throw notFound();
    await this.tellUnheard(user.username);
  }

  async remove(user: User, id: string): Promise<void> {
    if (!(await this.deps.messages.remove(user.username, id))) throw notFound();
    await this.tellUnheard(user.username);
  }

  async setGreeting(user: User, bytes: Buffer): Promise<VoicemailSent> {
    const audio = this.checked(bytes, GREETING_MAX_S, maxBytesFor(GREETING_MAX_S));
    await this.deps.greetings.set(user.username, { ...audio, audio: bytes, at: Date.now() });
    return { durationMs: audio.durationMs, size: bytes.length };
  }

  async greeting(username: string): Promise<{ mime: VoicemailMime; audio: Buffer }> {
    const found = await this.deps.greetings.get(username);
    if (!found) throw new HttpFailure(404, 'not_found', 'No greeting recorded');
    return found;
  }

  async removeGreeting(user: User): Promise<void> {
    await this.deps.greetings.remove(user.username);
  }

  /** The account a message would be for: another user's, enabled. */
  private async callee(caller: User, to: string): Promise<UserRef> {
    if (to === caller.username) throw new HttpFailure(400, 'bad_request', 'You cannot leave yourself a message');
    const callee = await this.deps.users.find(to);
    if (!callee || callee.disabled) throw new HttpFailure(404, 'not_found', `There is no account "${to}" to leave a message for`);
    return { username: callee.username, displayName: callee.displayName };
  }

  /** Refuses when the callee's box has no room for `count` more messages. */
  private async roomFor(callee: UserRef, count: number): Promise<void> {
    const used = await this.deps.messages.usage(callee.username);
    if (used.count + count > this.deps.mailbox.count || used.bytes >= this.deps.mailbox.bytes) throw this.full(callee);
  }

  /** The bytes as checked audio, within a length and a size; refused in words otherwise. */
  private checked(bytes: Buffer, maxSeconds: number, maxBytes: number): CheckedAudio {
    if (bytes.length > maxBytes) throw this.refused(413, 'too_large', `The recording is larger than this server takes (${maxBytes} bytes)`);
    let audio: CheckedAudio;
    try {
      audio = checkAudio(bytes);
    } catch (err) {
      if (err instanceof AudioRefused) throw this.refused(415, 'invalid_audio', `The recording is not usable: ${err.message}`);
      throw err;
    }
    if (audio.durationMs > maxSeconds * 1000 + DURATION_SLACK_MS) {
      throw this.refused(413, 'too_long', `The recording is longer than ${fmtSeconds(maxSeconds)}, the longest this server takes`);
    }
    return audio;
  }

  private refused(status: number, code: 'too_large' | 'invalid_audio' | 'too_long', message: string): HttpFailure {
    this.deps.metrics.refused(code);
    return new HttpFailure(status, code, message);
  }

  private full(callee: UserRef): HttpFailure {
    return new HttpFailure(409, 'mailbox_full', `${callee.displayName}'s voicemail is full: they need to delete some messages first`);
  }

  private tooMany(msBeforeNext: number): HttpFailure {
    return new HttpFailure(429, 'rate_limited', 'You have left too many messages in a short time: wait a few minutes', msBeforeNext);
  }

  private async tellUnheard(username: string): Promise<void> {
    this.deps.io().to(userRoom(username)).emit('voicemail:unheard', { unheard: await this.deps.messages.unheard(username) });
  }
}

const notFound = () => new HttpFailure(404, 'not_found', 'No such message');

function toMessage(m: StoredVoicemail, from: UserRef): VoicemailMessage {
  return { id: m.id, from, at: m.createdAt, durationMs: m.durationMs, size: m.size, mime: m.mime, heard: m.heard };
}
