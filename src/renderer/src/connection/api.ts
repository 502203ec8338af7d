/** The server's HTTP API: sign-in, sign-up, server info, with errors a person can act on. */
import type { HttpError, LoginResponse, ServerInfo } from 'parley-server/protocol';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** "example.com:7070" → "http://example.com:7070", without a trailing slash. */
export function normalizeServerUrl(input: string): string {
  let text = input.trim();
  if (!/^https?:\/\//i.test(text)) text = `http://${text}`;
  const url = new URL(text);
  return url.origin;
}

/** "http://chat.example.com:7070" → "chat.example.com:7070", as a person names the server. */
export function serverHost(serverUrl: string): string {
  return URL.canParse(serverUrl) ? new URL(serverUrl).host : serverUrl;
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

export function login(serverUrl: string, username: string, password: string): Promise<LoginResponse> {
  return request<LoginResponse>(serverUrl, '/api/login', {
    method: 'POST',
    body: JSON.stringify({ username: username.trim().toLowerCase(), password }),
  });
}

export function register(
  serverUrl: string,
  input: { username: string; password: string; displayName: string; inviteCode?: string },
): Promise<LoginResponse> {
  const body = { ...input, username: input.username.trim().toLowerCase(), displayName: input.displayName.trim() };
  if (!body.inviteCode) delete body.inviteCode;
  return request<LoginResponse>(serverUrl, '/api/register', { method: 'POST', body: JSON.stringify(body) });
}
