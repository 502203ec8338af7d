/**
 * The app and its windows. They share a file because each drives the other,
 * as in Electron: a new BrowserWindow announces its webContents on app
 * ('web-contents-created'), and app.quit() closes every window (split apart,
 * the two files would import each other).
 */
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import type { BrowserWindowConstructorOptions, Rectangle } from 'electron';
import { vi } from 'vitest';
import { FakeEvent } from './fake-event.js';
import { FakeWebContents } from './fake-web-contents.js';

export class FakeBrowserWindow extends EventEmitter {
  static readonly instances: FakeBrowserWindow[] = [];
  static getAllWindows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.instances.filter((window) => !window.destroyed);
  }

  readonly webContents = new FakeWebContents();
  visible = false;
  focused = false;
  minimized = false;
  maximized = false;
  /** Whether the last show was showInactive() (no focus taken). */
  shownInactive = false;
  alwaysOnTop: boolean;
  private bounds: Rectangle;
  private destroyed = false;

  constructor(readonly options: BrowserWindowConstructorOptions = {}) {
    super();
    this.alwaysOnTop = options.alwaysOnTop === true;
    const width = options.width ?? 800;
    const height = options.height ?? 600;
    this.bounds = { x: options.x ?? 100, y: options.y ?? 100, width, height };
    FakeBrowserWindow.instances.push(this);
    app.emit('web-contents-created', new FakeEvent(), this.webContents);
  }
  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url);
  }
  show(): void {
    this.visible = true;
    this.shownInactive = false;
    this.emit('show');
  }
  showInactive(): void {
    this.visible = true;
    this.shownInactive = true;
    this.emit('show');
  }
  hide(): void {
    this.visible = false;
    this.focused = false;
    this.emit('hide');
  }
  focus(): void {
    this.focused = true;
    this.emit('focus');
  }
  blur(): void {
    this.focused = false;
    this.emit('blur');
  }
  isVisible(): boolean {
    return this.visible;
  }
  isFocused(): boolean {
    return this.focused;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  minimize(): void {
    this.minimized = true;
    this.focused = false;
    this.emit('minimize');
  }
  restore(): void {
    this.minimized = false;
    this.visible = true;
    this.emit('restore');
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  maximize(): void {
    this.maximized = true;
    this.emit('maximize');
  }
  getBounds(): Rectangle {
    return { ...this.bounds };
  }
  getNormalBounds(): Rectangle {
    return { ...this.bounds };
  }
  setBounds(bounds: Partial<Rectangle>): void {
    this.bounds = { ...this.bounds, ...bounds };
  }
  /** The user drags or resizes the window. */
  moveTo(bounds: Partial<Rectangle>): void {
    this.setBounds(bounds);
    this.emit('move');
    this.emit('resize');
  }
  setAlwaysOnTop(flag: boolean): void {
    this.alwaysOnTop = flag;
  }
  setVisibleOnAllWorkspaces(): void {
    // Recorded nowhere: only macOS has workspaces to pin to.
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
  /** Like the user clicking the close button: 'close' first, which a listener may prevent. */
  close(): void {
    if (this.destroyed) return;
    const event = new FakeEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }
}
export const BrowserWindow = FakeBrowserWindow;

/** The repository root: what app.getAppPath() is in an unpackaged run. */
export const APP_PATH = resolve(import.meta.dirname, '../..');

class FakeApp extends EventEmitter {
  isPackaged = false;
  userDataDir = '/nonexistent/parley-test-user-data';
  /** What requestSingleInstanceLock() answers: false when another instance runs. */
  singleInstance = true;
  /** Like Electron: 'before-quit', then every window is closed; a window that stays open cancels the quit. */
  readonly quit = vi.fn(() => {
    const event = new FakeEvent();
    this.emit('before-quit', event);
    if (event.defaultPrevented) return;
    for (const window of FakeBrowserWindow.getAllWindows()) window.close();
    if (FakeBrowserWindow.getAllWindows().length > 0) return;
    this.emit('will-quit', new FakeEvent());
    this.emit('quit');
  });
  readonly exit = vi.fn();
  readonly focus = vi.fn();
  readonly requestSingleInstanceLock = vi.fn(() => this.singleInstance);
  readonly setAsDefaultProtocolClient = vi.fn((_protocol: string, _path?: string, _args?: string[]) => true);
  readonly setLoginItemSettings = vi.fn((_settings: { openAtLogin?: boolean; args?: string[] }) => undefined);
  /** The taskbar or dock count; like Electron on Linux and macOS, true (shown). */
  readonly setBadgeCount = vi.fn((_count?: number) => true);
  getAppPath(): string {
    return APP_PATH;
  }
  private ready = false;
  private readonly readyWaiters: (() => void)[] = [];
  /** Whether whenReady() resolves on its own; set false to call markReady() yourself. */
  autoReady = true;
  whenReady(): Promise<void> {
    if (this.autoReady) this.markReady();
    return this.ready ? Promise.resolve() : new Promise((resolve) => this.readyWaiters.push(resolve));
  }
  markReady(): void {
    if (this.ready) return;
    this.ready = true;
    for (const resolve of this.readyWaiters.splice(0)) resolve();
    this.emit('ready');
  }
  isReady(): boolean {
    return this.ready;
  }
  reset(): void {
    this.removeAllListeners();
    this.isPackaged = false;
    this.userDataDir = '/nonexistent/parley-test-user-data';
    this.videosDir = '/nonexistent/parley-test-videos';
    this.ready = false;
    this.readyWaiters.length = 0;
    this.autoReady = true;
    this.singleInstance = true;
    this.quit.mockClear();
    this.exit.mockClear();
    this.focus.mockClear();
    this.requestSingleInstanceLock.mockClear();
    this.setAsDefaultProtocolClient.mockClear();
    this.setLoginItemSettings.mockClear();
    this.setBadgeCount.mockClear();
  }
  getVersion(): string {
    return '0.1.0-test';
  }
  /** The system's Videos folder, where the first recording's save dialog starts. */
  videosDir = '/nonexistent/parley-test-videos';
  getPath(name: string): string {
    if (name === 'userData') return this.userDataDir;
    if (name === 'videos') return this.videosDir;
    throw new Error(`fake app.getPath: ${name} is not faked`);
  }
}
export const app = new FakeApp();

/** The `fake` helpers for windows. */
export const windowHelpers = {
  windows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.instances;
  },
};

export function resetAppAndWindows(): void {
  FakeBrowserWindow.instances.length = 0;
  app.reset();
}
