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
 * second handler per channel; invoke arguments are structured-cloned.
 */
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  BrowserWindowConstructorOptions,
  CustomScheme,
  HandlerDetails,
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
  windowOpenHandler: WindowOpenHandler | null = null;

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
  private destroyed = false;

  constructor(readonly options: BrowserWindowConstructorOptions = {}) {
    super();
    FakeBrowserWindow.instances.push(this);
    app.emit('web-contents-created', new FakeEvent(), this.webContents);
  }
  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url);
  }
  show(): void {
    this.visible = true;
  }
  focus(): void {
    this.focused = true;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {
    this.visible = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('closed');
  }
  close(): void {
    this.destroy();
  }
}
export const BrowserWindow = FakeBrowserWindow;

class FakeApp extends EventEmitter {
  isPackaged = false;
  userDataDir = '/nonexistent/parley-test-user-data';
  readonly quit = vi.fn();
  readonly exit = vi.fn();
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
    this.ready = false;
    this.readyWaiters.length = 0;
    this.autoReady = true;
    this.quit.mockClear();
    this.exit.mockClear();
  }
  getVersion(): string {
    return '0.1.0-test';
  }
  getPath(name: string): string {
    if (name === 'userData') return this.userDataDir;
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

export const ipcMain = {
  handlers: new Map<string, InvokeListener>(),
  handle(channel: string, listener: InvokeListener): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  },
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
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

export const session = {
  defaultSession: {
    permissionRequestHandler: null as PermissionRequestHandler,
    permissionCheckHandler: null as PermissionCheckHandler,
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

export const shell = {
  openExternal: vi.fn((_url: string) => Promise.resolve()),
};

// Preload side.
export const contextBridge = {
  mainWorld: {} as Record<string, unknown>,
  exposeInMainWorld(key: string, api: unknown): void {
    if (key in this.mainWorld) throw new Error(`Cannot bind an API on top of an existing property on the window object: ${key}`);
    this.mainWorld[key] = api;
  },
};

export const ipcRenderer = {
  /** Resolves with what the test put in `replies` for the channel (undefined otherwise). */
  replies: new Map<string, unknown>(),
  invoke: vi.fn(function invoke(channel: string, ..._args: unknown[]): Promise<unknown> {
    return Promise.resolve(ipcRenderer.replies.get(channel));
  }),
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
    protocol.privileged.length = 0;
    protocol.handlers.clear();
    net.fetch.mockClear();
    session.defaultSession.permissionRequestHandler = null;
    session.defaultSession.permissionCheckHandler = null;
    safeStorage.available = true;
    safeStorage.backend = 'gnome_libsecret';
    safeStorage.shouldReEncrypt = false;
    shell.openExternal.mockClear();
    for (const key of Object.keys(contextBridge.mainWorld)) Reflect.deleteProperty(contextBridge.mainWorld, key);
    ipcRenderer.replies.clear();
    ipcRenderer.invoke.mockClear();
  },
};
