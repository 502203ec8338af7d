/**
 * The microphones of a real browser: getUserMedia, RNNoise loaded on first
 * use, Web Audio meters. One for the app, shared by calls and the Settings
 * test, so that the user is told once that strong suppression cannot run.
 */
import { LevelMeter } from './audio.js';
import { Microphones } from './microphone.js';

export const microphones = new Microphones({
  getUserMedia: (constraints) => navigator.mediaDevices.getUserMedia(constraints),
  // A chunk of its own: the first paint never waits for RNNoise, and a run without calls never loads it.
  startDenoiser: async () => (await import('./denoiser.js')).startDenoiser(),
  levelMeter: (stream) => new LevelMeter(stream),
});
