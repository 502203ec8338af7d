/**
 * Recording the call, with everyone's knowledge: this side records every
 * voice (and the stage's video when the call has video) to a WebM file with
 * MediaRecorder, only once the server has told everyone else in the call
 * (`call:recording`); it knows who else records, so the badge shows on
 * every side. The recording stops, and the file is saved, when the user
 * stops it or the call ends for this side (leaving, hanging up).
 */
import type { SignalingLink } from '../../connection/link.js';
import { logger } from '../../lib/log.js';
import type { Notices } from '../../lib/notices.svelte.js';
import { RecordingMix, type MixSource } from './recording-mix.js';
import { recordingFileName, recordingText } from './recording-text.js';

const log = logger('recording');

/** How often the mix follows who is in the call (joins, leaves, mute). */
const SYNC_MS = 500;

export interface RecordingDeps {
  link: SignalingLink;
  notices: Notices;
  /** The call's id; '' while there is none. */
  callId(): string;
  /** The call's name as shown, for the file name. */
  title(): string;
  /** The voices to mix now: this side's microphone and each peer's audio. */
  sources(): MixSource[];
  /** The stage's main video now (a shared screen, a camera), or null. */
  mainVideo(): MediaStream | null;
  /** A display name for a participant. */
  name(username: string): string;
  /** Puts the finished file where the user keeps it (a download, or the desktop app's save dialog). */
  save(file: Blob, name: string): Promise<void>;
}

interface Running {
  recorder: MediaRecorder;
  mix: RecordingMix;
  chunks: Blob[];
  timer: ReturnType<typeof setInterval>;
  name: string;
}

export class CallRecording {
  /** This side records. */
  recording = $state(false);
  /** The notice is on its way to the server: the button waits. */
  starting = $state(false);
  /** The others recording, by username, in the order they started. */
  others = $state<string[]>([]);
  #running: Running | null = null;

  readonly #deps: RecordingDeps;

  constructor(deps: RecordingDeps) {
    this.#deps = deps;
  }

  /** The badge's words, or null when nobody records. */
  get badge(): string | null {
    return recordingText(this.recording, this.others.map((u) => this.#deps.name(u)));
  }

  toggle(): Promise<void> {
    return this.recording ? this.stop() : this.start();
  }

  /** Tells everyone, then records. Nothing is recorded that the others were not told of. */
  async start(): Promise<void> {
    const callId = this.#deps.callId();
    if (this.recording || this.starting || !callId) return;
    if (typeof MediaRecorder === 'undefined') {
      this.#deps.notices.show('This browser cannot record calls.', 'call');
      return;
    }
    if (!this.#deps.link.connected) {
      this.#deps.notices.show('Recording needs the connection to the server, so that everyone in the call is told. Try again when it is back.', 'call');
      return;
    }
    this.starting = true;
    try {
      const res = await this.#deps.link.request('call:recording', { callId, on: true });
      if (!res.ok) {
        this.#deps.notices.show(`The call cannot be recorded: ${res.message}`, 'call');
        return;
      }
      if (this.#deps.callId() !== callId) return;
      this.#begin();
      this.#deps.notices.announce('Recording started. Everyone in the call is told.');
    } finally {
      this.starting = false;
    }
  }

  /** Stops recording, tells the others, and saves the file. */
  async stop(): Promise<void> {
    if (!this.recording) return;
    const callId = this.#deps.callId();
    const saved = this.#finish();
    if (callId && this.#deps.link.connected) void this.#deps.link.request('call:recording', { callId, on: false });
    this.#deps.notices.announce('Recording stopped.');
    await saved;
  }

  /** The call is live on the server again (resumed, or restored after a restart): it hears again that this side records. */
  resumed(): void {
    const callId = this.#deps.callId();
    if (this.recording && callId) void this.#deps.link.request('call:recording', { callId, on: true });
  }

  /** Someone else started or stopped recording (call:recording). */
  heard(username: string, on: boolean): void {
    const had = this.others.includes(username);
    if (on === had) return;
    this.others = on ? [...this.others, username] : this.others.filter((u) => u !== username);
    this.#deps.notices.announce(`${this.#deps.name(username)} ${on ? 'started' : 'stopped'} recording this call`);
  }

  /** Came into a call: who records it already (the server's answer). */
  told(usernames: readonly string[]): void {
    for (const username of usernames) this.heard(username, true);
  }

  /** Someone left the call: their recording went with them. */
  left(username: string): void {
    this.others = this.others.filter((u) => u !== username);
  }

  /** The call is over for this side: a recording going on stops and is saved (the server drops it with us). */
  reset(): void {
    this.others = [];
    void this.#finish();
  }

  #begin(): void {
    const mix = new RecordingMix();
    mix.sync(this.#deps.sources());
    const withVideo = this.#deps.mainVideo() !== null;
    const stream = mix.stream(withVideo, () => this.#deps.mainVideo());
    const mimeType = [withVideo ? 'video/webm;codecs=vp8,opus' : 'audio/webm;codecs=opus', withVideo ? 'video/webm' : 'audio/webm'].find((t) => MediaRecorder.isTypeSupported(t));
    const recorder = new MediaRecorder(stream, mimeType ? { mimeType } : {});
    const chunks: Blob[] = [];
    recorder.ondataavailable = (e) => {
      if (e.data.size > 0) chunks.push(e.data);
    };
    // Chunks every second: a long call is not held as one growing buffer inside the recorder.
    recorder.start(1000);
    const timer = setInterval(() => mix.sync(this.#deps.sources()), SYNC_MS);
    this.#running = { recorder, mix, chunks, timer, name: recordingFileName(this.#deps.title(), Date.now()) };
    this.recording = true;
    log.info('recording', mimeType ?? 'default type', withVideo ? 'with video' : 'audio only');
  }

  /** Stops the recorder and saves what it made; resolves once the file is handed over. */
  #finish(): Promise<void> {
    const running = this.#running;
    if (!running) return Promise.resolve();
    this.#running = null;
    this.recording = false;
    clearInterval(running.timer);
    const { recorder, chunks, mix, name } = running;
    return new Promise<void>((resolve) => {
      recorder.onstop = () => {
        mix.close();
        const file = new Blob(chunks, { type: recorder.mimeType || 'video/webm' });
        this.#deps
          .save(file, name)
          .catch((err: unknown) => {
            log.error('saving the recording failed', err);
            this.#deps.notices.show('The recording could not be saved.', 'call');
          })
          .finally(resolve);
      };
      if (recorder.state === 'inactive') recorder.onstop(new Event('stop'));
      else recorder.stop();
    });
  }
}
