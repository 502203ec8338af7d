/**
 * RNNoise in the denoiser's AudioWorklet (denoiser.ts). It runs the
 * WebAssembly of @sapphi-red/web-noise-suppressor directly: that package's
 * own worklet wraps it in Emscripten's debug glue (assertion messages, 11 KB
 * gzipped of the app's 180), while the module needs only three imports. The
 * framing is the package's: 128-sample render quanta through a ring of four
 * 480-sample RNNoise frames, with samples scaled to 16-bit values.
 *
 * Until the WebAssembly is running the sound passes through unchanged; then
 * DENOISER_READY is posted, which the page waits for (it falls back to the
 * browser's suppression without it: a silent failure here would leave the
 * peer hearing nothing).
 */
import { DENOISER_READY, RNNOISE_PROCESSOR, type RnnoiseOptions } from './denoise-message.js';

interface Rnnoise {
  readonly memory: WebAssembly.Memory;
  __wasm_call_ctors(): void;
  emscripten_stack_init(): void;
  rnnoise_create(model: number): number;
  rnnoise_destroy(state: number): void;
  rnnoise_process_frame(state: number, out: number, input: number): number;
  malloc(bytes: number): number;
  free(pointer: number): void;
}

interface WorkletScope {
  AudioWorkletProcessor: new (options: unknown) => { readonly port: MessagePort };
  registerProcessor(name: string, processor: new (options: { processorOptions: RnnoiseOptions }) => unknown): void;
}
const scope = globalThis as unknown as WorkletScope;

const FRAME = 480;
const QUANTUM = 128;
const RING = 1920;
/** RNNoise's frames complete when the ring's write position reaches these. */
const FRAME_DUE = new Set([128, 512, 1024, 1536]);
const PCM = 32767;

function scale(samples: Float32Array, by: number): void {
  for (let i = 0; i < samples.length; i++) samples[i] = (samples[i] ?? 0) * by;
}

async function instantiate(binary: ArrayBuffer): Promise<Rnnoise> {
  // The module's own memory, known once it is instantiated (its imports run only after that).
  let memory = new WebAssembly.Memory({ initial: 0 });
  const env = {
    emscripten_memcpy_big: (dest: number, src: number, n: number) => void new Uint8Array(memory.buffer).copyWithin(dest, src, src + n),
    emscripten_resize_heap: (size: number): number => {
      try {
        memory.grow(Math.ceil(((size >>> 0) - memory.buffer.byteLength) / 65536));
        return 1;
      } catch {
        return 0;
      }
    },
    __assert_fail: () => {
      throw new Error('RNNoise failed an assertion');
    },
  };
  const { instance } = await WebAssembly.instantiate(binary, { env });
  const rnnoise = instance.exports as unknown as Rnnoise;
  memory = rnnoise.memory;
  rnnoise.emscripten_stack_init();
  rnnoise.__wasm_call_ctors();
  return rnnoise;
}

/** One channel's RNNoise state, its buffers in the module's memory, and its ring. */
class Channel {
  readonly #state: number;
  readonly #input: number;
  readonly #output: number;
  readonly #ring = new Float32Array(RING);
  #written = 0;
  #framed = 960;

  readonly #rnnoise: Rnnoise;

  constructor(rnnoise: Rnnoise) {
    this.#rnnoise = rnnoise;
    this.#state = rnnoise.rnnoise_create(0);
    this.#input = rnnoise.malloc(FRAME * 4);
    this.#output = rnnoise.malloc(FRAME * 4);
    if (!this.#state || !this.#input || !this.#output) throw new Error('RNNoise could not allocate its state');
  }

  process(input: Float32Array, output: Float32Array): void {
    this.#ring.set(input, this.#written);
    this.#written = (this.#written + QUANTUM) % RING;
    if (FRAME_DUE.has(this.#written)) {
      this.#framed = (this.#framed + FRAME) % RING;
      this.#denoise(this.#ring.subarray(this.#framed, this.#framed + FRAME));
    }
    const from = (this.#written + 1280) % RING;
    output.set(this.#ring.subarray(from, from + QUANTUM));
  }

  #denoise(frame: Float32Array): void {
    // The module's memory may have grown since the last frame: views are made afresh.
    const into = new Float32Array(this.#rnnoise.memory.buffer, this.#input, FRAME);
    into.set(frame);
    scale(into, PCM);
    this.#rnnoise.rnnoise_process_frame(this.#state, this.#output, this.#input);
    frame.set(new Float32Array(this.#rnnoise.memory.buffer, this.#output, FRAME));
    scale(frame, 1 / PCM);
  }

  destroy(): void {
    this.#rnnoise.rnnoise_destroy(this.#state);
    this.#rnnoise.free(this.#input);
    this.#rnnoise.free(this.#output);
  }
}

class RnnoiseProcessor extends scope.AudioWorkletProcessor {
  #channels: Channel[] | null = null;
  #destroyed = false;

  constructor(options: { processorOptions: RnnoiseOptions }) {
    super(options);
    const { wasmBinary, maxChannels } = options.processorOptions;
    this.port.onmessage = (e: MessageEvent) => {
      if (e.data === 'destroy') this.#destroy();
    };
    void instantiate(wasmBinary).then((rnnoise) => {
      if (this.#destroyed) return;
      this.#channels = Array.from({ length: maxChannels }, () => new Channel(rnnoise));
      this.port.postMessage(DENOISER_READY);
    });
  }

  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    if (this.#destroyed) return false;
    const input = inputs[0] ?? [];
    const output = outputs[0] ?? [];
    const n = Math.min(input.length, output.length);
    for (const [i, from] of input.slice(0, n).entries()) {
      const to = output[i] as Float32Array;
      const channel = this.#channels?.[i];
      if (channel) channel.process(from, to);
      else if (!this.#channels) to.set(from);
    }
    return true;
  }

  #destroy(): void {
    this.#destroyed = true;
    for (const c of this.#channels ?? []) c.destroy();
    this.#channels = null;
  }
}

scope.registerProcessor(RNNOISE_PROCESSOR, RnnoiseProcessor);
