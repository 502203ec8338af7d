/**
 * The renderer's preferences: its audio settings (devices, the camera too,
 * processing, ringtone volume, push-to-talk) and the favorite contacts. In the desktop app the main
 * process keeps them in its settings file (`preferences:get` /
 * `preferences:set`), which it writes atomically; in a browser the renderer
 * keeps them in localStorage. Pure TypeScript: no electron, no DOM, no node.
 */
import { z } from 'zod/mini';
import { pushToTalkKeySchema } from './push-to-talk.js';

const deviceId = z.string().check(z.maxLength(256));

/**
 * How the microphone's background noise is removed: 'auto' (the default)
 * starts with the browser's own and turns RNNoise on in a call whose room
 * is noisy (media/noise-floor.ts); 'strong' runs RNNoise
 * (a small neural network, in WebAssembly) on the sound, falling back to the
 * browser's own where it cannot run; 'browser' is the browser's own (lighter:
 * it lowers steady hiss, less so fans and hum); 'off' sends the sound as the
 * microphone gives it.
 */
export const NOISE_SUPPRESSION_LEVELS = ['auto', 'strong', 'browser', 'off'] as const;
export type NoiseSuppression = (typeof NOISE_SUPPRESSION_LEVELS)[number];
const noiseSuppression = z.enum(NOISE_SUPPRESSION_LEVELS);

/** Before the levels it was a checkbox: on (the default) becomes the new default, off stays off. */
const storedNoiseSuppression = z.pipe(
  z.union([noiseSuppression, z.boolean()]),
  z.transform((value): NoiseSuppression => (value === true ? 'auto' : value === false ? 'off' : value)),
);

const audioFields = {
  /** The largest file sent or received in a call's chat, in MB (MiB); the receiver holds it in memory. */
  fileLimitMB: z.int().check(z.gte(1), z.lte(1024)),
  /**
   * Files offered in a call at or below this size (MB) are taken without
   * asking; any larger waits for the user to accept it. 0: every file waits.
   */
  fileAutoAcceptMB: z.int().check(z.gte(0), z.lte(1024)),
  /** '' = the system default. */
  microphoneId: deviceId,
  speakerId: deviceId,
  ringtoneId: deviceId,
  cameraId: deviceId,
  echoCancellation: z.boolean(),
  noiseSuppression,
  autoGainControl: z.boolean(),
  /** 0..1 */
  ringtoneVolume: z.number().check(z.minimum(0), z.maximum(1)),
  /** In calls the microphone is closed unless the push-to-talk key is held (only once a key is chosen). */
  pushToTalk: z.boolean(),
  /** The key held to talk, as KeyboardEvent.code (push-to-talk.ts); null until one is chosen. */
  pushToTalkKey: z.nullable(pushToTalkKeySchema),
  /** A call that comes while in a call is declined as busy at once, instead of waiting (call-waiting.svelte.ts). */
  busyInCall: z.boolean(),
  /** A call this user transfers that its target does not answer comes back to them, or ends (transfer.svelte.ts). */
  transferUnanswered: z.enum(['return', 'end']),
  /**
   * A call ringing on this device alone connects before it is answered, so the
   * answer only starts the audio; the caller's app learns this device's network
   * addresses before the answer (call-session.ts, PROTOCOL.md).
   */
  connectWhileRinging: z.boolean(),
};

/** The audio settings, every key and nothing else (what `preferences:set` takes). */
export const audioSettingsSchema = z.strictObject(audioFields);
export type AudioSettings = z.infer<typeof audioSettingsSchema>;

export const DEFAULT_AUDIO_SETTINGS: AudioSettings = {
  fileLimitMB: 100,
  fileAutoAcceptMB: 0,
  microphoneId: '',
  speakerId: '',
  ringtoneId: '',
  cameraId: '',
  echoCancellation: true,
  noiseSuppression: 'auto',
  autoGainControl: true,
  ringtoneVolume: 0.6,
  pushToTalk: false,
  pushToTalkKey: null,
  busyInCall: false,
  transferUnanswered: 'return',
  connectWhileRinging: true,
};

/**
 * Audio settings as stored by an older or newer version: missing keys are the
 * defaults, unknown keys are dropped, a key a newer version knows and this
 * one does not is forgotten (rather than the whole file refused), and values
 * of an older shape are read as what they meant (noise suppression's boolean).
 */
export const storedAudioSettingsSchema = z.pipe(
  z.partial(z.object({ ...audioFields, pushToTalkKey: z.catch(audioFields.pushToTalkKey, null), noiseSuppression: storedNoiseSuppression })),
  z.transform((stored): AudioSettings => ({ ...DEFAULT_AUDIO_SETTINGS, ...stored })),
);

/** Usernames pinned to the top of the contacts (and the tray's Call menu). */
export const favoritesSchema = z.array(z.string().check(z.minLength(1), z.maxLength(32))).check(z.maxLength(1000));

export const preferencesSchema = z.strictObject({ audio: audioSettingsSchema, favorites: favoritesSchema });
export type Preferences = z.infer<typeof preferencesSchema>;

export const DEFAULT_PREFERENCES: Preferences = { audio: DEFAULT_AUDIO_SETTINGS, favorites: [] };

/** What `preferences:set` takes: the parts to replace, each whole. */
export const preferencesPatchSchema = z.strictObject({ audio: z.optional(audioSettingsSchema), favorites: z.optional(favoritesSchema) });
export type PreferencesPatch = z.infer<typeof preferencesPatchSchema>;
