/**
 * What a page may reach of the user's devices: the default session's
 * permission and display-media handlers, the screens and windows
 * desktopCapturer offers, and the page-side requests that consult them.
 */
import type { Session } from 'electron';
import { vi } from 'vitest';
import { FakeWebContents } from './fake-web-contents.js';

type PermissionRequestHandler = Parameters<Session['setPermissionRequestHandler']>[0];
type PermissionCheckHandler = Parameters<Session['setPermissionCheckHandler']>[0];
type DisplayMediaRequestHandler = Parameters<Session['setDisplayMediaRequestHandler']>[0];

export const session = {
  defaultSession: {
    permissionRequestHandler: null as PermissionRequestHandler,
    permissionCheckHandler: null as PermissionCheckHandler,
    displayMediaRequestHandler: null as DisplayMediaRequestHandler,
    setDisplayMediaRequestHandler(handler: DisplayMediaRequestHandler): void {
      this.displayMediaRequestHandler = handler;
    },
    setPermissionRequestHandler(handler: PermissionRequestHandler): void {
      this.permissionRequestHandler = handler;
    },
    setPermissionCheckHandler(handler: PermissionCheckHandler): void {
      this.permissionCheckHandler = handler;
    },
  },
};

/** A screen or window as desktopCapturer lists it; the thumbnail's data URL names the source. */
export class FakeDesktopSource {
  readonly thumbnail: { isEmpty(): boolean; toDataURL(): string };
  readonly display_id = '';
  readonly appIcon = null;
  constructor(
    readonly id: string,
    readonly name: string,
    picture = true,
  ) {
    this.thumbnail = { isEmpty: () => !picture, toDataURL: () => `data:image/png;base64,${Buffer.from(id).toString('base64')}` };
  }
}

export const desktopCapturer = {
  /** What the system offers to share now. */
  sources: [] as FakeDesktopSource[],
  getSources: vi.fn((_options: { types: string[]; thumbnailSize?: { width: number; height: number } }) =>
    Promise.resolve([...desktopCapturer.sources]),
  ),
};

/** The `fake` helpers that play a page asking for a permission or a screen. */
export const sessionHelpers = {
  /** A page asks for a permission (e.g. getUserMedia → 'media'). */
  requestPermission(
    permission: Parameters<NonNullable<PermissionRequestHandler>>[1],
    requestingUrl: string,
    contents: FakeWebContents = new FakeWebContents(),
  ): Promise<boolean> {
    const handler = session.defaultSession.permissionRequestHandler;
    // Electron's default without a handler: grant.
    if (handler === null) return Promise.resolve(true);
    return new Promise((resolve) => {
      handler(contents as never, permission, resolve, { requestingUrl, isMainFrame: true });
    });
  },
  checkPermission(
    permission: Parameters<NonNullable<PermissionCheckHandler>>[1],
    requestingOrigin: string,
    details: { embeddingOrigin?: string } = {},
  ): boolean {
    const handler = session.defaultSession.permissionCheckHandler;
    if (handler === null) return true;
    return handler(null, permission, requestingOrigin, { isMainFrame: true, requestingUrl: requestingOrigin, ...details });
  },
  /**
   * A page calls getDisplayMedia(): what the app's display-media handler
   * grants (the streams it passes to the callback); `{}` also when there is no handler.
   */
  requestDisplayMedia(origin: string, frameUrl = origin, videoRequested = true): Promise<{ video?: unknown; audio?: unknown }> {
    const handler = session.defaultSession.displayMediaRequestHandler;
    if (handler === null) return Promise.resolve({});
    return new Promise((resolve) => {
      const request = { securityOrigin: origin, frame: { url: frameUrl }, videoRequested, audioRequested: false, userGesture: true };
      handler(request as never, resolve as never);
    });
  },
};

export function resetSession(): void {
  session.defaultSession.permissionRequestHandler = null;
  session.defaultSession.permissionCheckHandler = null;
  session.defaultSession.displayMediaRequestHandler = null;
  desktopCapturer.sources = [];
  desktopCapturer.getSources.mockClear();
}
