import { describe, expect, it } from 'vitest';
import type { Settings } from './settings.js';
import { cameraConstraints, DEFAULT_SETTINGS, microphoneConstraints, missingDevices, settingsSchema, suppressorFor } from './settings.js';

describe('settings', () => {
  it('falls back to the default device when a chosen one is unplugged, and names it', () => {
    const s = { ...DEFAULT_SETTINGS, microphoneId: 'usb-mic', speakerId: 'headset', ringtoneId: 'speakers' };
    expect(missingDevices(s, { inputs: ['usb-mic'], outputs: ['headset', 'speakers'] })).toEqual({ patch: {}, lost: [] });
    expect(missingDevices(s, { inputs: ['builtin'], outputs: ['speakers'] })).toEqual({
      patch: { microphoneId: '', speakerId: '' },
      lost: ['microphone', 'speaker'],
    });
  });

  it('falls back to the default camera when the chosen one is unplugged', () => {
    const s = { ...DEFAULT_SETTINGS, cameraId: 'usb-cam' };
    expect(missingDevices(s, { inputs: ['m'], outputs: ['o'], cameras: ['usb-cam'] }).lost).toEqual([]);
    expect(missingDevices(s, { inputs: ['m'], outputs: ['o'], cameras: ['builtin'] })).toEqual({ patch: { cameraId: '' }, lost: ['camera'] });
    // No camera list given: the camera is not judged.
    expect(missingDevices(s, { inputs: ['m'], outputs: ['o'] }).lost).toEqual([]);
  });

  it('asks for the chosen camera, or any', () => {
    expect(cameraConstraints({ ...DEFAULT_SETTINGS, cameraId: 'c1' })).toMatchObject({ deviceId: { exact: 'c1' } });
    expect(cameraConstraints(DEFAULT_SETTINGS)).not.toHaveProperty('deviceId');
  });

  it('drops nothing while the device list is not known yet', () => {
    const s = { ...DEFAULT_SETTINGS, microphoneId: 'usb-mic' };
    expect(missingDevices(s, { inputs: [], outputs: [] }).lost).toEqual([]);
  });

  it('asks for the chosen microphone and processing', () => {
    expect(microphoneConstraints({ ...DEFAULT_SETTINGS, microphoneId: 'm1', noiseSuppression: 'off' })).toEqual({
      deviceId: { exact: 'm1' },
      echoCancellation: true,
      noiseSuppression: false,
      autoGainControl: true,
    });
    expect(microphoneConstraints(DEFAULT_SETTINGS)).not.toHaveProperty('deviceId');
  });

  it("maps each noise suppression level to its suppressor, the browser's only where it is the one", () => {
    const at = (noiseSuppression: Settings['noiseSuppression']) => ({ ...DEFAULT_SETTINGS, noiseSuppression });
    expect(DEFAULT_SETTINGS.noiseSuppression).toBe('auto');
    expect(suppressorFor(at('auto'))).toBe('browser');
    expect(suppressorFor(at('strong'))).toBe('rnnoise');
    expect(suppressorFor(at('browser'))).toBe('browser');
    expect(suppressorFor(at('off'))).toBe('none');
    // RNNoise gets the raw sound; the browser's suppression is asked for when it is chosen, or stands in for RNNoise.
    expect(microphoneConstraints(at('strong')).noiseSuppression).toBe(false);
    expect(microphoneConstraints(at('browser')).noiseSuppression).toBe(true);
    expect(microphoneConstraints(at('off')).noiseSuppression).toBe(false);
    expect(microphoneConstraints(at('strong'), 'browser').noiseSuppression).toBe(true);
    // The other processing is as set, whatever the suppressor.
    expect(microphoneConstraints({ ...at('strong'), echoCancellation: false })).toMatchObject({ echoCancellation: false, autoGainControl: true });
  });

  it('reads the noise suppression checkbox of older versions as a level, and refuses an unknown level', () => {
    expect(settingsSchema.parse({ noiseSuppression: true }).noiseSuppression).toBe('auto');
    expect(settingsSchema.parse({ noiseSuppression: false }).noiseSuppression).toBe('off');
    expect(settingsSchema.parse({ noiseSuppression: 'browser' }).noiseSuppression).toBe('browser');
    expect(settingsSchema.parse({}).noiseSuppression).toBe('auto');
    expect(settingsSchema.safeParse({ noiseSuppression: 'max' }).success).toBe(false);
  });

  it('reads an old or partial settings object with defaults for what is missing', () => {
    expect(settingsSchema.parse({ ringtoneVolume: 0.2 })).toEqual({ ...DEFAULT_SETTINGS, ringtoneVolume: 0.2 });
    // Settings saved before there was video have no camera: the default camera.
    expect(settingsSchema.parse({ microphoneId: 'm1' }).cameraId).toBe('');
    expect(settingsSchema.safeParse({ ringtoneVolume: 7 }).success).toBe(false);
  });
});
