// First: it starts fetching the connection's code before the other modules run.
import './connection/early-signaling.js';
import { mount } from 'svelte';
import App from './App.svelte';
import { isIncomingPopup } from './desktop/desktop.js';
import { ParleyApp } from './lib/app.svelte.js';
import { loadCallStage } from './screens/call/stage-loader.js';
import './app.css';

/** The longest the shell waits for the connection to send its handshake before it mounts. */
const SHELL_WAIT_MS = 150;

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
const desktop = window.parley?.desktop;

// The desktop app's incoming-call popup is this same page with #incoming: no
// sign-in, no connection, only what main mirrors. Its code is its own chunk:
// the main window's first paint does not carry it.
if (isIncomingPopup() && desktop) {
  void import('./screens/IncomingPopup.svelte').then(({ default: IncomingPopup }) => mount(IncomingPopup, { target, props: { desktop } }));
} else {
  const app = new ParleyApp();
  const started = app.start();
  // Its failures are the shell's to handle once mounted (App.svelte), not unhandled meanwhile.
  started.catch(() => undefined);
  // The connection first, then the shell: mounting it is one long task, and
  // a handshake sent before it is checked by the server meanwhile, rather
  // than after (BENCHMARKS.md, App weight). Never more than a moment: a slow
  // network does not hold back the remembered contacts.
  const shown = (): void => {
    // Fetched and compiled while the shell mounts and the server answers (stage-loader.ts); after
    // the signaling code, which would otherwise queue behind its many files on a first visit.
    loadCallStage().catch(() => undefined);
    mount(App, { target, props: { app, started } });
  };
  void Promise.race([app.connection.opened(), new Promise((resolve) => setTimeout(resolve, SHELL_WAIT_MS))]).then(shown, shown);
}
