/** What the denoiser's worklet posts once RNNoise is loaded (rnnoise.worklet.ts → denoiser.ts). */
export const DENOISER_READY = 'parley:denoiser-ready';

/** The name rnnoise.worklet.ts registers its processor under. */
export const RNNOISE_PROCESSOR = 'parley-rnnoise';

/** The processor's options: the WebAssembly, fetched by the page, and how many channels it denoises. */
export interface RnnoiseOptions {
  wasmBinary: ArrayBuffer;
  maxChannels: number;
}
