/**
 * Which browser origins may talk to the server. Requests without an Origin
 * (native apps, curl), from the server's own origin and from the desktop
 * app's renderer (`app://parley`) always may; others only when listed in
 * PARLEY_ALLOWED_ORIGINS (`*` for any). Used both for HTTP (CORS plus
 * refusal) and for Socket.IO's allowRequest, since CORS does not cover
 * WebSocket.
 */

/**
 * The origin of the desktop app's renderer, loaded from its own `app://`
 * scheme. Allowing it is safe: a browser sets Origin itself and never lets
 * a web page claim a custom-scheme origin, so only the Parley app sends it;
 * a non-browser client can send any Origin it likes anyway (the check only
 * guards browsers); and the server authenticates with bearer tokens the
 * client passes explicitly, never with cookies, so there is no ambient
 * credential another origin could ride on.
 */
export const DESKTOP_APP_ORIGIN = 'app://parley';

export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return true;
  if (origin === DESKTOP_APP_ORIGIN) return true;
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
