/**
 * Which browser origins may talk to the server. Requests without an Origin
 * (native apps, curl) and from the server's own origin always may; others
 * only when listed in PARLEY_ALLOWED_ORIGINS (`*` for any). Used both for
 * HTTP (CORS plus refusal) and for Socket.IO's allowRequest, since CORS does
 * not cover WebSocket.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return true;
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
