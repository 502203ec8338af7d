/** Custom schemes: protocol's handlers for app://, the net.fetch they serve files with, and Chromium's requests to them. */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CustomScheme } from 'electron';
import { vi } from 'vitest';

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

/** The `fake` helpers that play Chromium loading a custom-scheme URL. */
export const protocolHelpers = {
  /** Chromium asks the app:// handler for a URL. */
  async request(url: string, method = 'GET'): Promise<Response> {
    const scheme = url.slice(0, url.indexOf(':'));
    const handler = protocol.handlers.get(scheme);
    if (handler === undefined) throw new Error(`no handler for ${scheme}:`);
    // A plain object: `new Request()` would already normalize "..", which Chromium's callers may not.
    return await handler({ url, method });
  },
};

export function resetProtocol(): void {
  protocol.privileged.length = 0;
  protocol.handlers.clear();
  net.fetch.mockClear();
}
