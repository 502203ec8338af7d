/**
 * `parley://call/<username>` and `parley://room/<name>` links (a wiki page,
 * a chat message, a calendar invitation, a CRM).
 * Registered as the handler of the `parley:` scheme; links arrive in argv on
 * Windows and Linux (at first launch, or in the running instance through
 * 'second-instance') and as 'open-url' on macOS (possibly before the app is
 * ready). A link never calls or joins on its own: the user confirms in a
 * dialog (Call or Join / Cancel), and only once signed in and connected;
 * until then the latest link waits. Anything that is not exactly a call link
 * to a valid username or a room link to a valid room name is ignored (and
 * logged). A room that needs a join code asks for it in the window.
 */
import { resolve } from 'node:path';
import { app, dialog } from 'electron';
import type { Event } from 'electron';
import { roomNameSchema, usernameSchema } from '../shared/desktop-state.js';
import type { DesktopState } from '../shared/desktop-state.js';
import type { DesktopHub } from './desktop-hub.js';
import { createLogger } from './log.js';
import type { Windows } from './windows.js';

const log = createLogger('deep-links');

export const PROTOCOL = 'parley';
const MAX_LINK_LENGTH = 512;

/**
 * The username a call link names, or null if it is not exactly
 * `parley://call/<username>` (an optional trailing slash, which Windows adds
 * to some links). Matched on the raw text, not through URL parsing, so that
 * nothing is normalised away ("call/../x", credentials, ports, queries).
 */
export function parseCallLink(link: string): string | null {
  const username = linkTarget(link, 'call');
  return username !== null && usernameSchema.safeParse(username).success ? username : null;
}

/** The room a `parley://room/<name>` link names, or null; checked like a call link. */
export function parseRoomLink(link: string): string | null {
  const name = linkTarget(link, 'room');
  return name !== null && roomNameSchema.safeParse(name).success ? name : null;
}

/** What follows `parley://<kind>/`, decoded and lower-cased, or null if the link has any other shape. */
function linkTarget(link: string, kind: 'call' | 'room'): string | null {
  if (link.length > MAX_LINK_LENGTH) return null;
  const match = new RegExp(`^${PROTOCOL}://${kind}/([^/?#\\\\]+)/?$`, 'i').exec(link);
  if (match?.[1] === undefined) return null;
  try {
    return decodeURIComponent(match[1]).toLowerCase();
  } catch {
    return null;
  }
}

/** What a link asks for. */
type LinkRequest = { kind: 'call'; username: string } | { kind: 'room'; name: string };

/** The parley: links among command-line arguments (after the executable). */
export function linksInArgv(argv: readonly string[]): string[] {
  return argv.slice(1).filter((arg) => arg.toLowerCase().startsWith(`${PROTOCOL}:`));
}

/** Makes Parley the handler of parley: links (in a dev run: this Electron with this app folder). */
export function registerProtocolClient(): void {
  const ok = process.defaultApp
    ? app.setAsDefaultProtocolClient(PROTOCOL, process.execPath, [resolve(process.argv[1] ?? '.')])
    : app.setAsDefaultProtocolClient(PROTOCOL);
  if (!ok) log.warn(`could not register as the handler of ${PROTOCOL}: links`);
}

/**
 * macOS may deliver a link before anything is installed: hold them. Call as
 * early as possible; `take()` stops listening and returns what came.
 */
export function holdEarlyLinks(): { take(): string[] } {
  const held: string[] = [];
  const onOpenUrl = (event: Event, url: string): void => {
    event.preventDefault();
    held.push(url);
  };
  app.on('open-url', onOpenUrl);
  return {
    take() {
      app.off('open-url', onOpenUrl);
      return held.splice(0);
    },
  };
}

export interface DeepLinksDeps {
  hub: Pick<DesktopHub, 'state' | 'subscribe' | 'command'>;
  windows: Pick<Windows, 'showMain'>;
  /** Links that arrived before (first launch argv, early open-url). */
  initial?: readonly string[];
}

export interface DeepLinks {
  /** A link from anywhere: checked, then confirmed when signed in. */
  open(link: string): void;
  /** The links in a command line (second instance). */
  openFromArgv(argv: readonly string[]): void;
  dispose(): void;
}

function signedIn(state: DesktopState): boolean {
  return state.connection === 'online' && state.me !== null;
}

export function installDeepLinks(deps: DeepLinksDeps): DeepLinks {
  let pending: LinkRequest | null = null;
  let asking = false;

  async function confirm(request: LinkRequest): Promise<void> {
    const state = deps.hub.state();
    let message: string;
    if (request.kind === 'call') {
      const contact = state.contacts.find((candidate) => candidate.username === request.username);
      message = `Call ${contact === undefined ? request.username : `${contact.displayName} (${request.username})`}?`;
    } else {
      message = `Join room ${request.name}?`;
    }
    const window = deps.windows.showMain();
    const { response } = await dialog.showMessageBox(window, {
      type: 'question',
      buttons: [request.kind === 'call' ? 'Call' : 'Join', 'Cancel'],
      defaultId: 0,
      cancelId: 1,
      noLink: true,
      title: 'Parley',
      message,
      detail: request.kind === 'call' ? 'A link asked Parley to start this call.' : 'A link asked Parley to join this room.',
    });
    if (response !== 0) {
      log.info(`${request.kind} link cancelled`);
      return;
    }
    if (!signedIn(deps.hub.state())) {
      // Signed out while the dialog was open: ask again once back.
      pending = request;
      return;
    }
    deps.hub.command(request.kind === 'call' ? { type: 'dial', username: request.username } : { type: 'join-room', name: request.name });
  }

  function next(): void {
    if (asking || pending === null) return;
    const state = deps.hub.state();
    if (!signedIn(state)) return;
    const request = pending;
    pending = null;
    if (request.kind === 'call' && request.username === state.me?.username) {
      log.info('ignored a call link to yourself');
      return;
    }
    asking = true;
    confirm(request)
      .catch((error: unknown) => log.error('link confirmation failed', error))
      .finally(() => {
        asking = false;
        next();
      });
  }

  function open(link: string): void {
    const username = parseCallLink(link);
    const room = username === null ? parseRoomLink(link) : null;
    if (username === null && room === null) {
      log.warn(`ignored a link that is not parley://call/<username> or parley://room/<name>: ${JSON.stringify(link.slice(0, 100))}`);
      return;
    }
    pending = username !== null ? { kind: 'call', username } : { kind: 'room', name: room ?? '' };
    next();
  }

  const onOpenUrl = (event: Event, url: string): void => {
    event.preventDefault();
    open(url);
  };
  app.on('open-url', onOpenUrl);
  const unsubscribe = deps.hub.subscribe(next);
  for (const link of deps.initial ?? []) open(link);

  return {
    open,
    openFromArgv: (argv) => linksInArgv(argv).forEach(open),
    dispose() {
      app.off('open-url', onOpenUrl);
      unsubscribe();
    },
  };
}
