/**
 * The app's own origin and the one check every security decision uses:
 * "is this URL ours?". Ours is `app://parley` (the built renderer served by
 * app-protocol.ts) and, only in an unpackaged dev run, the electron-vite dev
 * server's origin.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'parley';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The renderer's start page. */
export const APP_START_URL = `${APP_ORIGIN}/`;

/**
 * The origin of a URL as Chromium serializes it, or null. Node's URL gives
 * "null" for any scheme it does not know (such as app:), so for those the
 * origin is built from scheme, host and port, the way Chromium does for a
 * scheme registered as standard.
 */
export function originOf(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed.origin;
  if (parsed.protocol === `${APP_SCHEME}:`) {
    if (parsed.hostname === '' || parsed.username !== '' || parsed.password !== '') return null;
    return `${parsed.protocol}//${parsed.hostname.toLowerCase()}${parsed.port === '' ? '' : `:${parsed.port}`}`;
  }
  return null;
}

export interface TrustedOrigins {
  /** Every origin the app's own pages may load from, e.g. ['app://parley']. */
  readonly list: readonly string[];
  /** Whether the URL (or bare origin) belongs to the app. */
  isTrusted(url: string): boolean;
}

/** `devServerUrl` is ELECTRON_RENDERER_URL; pass it only when the app is not packaged. */
export function createTrustedOrigins(devServerUrl?: string): TrustedOrigins {
  const list = [APP_ORIGIN];
  const devOrigin = devServerUrl === undefined ? null : originOf(devServerUrl);
  if (devOrigin !== null) list.push(devOrigin);
  return {
    list,
    isTrusted(url) {
      const origin = originOf(url);
      return origin !== null && list.includes(origin);
    },
  };
}
