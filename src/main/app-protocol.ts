/**
 * Serves the built renderer (out/renderer) at `app://parley/`, a privileged
 * standard scheme, so the renderer gets a real, stable origin
 * (`app://parley`) instead of file://: a secure context for getUserMedia, an
 * origin that permission checks, IPC sender checks and the signaling server's
 * CORS list can name, and a CSP response header.
 *
 * Only files inside the renderer folder are served, only for host `parley`,
 * only GET/HEAD. Anything else gets an error status and is logged.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { net, protocol } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../shared/csp.js';
import { createLogger } from './log.js';
import { APP_HOST, APP_SCHEME } from './origins.js';

const log = createLogger('app-protocol');

/**
 * Must run before the app is ready (Electron reads privileges at startup).
 * `stream` lets <audio>/<video> play files (ringtones) with range requests.
 * `codeCache`: V8 keeps the renderer's compiled code between launches, as it
 * does for http(s) pages (Electron enables it for no custom scheme by
 * default), so a start does not compile the whole bundle again.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } },
  ]);
}

export interface AppProtocolDeps {
  /** Absolute path of the built renderer folder (the one holding index.html). */
  rendererDir: string;
}

export interface AppProtocol {
  dispose(): void;
}

/** After the app is ready: answer `app://` requests on the default session. */
export function installAppProtocol(deps: AppProtocolDeps): AppProtocol {
  protocol.handle(APP_SCHEME, createAppRequestHandler(deps.rendererDir));
  return {
    dispose: () => protocol.unhandle(APP_SCHEME),
  };
}

type Resolved = { file: string } | { status: number; reason: string };

function refusal(status: number, reason: string): Response {
  return new Response(`${status} ${reason}`, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': CONTENT_SECURITY_POLICY },
  });
}

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

async function resolveFile(root: string, requestUrl: string): Promise<Resolved> {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { status: 400, reason: 'bad URL' };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.hostname.toLowerCase() !== APP_HOST || url.port !== '') {
    return { status: 403, reason: 'unknown host' };
  }
  if (url.username !== '' || url.password !== '') return { status: 403, reason: 'credentials in URL' };
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return { status: 400, reason: 'bad path encoding' };
  }
  if (path.includes('\0')) return { status: 400, reason: 'bad path' };
  if (path === '' || path.endsWith('/')) path += 'index.html';

  const target = join(root, path);
  if (!isInside(root, target)) return { status: 403, reason: 'outside the renderer folder' };
  let real: string;
  try {
    const info = await stat(target);
    if (!info.isFile()) return { status: 404, reason: 'not found' };
    // A symlink must not lead out of the folder either.
    real = await realpath(target);
    if (!isInside(await realpath(root), real)) return { status: 403, reason: 'outside the renderer folder' };
  } catch {
    return { status: 404, reason: 'not found' };
  }
  return { file: real };
}

/** What the handler reads of a request. */
export type AppRequest = Pick<Request, 'url' | 'method'>;

/** The `protocol.handle` handler, exported for tests. */
export function createAppRequestHandler(rendererDir: string): (request: AppRequest) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refusal(405, 'method not allowed');
    const resolved = await resolveFile(rendererDir, request.url);
    if ('status' in resolved) {
      if (resolved.status !== 404) log.warn(`refused ${request.url}: ${resolved.reason}`);
      return refusal(resolved.status, resolved.reason);
    }
    const response = await net.fetch(pathToFileURL(resolved.file).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(request.method === 'HEAD' ? null : response.body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  };
}
