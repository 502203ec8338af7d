/**
 * The one IPC contract between the main process, the preload and the
 * renderer. Channel names are `domain:verb`. Main validates every payload
 * with these schemas; the preload exposes each channel as a typed function
 * on `window.parley`. Pure TypeScript: no electron, no DOM, no node.
 */
import { z } from 'zod';

export const storedSessionSchema = z.strictObject({
  serverUrl: z.url({ protocol: /^https?$/ }).max(2048),
  token: z.string().min(1).max(4096),
  expiresAt: z.number().int().positive(),
  user: z.strictObject({
    username: z.string().min(2).max(32),
    displayName: z.string().min(1).max(64),
  }),
});
export type StoredSession = z.infer<typeof storedSessionSchema>;

export interface AppInfo {
  version: string;
  platform: 'linux' | 'darwin' | 'win32' | 'other';
  /** False when the OS offers no encryption for the stored token. */
  secureStorage: boolean;
}

/** Renderer → main requests (ipcRenderer.invoke / ipcMain.handle). */
export interface InvokeChannels {
  'app:info': () => Promise<AppInfo>;
  'session:load': () => Promise<StoredSession | null>;
  'session:save': (session: StoredSession) => Promise<void>;
  'session:clear': () => Promise<void>;
}

/** Payload schemas of each invoke channel, as a tuple of arguments. */
export const invokeSchemas = {
  'app:info': z.tuple([]),
  'session:load': z.tuple([]),
  'session:save': z.tuple([storedSessionSchema]),
  'session:clear': z.tuple([]),
} satisfies Record<keyof InvokeChannels, z.ZodType>;

export type InvokeChannel = keyof InvokeChannels;

/** Main → renderer events (webContents.send / ipcRenderer.on). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- desktop commands arrive with the desktop integration
export interface MainEvents {}

/** The API the preload exposes as `window.parley`. */
export interface ParleyDesktopApi {
  app: { info: InvokeChannels['app:info'] };
  session: {
    load: InvokeChannels['session:load'];
    save: InvokeChannels['session:save'];
    clear: InvokeChannels['session:clear'];
  };
}
