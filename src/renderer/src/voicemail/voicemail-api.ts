/**
 * The server's voicemail endpoints (PROTOCOL.md, "Voicemail") with the
 * session's token. Every JSON answer is checked with the protocol's schemas
 * before use; a refusal becomes a VoicemailError whose message is the
 * server's sentence, for the person to read.
 */
import type { HttpError, VoicemailCheck, VoicemailList, VoicemailSent } from 'parley-server/protocol';
// The module itself, not the protocol's index: the first paint's file then builds only these schemas (electron.vite.config.ts).
import { voicemailCheckSchema, voicemailListSchema, voicemailSentSchema } from 'parley-server/protocol/voicemail';

export class VoicemailError extends Error {
  override name = 'VoicemailError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface VoicemailSession {
  serverUrl: string;
  token: string;
}

interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

/** Uploads of a few hundred kilobytes on a slow link take a while; a list or a check does not. */
const TIMEOUT_MS = { json: 15_000, upload: 120_000 } as const;

export class VoicemailApi {
  readonly #session: () => VoicemailSession | null;

  constructor(session: () => VoicemailSession | null) {
    this.#session = session;
  }

  check(username: string): Promise<VoicemailCheck> {
    return this.#json(`/to/${encodeURIComponent(username)}`, voicemailCheckSchema);
  }

  send(username: string, audio: Blob): Promise<VoicemailSent> {
    return this.#json(`/to/${encodeURIComponent(username)}`, voicemailSentSchema, { method: 'POST', body: audio, headers: { 'content-type': audio.type } }, TIMEOUT_MS.upload);
  }

  list(): Promise<VoicemailList> {
    return this.#json('/messages', voicemailListSchema);
  }

  async audio(id: string): Promise<Blob> {
    return (await this.#call(`/messages/${encodeURIComponent(id)}`)).blob();
  }

  async markHeard(id: string): Promise<void> {
    await this.#call(`/messages/${encodeURIComponent(id)}/heard`, { method: 'POST' });
  }

  async remove(id: string): Promise<void> {
    await this.#call(`/messages/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }

  /** Someone's greeting, or null when they recorded none. */
  async greeting(username: string): Promise<Blob | null> {
    try {
      return await (await this.#call(`/greeting/${encodeURIComponent(username)}`)).blob();
    } catch (err) {
      if (err instanceof VoicemailError && err.code === 'not_found') return null;
      throw err;
    }
  }

  setGreeting(audio: Blob): Promise<VoicemailSent> {
    return this.#json('/greeting', voicemailSentSchema, { method: 'PUT', body: audio, headers: { 'content-type': audio.type } }, TIMEOUT_MS.upload);
  }

  async removeGreeting(): Promise<void> {
    await this.#call('/greeting', { method: 'DELETE' });
  }

  async #json<T>(path: string, schema: Schema<T>, init: RequestInit = {}, timeoutMs: number = TIMEOUT_MS.json): Promise<T> {
    const res = await this.#call(path, init, timeoutMs);
    const parsed = schema.safeParse(await res.json().catch(() => null));
    if (!parsed.success) throw new VoicemailError('The server sent an answer this app does not understand.', 'internal');
    return parsed.data;
  }

  async #call(path: string, init: RequestInit = {}, timeoutMs: number = TIMEOUT_MS.json): Promise<Response> {
    const session = this.#session();
    if (!session) throw new VoicemailError('Sign in first.', 'unauthorized');
    let res: Response;
    try {
      res = await fetch(`${session.serverUrl}/api/voicemail${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${session.token}` },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      throw new VoicemailError('The server cannot be reached: check your connection and try again.', 'unreachable');
    }
    if (res.ok) return res;
    const body = (await res.json().catch(() => null)) as Partial<HttpError> | null;
    const message = typeof body?.message === 'string' ? body.message : `The server answered ${res.status}.`;
    throw new VoicemailError(message, typeof body?.code === 'string' ? body.code : 'http_error');
  }
}
