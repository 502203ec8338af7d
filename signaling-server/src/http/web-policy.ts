/**
 * The Content-Security-Policy of the Parley web client, wherever it is
 * served from: this server's web root (PARLEY_WEB_ROOT) and the desktop app's
 * `app://parley` renderer. Exported as `parley-server/web-policy` so both use
 * one string. `connect-src` is wide on purpose: a client may sign in to any
 * Parley server, over http(s) and ws(s).
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
  "media-src 'self' blob: mediastream:; connect-src 'self' http: https: ws: wss:; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";
