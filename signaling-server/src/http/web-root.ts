/**
 * Serves the built web client (PARLEY_WEB_ROOT: index.html plus assets/) at
 * `/`, next to the API. A file the build also wrote compressed (`.br`,
 * `.gz` beside it) is sent compressed to a browser that accepts it, brotli
 * first; hashed assets are cached for a year. A GET for a page the
 * client routes itself (`/contacts`) gets index.html. A symbolic link that
 * leads out of the folder, the file's own or its compressed copy's, is not
 * followed: its path is not found. The
 * server's own paths (/api, /healthz, /metrics, /socket.io) are never
 * answered from here, even when the folder holds a file or folder of the
 * same name.
 */
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import expressStaticGzip from 'express-static-gzip';
import { CONTENT_SECURITY_POLICY } from './web-policy.js';

export { CONTENT_SECURITY_POLICY };

/** Only the call features the client uses, and only for its own origin. */
export const PERMISSIONS_POLICY = 'microphone=(self), camera=(self), speaker-selection=(self)';

/** Set on every response the web root gives (files, the index fallback, its 404s). */
export const WEB_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Permissions-Policy': PERMISSIONS_POLICY,
};

/** Files under /assets/ carry a content hash in their name, so they never change. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current assets: always check it is still the current one. */
const REVALIDATE = 'no-cache';

const RESERVED = new Set(['api', 'healthz', 'metrics', 'socket.io']);

/** True for the server's own paths: /api, /api/..., /healthz, /metrics, /socket.io/... */
function reserved(urlPath: string): boolean {
  const first = urlPath.split('/', 2)[1] ?? '';
  return RESERVED.has(first.toLowerCase());
}

/** A browser navigation asks for text/html by name; scripts, images and fetch() send `*` or their own type. */
function wantsHtml(req: Request): boolean {
  return /\btext\/html\b/i.test(req.get('accept') ?? '') && req.accepts('html') === 'html';
}

/** The real path of `file`, or undefined when there is none (missing, or a dangling link). */
async function real(file: string): Promise<string | undefined> {
  try {
    return await realpath(file);
  } catch {
    return undefined;
  }
}

/** A file as asked for and the compressed copies express-static-gzip may send in its place. */
const variants = (file: string): string[] => [file, `${file}.br`, `${file}.gz`];

/**
 * True when what `urlPath` names in `dir` (a file, or a folder's index.html),
 * or a compressed copy sent in its place, really lies outside the folder,
 * through a symbolic link: a link in a build output must not publish the
 * rest of the disk.
 */
async function leavesRoot(dir: string, urlPath: string): Promise<boolean> {
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath);
  } catch {
    return false; // express.static answers a malformed path itself
  }
  const file = path.join(dir, path.normalize(`.${path.sep}${relative}`));
  const root = await real(dir);
  if (root === undefined) return false;
  const outside = async (files: string[]) =>
    (await Promise.all(files.map(real))).some((p) => p !== undefined && p !== root && !p.startsWith(root + path.sep));
  if (await outside(variants(file))) return true;
  const target = await real(file);
  if (target === undefined || !(await stat(target)).isDirectory()) return false;
  return outside(variants(path.join(target, 'index.html')));
}

/** The web root as a router to mount after the API routes; `dir` must be absolute. */
export function webRoot(dir: string): Router {
  const router = express.Router();
  const index = path.join(dir, 'index.html');
  const assets = path.join(dir, 'assets') + path.sep;

  router.use((req, res, next) => {
    if (reserved(req.path)) {
      next('router');
      return;
    }
    res.set(WEB_SECURITY_HEADERS);
    next();
  });

  router.use((req: Request, _res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next();
      return;
    }
    leavesRoot(dir, req.path).then(
      (outside) => next(outside ? 'router' : undefined),
      (err: unknown) => next(err),
    );
  });

  router.use(
    expressStaticGzip(dir, {
      enableBrotli: true,
      orderPreference: ['br', 'gzip'],
      index: 'index.html',
      serveStatic: {
        // A folder without a trailing slash is not redirected, and a folder is
        // never listed: either falls through to the fallback below.
        redirect: false,
        dotfiles: 'ignore',
        fallthrough: true,
        setHeaders: (res: ServerResponse, file: string) => {
          if (file.startsWith(assets)) res.setHeader('Cache-Control', IMMUTABLE);
          // index.html, or its .br / .gz
          else if (file === index || file.startsWith(`${index}.`)) res.setHeader('Cache-Control', REVALIDATE);
        },
      },
    }),
  );

  // The client's own routes: a page load of any other path gets index.html.
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next();
      return;
    }
    res.vary('Accept');
    // A missing script or image is a 404, never a page.
    if (req.path.startsWith('/assets/') || !wantsHtml(req)) {
      next();
      return;
    }
    res.sendFile(index, { cacheControl: false, headers: { 'Cache-Control': REVALIDATE } }, (err?: Error & { status?: number }) => {
      if (!err || res.headersSent) return;
      if (err.status === 404) next();
      else next(err);
    });
  });

  return router;
}
