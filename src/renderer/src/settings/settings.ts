/**
 * User settings of the renderer: devices, audio processing, ringtone. Their
 * schema is shared (src/shared/preferences.ts) because the desktop app's main
 * process validates and stores them; preferences-store.ts keeps them.
 */
import type { AudioSettings } from '../../../shared/preferences.js';

export { DEFAULT_AUDIO_SETTINGS as DEFAULT_SETTINGS, storedAudioSettingsSchema as settingsSchema } from '../../../shared/preferences.js';
export type Settings = AudioSettings;

/** What removes a microphone's background noise: RNNoise on the sound, the browser's own processing, or nothing. */
export type Suppressor = 'rnnoise' | 'browser' | 'none';

/**
 * The suppressor the setting asks for when the microphone opens (where RNNoise cannot run, the browser's stands in:
 * media/microphone.ts). Auto opens with the browser's, and a call's line turns RNNoise on once the room is noisy.
 */
export function suppressorFor(s: Settings): Suppressor {
  switch (s.noiseSuppression) {
    case 'strong':
      return 'rnnoise';
    case 'auto':
    case 'browser':
      return 'browser';
    case 'off':
      return 'none';
  }
}

/**
 * getUserMedia constraints for the microphone as set. The browser's own noise
 * suppression is on only when it is the suppressor: RNNoise learned on noisy
 * speech as microphones give it, not on what another suppressor left.
 */
export function microphoneConstraints(s: Settings, suppressor: Suppressor = suppressorFor(s)): MediaTrackConstraints {
  return {
    ...(s.microphoneId ? { deviceId: { exact: s.microphoneId } } : {}),
    echoCancellation: s.echoCancellation,
    noiseSuppression: suppressor === 'browser',
    autoGainControl: s.autoGainControl,
  };
}

/** getUserMedia constraints for the camera as set. */
export function cameraConstraints(s: Settings): MediaTrackConstraints {
  return {
    ...(s.cameraId ? { deviceId: { exact: s.cameraId } } : {}),
    width: { ideal: 1280 },
    height: { ideal: 720 },
    frameRate: { ideal: 30 },
  };
}

export type DeviceSetting = 'microphoneId' | 'speakerId' | 'ringtoneId' | 'cameraId';

const DEVICE_WORDS: Record<DeviceSetting, string> = {
  microphoneId: 'microphone',
  speakerId: 'speaker',
  ringtoneId: 'ringtone device',
  cameraId: 'camera',
};

/**
 * Chosen devices that are no longer plugged in fall back to the system
 * default ('' ), with words for telling the user. Nothing is dropped while
 * the device list is still unknown (empty).
 */
export function missingDevices(
  s: Settings,
  available: { inputs: readonly string[]; outputs: readonly string[]; cameras?: readonly string[] },
): { patch: Partial<Settings>; lost: string[] } {
  const patch: Partial<Settings> = {};
  const lost: string[] = [];
  if (available.inputs.length === 0 && available.outputs.length === 0) return { patch, lost };
  const check = (key: DeviceSetting, list: readonly string[]) => {
    if (s[key] && !list.includes(s[key])) {
      patch[key] = '';
      lost.push(DEVICE_WORDS[key]);
    }
  };
  check('microphoneId', available.inputs);
  check('speakerId', available.outputs);
  check('ringtoneId', available.outputs);
  // Cameras are listed apart: a list that was not given is not checked.
  if (available.cameras) check('cameraId', available.cameras);
  return { patch, lost };
}
