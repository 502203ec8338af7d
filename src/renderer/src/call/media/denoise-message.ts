/** What the denoiser's worklet posts once RNNoise is loaded (denoise-ready.worklet.ts → denoiser.ts). */
export const DENOISER_READY = 'parley:denoiser-ready';
