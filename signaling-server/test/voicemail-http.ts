/** The voicemail HTTP API as a signed-in app calls it (PROTOCOL.md, "Voicemail"), for the voicemail tests. */
import type { VoicemailCheck, VoicemailList } from '../src/protocol/index.js';

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
  bytes: Buffer;
}

async function call<T>(url: string, token: string | undefined, init: RequestInit = {}): Promise<Answer<T>> {
  const res = await fetch(url, { ...init, headers: { ...(token && { authorization: `Bearer ${token}` }), ...(init.headers as Record<string, string> | undefined) } });
  const bytes = Buffer.from(await res.arrayBuffer());
  const json = res.headers.get('content-type')?.startsWith('application/json') ? (JSON.parse(bytes.toString('utf8')) as T) : (undefined as T);
  return { status: res.status, body: json, headers: res.headers, bytes };
}

/** The API of one signed-in user on one server. */
export function voicemailApi(server: { url: string }, token: string | undefined) {
  const base = `${server.url}/api/voicemail`;
  return {
    check: (to: string) => call<VoicemailCheck & { code?: string; message?: string }>(`${base}/to/${to}`, token),
    leave: (to: string, audio: Buffer, type = 'audio/webm') =>
      call<{ durationMs: number; size: number; code?: string; message?: string }>(`${base}/to/${to}`, token, { method: 'POST', body: audio, headers: { 'content-type': type } }),
    list: () => call<VoicemailList>(`${base}/messages`, token),
    fetch: (id: string) => call<{ code?: string }>(`${base}/messages/${id}`, token),
    heard: (id: string) => call<{ code?: string }>(`${base}/messages/${id}/heard`, token, { method: 'POST' }),
    remove: (id: string) => call<{ code?: string }>(`${base}/messages/${id}`, token, { method: 'DELETE' }),
    setGreeting: (audio: Buffer) => call<{ durationMs: number; code?: string }>(`${base}/greeting`, token, { method: 'PUT', body: audio, headers: { 'content-type': 'audio/ogg' } }),
    greeting: (of: string) => call<{ code?: string }>(`${base}/greeting/${of}`, token),
  };
}
