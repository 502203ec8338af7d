/**
 * Leaving one message: ask the server first (it refuses in words before
 * anyone records: a full box, too many messages), play the callee's greeting
 * (their own, or the default naming them), record up to the server's limit,
 * then send it whole. Discard drops it; Re-record starts the recording over.
 */
import type { UserRef } from 'parley-server/protocol';
import { defaultGreetingWords, playGreeting, playTone } from './default-greeting.js';
import { Recording, type RecordingDeps } from './recording.svelte.js';
import { VoicemailError, type VoicemailApi } from './voicemail-api.js';

export type FlowStep =
  | { step: 'checking' }
  | { step: 'refused'; words: string }
  /** `words`: the default greeting's, shown while its tone plays; null while the callee's own plays. */
  | { step: 'greeting'; words: string | null }
  | { step: 'recording' }
  | { step: 'sending' }
  | { step: 'sent'; durationMs: number }
  | { step: 'failed'; words: string };

export interface FlowDeps extends RecordingDeps {
  api: VoicemailApi;
  callee: UserRef;
}

const MICROPHONE_REFUSED = 'Parley cannot use your microphone: allow it for Parley and try again.';

export class MessageFlow {
  step = $state.raw<FlowStep>({ step: 'checking' });
  /** The recording under way, once the greeting is over. */
  recording = $state.raw<Recording | null>(null);
  readonly #skip = new AbortController();
  #closed = false;

  readonly #deps: FlowDeps;

  constructor(deps: FlowDeps) {
    this.#deps = deps;
  }

  /** Read after an await: close() may have come meanwhile. */
  #gone(): boolean {
    return this.#closed;
  }

  get callee(): UserRef {
    return this.#deps.callee;
  }

  async begin(): Promise<void> {
    const { api, callee } = this.#deps;
    let check;
    let greeting: Blob | null = null;
    try {
      check = await api.check(callee.username);
      if (check.greeting) greeting = await api.greeting(callee.username);
    } catch (err) {
      this.step = { step: 'refused', words: err instanceof VoicemailError ? err.message : `A message cannot be left for ${callee.displayName} now.` };
      return;
    }
    this.recording = new Recording(this.#deps, check.maxSeconds * 1000);
    this.step = { step: 'greeting', words: greeting ? null : defaultGreetingWords(callee.displayName) };
    if (greeting) await playGreeting(greeting, this.#skip.signal);
    if (!this.#skip.signal.aborted) await playTone().catch(() => undefined);
    await this.#record();
  }

  /** Past the greeting to the recording at once. */
  skipGreeting(): void {
    this.#skip.abort();
  }

  async stopAndSend(): Promise<void> {
    const audio = await this.recording?.stop();
    if (!audio || this.#gone()) return;
    this.step = { step: 'sending' };
    try {
      const sent = await this.#deps.api.send(this.#deps.callee.username, audio);
      this.step = { step: 'sent', durationMs: sent.durationMs };
    } catch (err) {
      this.step = { step: 'failed', words: err instanceof VoicemailError ? err.message : 'The message could not be sent.' };
    }
  }

  async rerecord(): Promise<void> {
    this.recording?.discard();
    await this.#record();
  }

  /** Drops whatever was recorded; nothing is sent. */
  close(): void {
    this.#closed = true;
    this.#skip.abort();
    this.recording?.discard();
  }

  async #record(): Promise<void> {
    if (this.#gone() || !this.recording) return;
    try {
      await this.recording.start();
      // Closed while the microphone opened.
      if (this.#gone()) this.recording.discard();
      else this.step = { step: 'recording' };
    } catch {
      this.step = { step: 'failed', words: MICROPHONE_REFUSED };
    }
  }
}
