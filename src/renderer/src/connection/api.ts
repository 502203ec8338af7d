/** The server's HTTP API: sign-in, sign-up, sign-out, server info, with errors a person can act on. */
import type { HttpError, LoginResponse, ServerInfo } from 'parley-server/protocol';
import { sendsPasswordInClear } from './server-address.js';

export { normalizeServerUrl } from './server-address.js';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** "http://chat.example.com:7070" → "chat.example.com:7070", as a person names the server. */
export function serverHost(serverUrl: string): string {
  return URL.canParse(serverUrl) ? new URL(serverUrl).host : serverUrl;
}

/** What the sign-in screen says above "Send my password unencrypted to this server". */
export function plainHttpWarning(serverUrl: string): string {
  return `${serverHost(serverUrl)} does not use https: your password would cross the network unencrypted, readable by anyone on the way.`;
}

/**
 * Refuses to send a password to a plain-http server that is not this
 * computer, unless the person chose to (`allowPlainHttp`).
 */
function checkTransport(serverUrl: string, allowPlainHttp: boolean): void {
  if (sendsPasswordInClear(serverUrl) && !allowPlainHttp) {
    throw new ApiError(`${plainHttpWarning(serverUrl)} Tick "Send my password unencrypted to this server" to sign in anyway.`, 'insecure_transport');
  }
}

async function request<T>(serverUrl: string, path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${serverUrl}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw new ApiError(`Cannot reach the server at ${serverUrl}. Check the address and your connection.`, 'unreachable');
  }
  const body = (await res.json().catch(() => null)) as (T & Partial<HttpError>) | null;
  if (!res.ok || body === null) {
    if (res.status === 429 && body?.retryAfterMs) {
      throw new ApiError(`${body.message ?? 'Too many attempts'} (${Math.ceil(body.retryAfterMs / 1000)} s)`, 'rate_limited');
    }
    throw new ApiError(body?.message ?? `The server answered ${res.status}`, body?.code ?? 'http_error');
  }
  return body;
}

export function serverInfo(serverUrl: string): Promise<ServerInfo> {
  return request<ServerInfo>(serverUrl, '/api/info');
}

export async function login(serverUrl: string, username: string, password: string, allowPlainHttp = false): Promise<LoginResponse> {
  checkTransport(serverUrl, allowPlainHttp);
  return request<LoginResponse>(serverUrl, '/api/login', {
    method: 'POST',
    body: JSON.stringify({ username: username.trim().toLowerCase(), password }),
  });
}

export async function register(
  serverUrl: string,
  input: { username: string; password: string; displayName: string; inviteCode?: string },
  allowPlainHttp = false,
): Promise<LoginResponse> {
  checkTransport(serverUrl, allowPlainHttp);
  const body = { ...input, username: input.username.trim().toLowerCase(), displayName: input.displayName.trim() };
  if (!body.inviteCode) delete body.inviteCode;
  return request<LoginResponse>(serverUrl, '/api/register', { method: 'POST', body: JSON.stringify(body) });
}

/** How long sign-out waits for the server: it completes on this computer whatever the answer. */
const LOGOUT_TIMEOUT_MS = 5000;

/**
 * Asks the server to revoke this device's sign-in (every token refreshed
 * from it). Best effort: false when the server could not be told (offline,
 * unreachable, refused); the token then dies at its expiry. Never throws.
 */
export async function logout(serverUrl: string, token: string): Promise<boolean> {
  try {
    const res = await fetch(`${serverUrl}/api/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(LOGOUT_TIMEOUT_MS),
    });
    return res.status === 204;
  } catch {
    return false;
  }
}
