/**
 * The voice's packets with more earlier frames once the path loses packets
 * (red-depth.ts says when, red-blocks.ts how): one call's audio sender with
 * the encoded transform that adds them, fed the loss the peer reports.
 *
 * Chromium runs an encoded transform only when it is set before the sender's
 * first negotiation, and one whose worker never runs lets no audio through.
 * So each call takes a worker that has already said it runs
 * (`warmRedundancy` starts the first, and each call that takes one starts
 * the next); without one the call keeps the browser's one copy, as it does
 * where RTCRtpScriptTransform is missing.
 *
 * On in every 1:1 and mesh call (browser-platform.ts). The worker costs a
 * thread per call, about a point of a core per end (bench:client --threads)
 * and 0.7 KB of the build; the calls bench:client saw end early with it were the callee's microphone sender left unfed
 * (microphone-sender.ts mends it), and none of ten saturated video calls
 * did with both (bench/results/NOTES.md).
 */
import type { SenderRedundancy } from './microphone-sender.js';
import { THIN_PATH, type RedDepthMessage } from './red-depth.js';
import redWorker from './red-depth.worker.ts?worker&url';

/** A worker that said it runs, for the next call's transform. */
let spare: Worker | null = null;
let starting = false;

/**
 * Starts the worker the next call will take (its script loads off the main
 * thread, before anyone dials). One whose script cannot load (a web page left
 * open across a server update) never says it runs: calls keep the browser's
 * one copy.
 */
export function warmRedundancy(): void {
  if (spare || starting || typeof RTCRtpScriptTransform !== 'function') return;
  starting = true;
  const worker = new Worker(redWorker, { type: 'module' });
  // Its one message: it runs.
  worker.onmessage = () => {
    worker.onmessage = null;
    spare = worker;
    starting = false;
  };
}

/** One call's audio sender, with its transform when a running worker was there to take. */
export class AudioRedundancy implements SenderRedundancy {
  readonly #worker: Worker | null = spare;
  #thin = false;

  /** Call before the sender's first negotiation. */
  constructor(sender: RTCRtpSender) {
    spare = null;
    if (!this.#worker) return;
    warmRedundancy();
    // A sender not negotiated yet takes any transform not in use.
    sender.transform = new RTCRtpScriptTransform(this.#worker);
  }

  /** The loss the peer last reported on this side's audio, in percent (null before its first report). */
  read(lossPct: number | null): void {
    this.#post(this.#thin ? THIN_PATH : (lossPct ?? 0));
  }

  /** The camera paused for a path too thin for it, or resumed. */
  thinPath(thin: boolean): void {
    this.#thin = thin;
    if (thin) this.#post(THIN_PATH);
  }

  dispose(): void {
    this.#worker?.terminate();
  }

  #post(reading: RedDepthMessage): void {
    this.#worker?.postMessage(reading);
  }
}
