/** User settings of the renderer: devices, audio processing, ringtone. */
import { z } from 'zod/mini';
import { readPersisted, writePersisted } from './persisted.js';

export const settingsSchema = z.object({
  microphoneId: z._default(z.string().check(z.maxLength(256)), ''),
  speakerId: z._default(z.string().check(z.maxLength(256)), ''),
  ringtoneId: z._default(z.string().check(z.maxLength(256)), ''),
  echoCancellation: z._default(z.boolean(), true),
  noiseSuppression: z._default(z.boolean(), true),
  autoGainControl: z._default(z.boolean(), true),
  /** 0..1 */
  ringtoneVolume: z._default(z.number().check(z.minimum(0), z.maximum(1)), 0.6),
});
export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = settingsSchema.parse({});

const KEY = 'parley.settings.v1';

export const loadSettings = (): Settings => readPersisted(KEY, settingsSchema, DEFAULT_SETTINGS);
export const saveSettings = (s: Settings): void => writePersisted(KEY, s);

const FAVORITES_KEY = 'parley.favorites.v1';
const favoritesSchema = z.array(z.string().check(z.maxLength(32))).check(z.maxLength(1000));

export const loadFavorites = (): Set<string> => new Set(readPersisted(FAVORITES_KEY, favoritesSchema, []));
export const saveFavorites = (f: ReadonlySet<string>): void => writePersisted(FAVORITES_KEY, [...f]);

/** getUserMedia constraints for the microphone as set. */
export function microphoneConstraints(s: Settings): MediaTrackConstraints {
  return {
    ...(s.microphoneId ? { deviceId: { exact: s.microphoneId } } : {}),
    echoCancellation: s.echoCancellation,
    noiseSuppression: s.noiseSuppression,
    autoGainControl: s.autoGainControl,
  };
}

export type DeviceSetting = 'microphoneId' | 'speakerId' | 'ringtoneId';

const DEVICE_WORDS: Record<DeviceSetting, string> = {
  microphoneId: 'microphone',
  speakerId: 'speaker',
  ringtoneId: 'ringtone device',
};

/**
 * Chosen devices that are no longer plugged in fall back to the system
 * default ('' ), with words for telling the user. Nothing is dropped while
 * the device list is still unknown (empty).
 */
export function missingDevices(
  s: Settings,
  available: { inputs: readonly string[]; outputs: readonly string[] },
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
  return { patch, lost };
}
