/**
 * A page and its frames: what webContents records (loads, reloads, messages
 * to the renderer) and the Chromium side that drives it (navigating,
 * window.open, webviews, subframes).
 */
import { EventEmitter } from 'node:events';
import type { HandlerDetails, WindowOpenHandlerResponse } from 'electron';
import { FakeEvent } from './fake-event.js';

/** The `details` event of 'will-frame-navigate' / 'will-redirect'. */
export class FakeNavigationEvent extends FakeEvent {
  constructor(
    readonly url: string,
    readonly isMainFrame: boolean,
  ) {
    super();
  }
  readonly isSameDocument = false;
}

let nextProcessId = 100;
let nextRoutingId = 1;

export class FakeFrame {
  readonly processId: number;
  readonly routingId: number;
  detached = false;
  private destroyed = false;
  constructor(
    public url: string,
    readonly parent: FakeFrame | null = null,
    processId?: number,
  ) {
    this.processId = processId ?? parent?.processId ?? nextProcessId++;
    this.routingId = nextRoutingId++;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

type WindowOpenHandler = (details: HandlerDetails) => WindowOpenHandlerResponse;

let nextWebContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextWebContentsId++;
  readonly mainFrame = new FakeFrame('');
  readonly loadedUrls: string[] = [];
  /** Every main → renderer message (webContents.send), payloads structured-cloned. */
  readonly sent: { channel: string; args: unknown[] }[] = [];
  windowOpenHandler: WindowOpenHandler | null = null;
  destroyed = false;

  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push({ channel, args: structuredClone(args) });
  }
  /** The payloads sent on one channel, in order. */
  sentOn(channel: string): unknown[] {
    return this.sent.filter((message) => message.channel === channel).map((message) => message.args[0]);
  }

  setWindowOpenHandler(handler: WindowOpenHandler): void {
    this.windowOpenHandler = handler;
  }
  getURL(): string {
    return this.mainFrame.url;
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrls.push(url);
    this.mainFrame.url = url;
    return Promise.resolve();
  }
  /** How many times the page was reloaded (webContents.reload). */
  reloads = 0;
  reload(): void {
    this.reloads++;
  }

  // Chromium's side.
  /** The page starts navigating (a link, window.location); returns the event to check preventDefault. */
  navigate(url: string, isMainFrame = true): FakeNavigationEvent {
    const event = new FakeNavigationEvent(url, isMainFrame);
    this.emit('will-frame-navigate', event);
    return event;
  }
  redirect(url: string): FakeNavigationEvent {
    const event = new FakeNavigationEvent(url, true);
    this.emit('will-redirect', event);
    return event;
  }
  /** The page calls window.open(url). Without a handler Electron would allow it. */
  openWindow(url: string): WindowOpenHandlerResponse {
    const details: HandlerDetails = { url, frameName: '', features: '', disposition: 'new-window', referrer: { url: '', policy: 'default' } };
    return this.windowOpenHandler?.(details) ?? { action: 'allow' };
  }
  attachWebview(): FakeEvent {
    const event = new FakeEvent();
    this.emit('will-attach-webview', event, {}, {});
    return event;
  }
  /** A subframe (iframe) of this page. */
  subframe(url: string): FakeFrame {
    return new FakeFrame(url, this.mainFrame);
  }
}
