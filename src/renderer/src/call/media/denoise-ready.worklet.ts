/**
 * Runs in the denoiser's AudioWorklet, added before the RNNoise processor of
 * @sapphi-red/web-noise-suppressor (denoiser.ts). That processor loads its
 * WebAssembly after it is made, outputs silence until then and says nothing
 * if the load fails: a peer would hear nothing. Every processor registered
 * after this module is wrapped so that it posts DENOISER_READY once its
 * `processor` (the loaded RNNoise) is set, and passes the sound through
 * unchanged until then. The page waits for that message and falls back to
 * the browser's suppression without it.
 */
import { DENOISER_READY } from './denoise-message.js';

interface Processor {
  readonly port: MessagePort;
  process(inputs: Float32Array[][], outputs: Float32Array[][], parameters: Record<string, Float32Array>): boolean;
}
type ProcessorClass = new (options: unknown) => Processor;

const scope = globalThis as unknown as { registerProcessor: (name: string, processor: ProcessorClass) => void };
const register = scope.registerProcessor;

scope.registerProcessor = (name, Base) => {
  register(
    name,
    class extends Base {
      private loaded = false;

      constructor(options: unknown) {
        super(options);
        let inner: unknown;
        Object.defineProperty(this, 'processor', {
          configurable: true,
          get: () => inner,
          set: (value: unknown) => {
            inner = value;
            if (value === undefined || this.loaded) return;
            this.loaded = true;
            this.port.postMessage(DENOISER_READY);
          },
        });
      }

      override process(inputs: Float32Array[][], outputs: Float32Array[][], parameters: Record<string, Float32Array>): boolean {
        if (!this.loaded) {
          const input = inputs[0] ?? [];
          for (const [i, channel] of (outputs[0] ?? []).entries()) {
            const from = input[i];
            if (from) channel.set(from);
          }
        }
        return super.process(inputs, outputs, parameters);
      }
    },
  );
};
