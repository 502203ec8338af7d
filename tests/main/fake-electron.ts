/**
 * A recording fake of the Electron APIs the main process and the preload use.
 * The real `electron` module must never be imported in a test (it would try
 * to download its binary), so every test file does
 *
 *   vi.mock('electron', () => import('./fake-electron.js'));
 *
 * The named exports below stand in for Electron's; `fake` holds what they
 * recorded plus helpers that play the part of Chromium (a page navigating, a
 * renderer invoking a channel, a permission prompt, a protocol request).
 * Behaviour follows Electron's where the code under test relies on it: a new
 * BrowserWindow emits app 'web-contents-created'; ipcMain.handle refuses a
 * second handler per channel; invoke and send arguments are structured-cloned;
 * close() emits a cancellable 'close' first; app.quit() emits 'before-quit'
 * and closes every window; globalShortcut.register returns false for a key
 * another app holds; Menu.buildFromTemplate keeps the template to click.
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  BrowserWindowConstructorOptions,
  CustomScheme,
  HandlerDetails,
  MenuItemConstructorOptions,
  MessageBoxOptions,
  NotificationConstructorOptions,
  Rectangle,
  SaveDialogOptions,
  Session,
  WindowOpenHandlerResponse,
} from 'electron';
import { vi } from 'vitest';

/** An Electron event: `preventDefault()` is recorded. */
export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

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

type InvokeListener = (event: FakeInvokeEvent, ...args: unknown[]) => unknown;

/** What ipcMain.handle's listener receives. */
export interface FakeInvokeEvent {
  sender: FakeWebContents;
  senderFrame: FakeFrame | null;
  processId: number;
  frameId: number;
}

type SendListener = (event: FakeInvokeEvent, ...args: unknown[]) => void;

export const ipcMain = {
  handlers: new Map<string, InvokeListener>(),
  /** ipcMain.on listeners (renderer → main send channels). */
  listeners: new Map<string, SendListener[]>(),
  handle(channel: string, listener: InvokeListener): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  },
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  },
  on(channel: string, listener: SendListener): void {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
  },
  removeListener(channel: string, listener: SendListener): void {
    const rest = (this.listeners.get(channel) ?? []).filter((candidate) => candidate !== listener);
    if (rest.length === 0) this.listeners.delete(channel);
    else this.listeners.set(channel, rest);
  },
};

/** Protocol handlers get a Request; the fake passes only what a handler may rely on. */
type ProtocolHandler = (request: Pick<Request, 'url' | 'method'>) => Response | Promise<Response>;

export const protocol = {
  privileged: [] as CustomScheme[],
  handlers: new Map<string, ProtocolHandler>(),
  registerSchemesAsPrivileged(schemes: CustomScheme[]): void {
    this.privileged.push(...schemes);
  },
  handle(scheme: string, handler: ProtocolHandler): void {
    if (this.handlers.has(scheme)) throw new Error(`protocol ${scheme} is already handled`);
    this.handlers.set(scheme, handler);
  },
  unhandle(scheme: string): void {
    this.handlers.delete(scheme);
  },
  isProtocolHandled(scheme: string): boolean {
    return this.handlers.has(scheme);
  },
};

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export const net = {
  /** Like Electron's net.fetch for file: URLs: the file's bytes with a type from its extension. */
  fetch: vi.fn(async (input: string | Request): Promise<Response> => {
    const url = typeof input === 'string' ? input : input.url;
    if (!url.startsWith('file:')) throw new Error(`fake net.fetch only reads file: URLs, not ${url}`);
    const path = fileURLToPath(url);
    const body = await readFile(path); // rejects like net::ERR_FILE_NOT_FOUND when missing
    return new Response(body, {
      status: 200,
      headers: { 'Content-Type': MIME[extname(path)] ?? 'application/octet-stream' },
    });
  }),
};

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

/** Fake "encryption": reversed base64 behind a marker, so the plaintext never appears in the bytes. */
const CIPHER_MARK = 'FAKE-SAFESTORAGE:';

export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret' as 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown',
  shouldReEncrypt: false,
  isAsyncEncryptionAvailable(): Promise<boolean> {
    return Promise.resolve(this.available);
  },
  encryptStringAsync(plainText: string): Promise<Buffer> {
    if (!this.available) return Promise.reject(new Error('Encryption is not available.'));
    const scrambled = Buffer.from(Buffer.from(plainText, 'utf8').toString('base64'), 'latin1').reverse();
    return Promise.resolve(Buffer.concat([Buffer.from(CIPHER_MARK, 'latin1'), scrambled]));
  },
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }> {
    const text = encrypted.toString('latin1');
    if (!this.available || !text.startsWith(CIPHER_MARK)) {
      return Promise.reject(new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.'));
    }
    const base64 = Buffer.from(text.slice(CIPHER_MARK.length), 'latin1').reverse().toString('latin1');
    return Promise.resolve({ result: Buffer.from(base64, 'base64').toString('utf8'), shouldReEncrypt: this.shouldReEncrypt });
  },
  getSelectedStorageBackend() {
    return this.backend;
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

export const shell = {
  openExternal: vi.fn((_url: string) => Promise.resolve()),
};


/** What nativeImage.createFromPath returns: the path, and whether it was made a template image. */
export class FakeNativeImage {
  template = false;
  constructor(readonly path: string) {}
  isEmpty(): boolean {
    return this.path === '' || !existsSync(this.path);
  }
  setTemplateImage(option: boolean): void {
    this.template = option;
  }
  isTemplateImage(): boolean {
    return this.template;
  }
}

export const nativeImage = {
  createFromPath: (path: string) => new FakeNativeImage(path),
  createEmpty: () => new FakeNativeImage(''),
};

/** A menu item as the fake keeps it: the template's options, submenus built too. */
export type FakeMenuItem = Omit<MenuItemConstructorOptions, 'submenu'> & { submenu?: FakeMenu };

export class FakeMenu {
  readonly items: FakeMenuItem[];
  constructor(template: MenuItemConstructorOptions[]) {
    this.items = template.map((item) => {
      const { submenu, ...rest } = item;
      if (submenu === undefined) return rest;
      return { ...rest, submenu: submenu instanceof FakeMenu ? submenu : new FakeMenu(submenu as MenuItemConstructorOptions[]) };
    });
  }
  /** The item at a path of labels, e.g. ['Call', 'Bob — available']. */
  find(path: readonly string[]): FakeMenuItem | undefined {
    let items = this.items;
    let found: FakeMenuItem | undefined;
    for (const label of path) {
      found = items.find((item) => item.label === label);
      if (found === undefined) return undefined;
      items = found.submenu?.items ?? [];
    }
    return found;
  }
  /** Clicks the item at a path of labels, as the user would (disabled items cannot be clicked). */
  click(...path: string[]): void {
    const item = this.find(path);
    if (item === undefined) throw new Error(`no menu item ${path.join(' › ')}; the menu has: ${JSON.stringify(this.outline())}`);
    if (item.enabled === false) throw new Error(`menu item ${path.join(' › ')} is disabled`);
    if (item.click === undefined) throw new Error(`menu item ${path.join(' › ')} has no click handler`);
    item.click(item as never, undefined, {});
  }
  /** The labels, with '---' for separators, '(x)'/'( )' for radio and checkbox items, '!' for disabled, submenus nested. */
  outline(): unknown[] {
    return this.items.map((item) => {
      if (item.type === 'separator') return '---';
      const mark = item.type === 'radio' || item.type === 'checkbox' ? (item.checked === true ? '(x) ' : '( ) ') : '';
      const label = `${item.enabled === false ? '!' : ''}${mark}${item.label ?? ''}`;
      return item.submenu === undefined ? label : { [label]: item.submenu.outline() };
    });
  }
}

export const Menu = {
  buildFromTemplate: (template: MenuItemConstructorOptions[]) => new FakeMenu(template),
};

export class FakeTray extends EventEmitter {
  static readonly instances: FakeTray[] = [];
  image: FakeNativeImage;
  tooltip = '';
  menu: FakeMenu | null = null;
  private destroyed = false;
  constructor(image: FakeNativeImage) {
    super();
    this.image = image;
    FakeTray.instances.push(this);
  }
  setImage(image: FakeNativeImage): void {
    this.image = image;
  }
  setToolTip(tooltip: string): void {
    this.tooltip = tooltip;
  }
  setContextMenu(menu: FakeMenu | null): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** The icon's file name, e.g. 'available.png'. */
  iconFile(): string {
    return this.image.path.split(/[\\/]/).at(-1) ?? '';
  }
}
export const Tray = FakeTray;

export const globalShortcut = {
  /** Accelerators another application holds: register() returns false for them. */
  taken: new Set<string>(),
  registered: new Map<string, () => void>(),
  /** Every register() call and its result, in order. */
  attempts: [] as { accelerator: string; result: boolean }[],
  register(accelerator: string, callback: () => void): boolean {
    if (!/^[^\s+]+(\+[^\s+]+)*$/.test(accelerator)) throw new TypeError(`conversion failure from ${accelerator}`);
    const result = !this.taken.has(accelerator) && !this.registered.has(accelerator);
    this.attempts.push({ accelerator, result });
    if (result) this.registered.set(accelerator, callback);
    return result;
  },
  unregister(accelerator: string): void {
    this.registered.delete(accelerator);
  },
  unregisterAll(): void {
    this.registered.clear();
  },
  isRegistered(accelerator: string): boolean {
    return this.registered.has(accelerator);
  },
  /** The user presses a global shortcut. */
  press(accelerator: string): void {
    const callback = this.registered.get(accelerator);
    if (callback === undefined) throw new Error(`${accelerator} is not registered`);
    callback();
  },
};

export class FakeNotification extends EventEmitter {
  static readonly instances: FakeNotification[] = [];
  static supported = true;
  static isSupported(): boolean {
    return FakeNotification.supported;
  }
  shown = false;
  closed = false;
  constructor(readonly options: NotificationConstructorOptions = {}) {
    super();
    FakeNotification.instances.push(this);
  }
  get title(): string {
    return this.options.title ?? '';
  }
  get body(): string {
    return this.options.body ?? '';
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    this.closed = true;
  }
  /** The user clicks the notification. */
  click(): void {
    this.emit('click', new FakeEvent());
  }
  /** The user presses one of its action buttons, by label. */
  act(text: string): void {
    const actionIndex = (this.options.actions ?? []).findIndex((action) => action.text === text);
    if (actionIndex < 0) throw new Error(`no action ${text} on notification "${this.title}"`);
    this.emit('action', Object.assign(new FakeEvent(), { actionIndex, selectionIndex: -1 }), actionIndex, -1);
  }
}
export const Notification = FakeNotification;

const PRIMARY_WORK_AREA: Rectangle = { x: 0, y: 0, width: 1920, height: 1040 };

export const screen = {
  /** Each display's work area; the first is the primary one. */
  workAreas: [PRIMARY_WORK_AREA] as Rectangle[],
  display(workArea: Rectangle) {
    return { id: this.workAreas.indexOf(workArea), workArea, bounds: workArea, scaleFactor: 1 };
  },
  getPrimaryDisplay() {
    return this.display(this.workAreas[0]!);
  },
  getAllDisplays() {
    return this.workAreas.map((workArea) => this.display(workArea));
  },
};

class FakePowerMonitor extends EventEmitter {
  /** Seconds since the last keyboard or mouse input. */
  idleSeconds = 0;
  getSystemIdleTime(): number {
    return this.idleSeconds;
  }
}
export const powerMonitor = new FakePowerMonitor();

export const dialog = {
  /** The button index the user will press in each next message box; 0 when empty. */
  responses: [] as number[],
  showMessageBox: vi.fn((_windowOrOptions: unknown, _options?: MessageBoxOptions) =>
    Promise.resolve({ response: dialog.responses.shift() ?? 0, checkboxChecked: false }),
  ),
  /** What the user picks in each next save dialog: a path, or null to cancel; cancels when empty. */
  savePaths: [] as (string | null)[],
  showSaveDialog: vi.fn((_windowOrOptions: unknown, _options?: SaveDialogOptions) => {
    const filePath = dialog.savePaths.shift() ?? null;
    return Promise.resolve(filePath === null ? { canceled: true, filePath: '' } : { canceled: false, filePath });
  }),
  /** The parent window (null without one) and options of every save dialog shown, in order. */
  saveDialogs(): { parent: unknown; options: SaveDialogOptions }[] {
    return this.showSaveDialog.mock.calls.map(([first, second]) =>
      second === undefined ? { parent: null, options: first as SaveDialogOptions } : { parent: first, options: second },
    );
  },
  /** The options of every message box shown, in order. */
  shown(): MessageBoxOptions[] {
    return this.showMessageBox.mock.calls.map(([first, second]) => second ?? (first as MessageBoxOptions));
  },
};

// Preload side.
export const contextBridge = {
  mainWorld: {} as Record<string, unknown>,
  exposeInMainWorld(key: string, api: unknown): void {
    if (key in this.mainWorld) throw new Error(`Cannot bind an API on top of an existing property on the window object: ${key}`);
    this.mainWorld[key] = api;
  },
};

type RendererListener = (event: unknown, ...args: unknown[]) => void;

export const ipcRenderer = {
  /** Resolves with what the test put in `replies` for the channel (undefined otherwise). */
  replies: new Map<string, unknown>(),
  invoke: vi.fn(function invoke(channel: string, ..._args: unknown[]): Promise<unknown> {
    return Promise.resolve(ipcRenderer.replies.get(channel));
  }),
  send: vi.fn((_channel: string, ..._args: unknown[]) => undefined),
  listeners: new Map<string, RendererListener[]>(),
  on(channel: string, listener: RendererListener): void {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
  },
  removeListener(channel: string, listener: RendererListener): void {
    this.listeners.set(
      channel,
      (this.listeners.get(channel) ?? []).filter((candidate) => candidate !== listener),
    );
  },
  /** Main sends an event to this page. */
  deliver(channel: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(channel) ?? []) listener({ sender: 'ipc-renderer-event' }, ...structuredClone(args));
  },
};

/** Helpers that play Chromium's and the renderer's part. */
export const fake = {
  /** A renderer frame invokes a channel: what ipcRenderer.invoke would resolve or reject with. */
  async invoke(channel: string, frame: FakeFrame | null, sender: FakeWebContents, ...args: unknown[]): Promise<unknown> {
    const listener = ipcMain.handlers.get(channel);
    if (listener === undefined) throw new Error(`No handler registered for '${channel}'`);
    const event: FakeInvokeEvent = { sender, senderFrame: frame, processId: frame?.processId ?? 0, frameId: frame?.routingId ?? 0 };
    return await listener(event, ...structuredClone(args));
  },
  /** A renderer frame sends on a channel (ipcRenderer.send): delivered to every ipcMain.on listener. */
  send(channel: string, frame: FakeFrame | null, sender: FakeWebContents, ...args: unknown[]): void {
    const event: FakeInvokeEvent = { sender, senderFrame: frame, processId: frame?.processId ?? 0, frameId: frame?.routingId ?? 0 };
    for (const listener of ipcMain.listeners.get(channel) ?? []) listener(event, ...structuredClone(args));
  },
  /** The live tray icon, if any. */
  tray(): FakeTray | undefined {
    return FakeTray.instances.filter((tray) => !tray.isDestroyed()).at(-1);
  },
  notifications(): FakeNotification[] {
    return FakeNotification.instances;
  },
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
  /** Chromium asks the app:// handler for a URL. */
  async request(url: string, method = 'GET'): Promise<Response> {
    const scheme = url.slice(0, url.indexOf(':'));
    const handler = protocol.handlers.get(scheme);
    if (handler === undefined) throw new Error(`no handler for ${scheme}:`);
    // A plain object: `new Request()` would already normalize "..", which Chromium's callers may not.
    return await handler({ url, method });
  },
  windows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.instances;
  },
  reset(): void {
    FakeBrowserWindow.instances.length = 0;
    app.reset();
    ipcMain.handlers.clear();
    ipcMain.listeners.clear();
    FakeTray.instances.length = 0;
    globalShortcut.taken.clear();
    globalShortcut.registered.clear();
    globalShortcut.attempts.length = 0;
    FakeNotification.instances.length = 0;
    FakeNotification.supported = true;
    screen.workAreas = [PRIMARY_WORK_AREA];
    powerMonitor.removeAllListeners();
    powerMonitor.idleSeconds = 0;
    dialog.responses.length = 0;
    dialog.showMessageBox.mockClear();
    dialog.savePaths.length = 0;
    dialog.showSaveDialog.mockClear();
    protocol.privileged.length = 0;
    protocol.handlers.clear();
    net.fetch.mockClear();
    session.defaultSession.permissionRequestHandler = null;
    session.defaultSession.permissionCheckHandler = null;
    session.defaultSession.displayMediaRequestHandler = null;
    desktopCapturer.sources = [];
    desktopCapturer.getSources.mockClear();
    safeStorage.available = true;
    safeStorage.backend = 'gnome_libsecret';
    safeStorage.shouldReEncrypt = false;
    shell.openExternal.mockClear();
    for (const key of Object.keys(contextBridge.mainWorld)) Reflect.deleteProperty(contextBridge.mainWorld, key);
    ipcRenderer.replies.clear();
    ipcRenderer.invoke.mockClear();
    ipcRenderer.send.mockClear();
    ipcRenderer.listeners.clear();
  },
};
