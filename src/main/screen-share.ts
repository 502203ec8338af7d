/**
 * Screen sharing in the desktop app. Electron has no picker of its own: the
 * renderer lists the screens and windows (`screen:sources`, with thumbnails
 * from desktopCapturer) and shows them in the app's own picker; the user's
 * choice (`screen:choose`) is held here for a moment, and the renderer's
 * getDisplayMedia() that follows gets exactly that source through the
 * session's display-media request handler. A request with no fresh choice,
 * or from a page that is not Parley's, is refused.
 */
import { desktopCapturer, session } from 'electron';
import type { DesktopCapturerSource } from 'electron';
import type { ScreenSource } from '../shared/ipc.js';
import { createLogger } from './log.js';
import type { TrustedOrigins } from './origins.js';

const log = createLogger('screen-share');

/** Thumbnails as the picker shows them (16:9), small enough to list a dozen windows quickly. */
export const THUMBNAIL_SIZE = { width: 320, height: 180 };
/** A choice older than this is not used: getDisplayMedia follows it at once, or not at all. */
export const CHOICE_TTL_MS = 10_000;

export interface ScreenShareDeps {
  origins: TrustedOrigins;
  now?: () => number;
}

export interface ScreenShare {
  /** The screens and windows that can be shared now, with thumbnails. */
  sources(): Promise<ScreenSource[]>;
  /** Picks one of the last listing's sources for the next getDisplayMedia; false if it is not one. */
  choose(id: string): boolean;
  dispose(): void;
}

export function installScreenShare(deps: ScreenShareDeps): ScreenShare {
  const now = deps.now ?? (() => Date.now());
  /** The last listing: only its sources can be chosen. */
  let listed = new Map<string, DesktopCapturerSource>();
  let chosen: { source: DesktopCapturerSource; at: number } | null = null;

  const ses = session.defaultSession;
  ses.setDisplayMediaRequestHandler((request, callback) => {
    const choice = chosen;
    chosen = null; // one choice, one capture
    const url = request.frame?.url ?? '';
    if (!deps.origins.isTrusted(request.securityOrigin) || !deps.origins.isTrusted(url)) {
      log.warn(`screen capture refused to ${request.securityOrigin.slice(0, 200)}`);
      callback({}); // no source: getDisplayMedia rejects
      return;
    }
    if (choice === null || now() - choice.at > CHOICE_TTL_MS || !request.videoRequested) {
      log.warn('screen capture refused: nothing was chosen in the picker');
      callback({});
      return;
    }
    callback({ video: choice.source });
  });

  return {
    async sources() {
      const found = await desktopCapturer.getSources({ types: ['screen', 'window'], thumbnailSize: THUMBNAIL_SIZE, fetchWindowIcons: false });
      listed = new Map(found.map((s) => [s.id, s]));
      return found.map((s) => ({
        id: s.id,
        name: s.name,
        kind: s.id.startsWith('screen:') ? 'screen' : 'window',
        thumbnail: s.thumbnail.isEmpty() ? '' : s.thumbnail.toDataURL(),
      }));
    },
    choose(id) {
      const source = listed.get(id);
      chosen = source ? { source, at: now() } : null;
      if (!source) log.warn('screen:choose of a source that was not listed');
      return source !== undefined;
    },
    dispose() {
      ses.setDisplayMediaRequestHandler(null);
      listed.clear();
      chosen = null;
    },
  };
}
