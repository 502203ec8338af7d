// First: it starts fetching the connection's code before the other modules run.
import './connection/early-signaling.js';
import { mount } from 'svelte';
import App from './App.svelte';
import { isIncomingPopup } from './desktop/desktop.js';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
const desktop = window.parley?.desktop;

// The desktop app's incoming-call popup is this same page with #incoming: no
// sign-in, no connection, only what main mirrors. Its code is its own chunk:
// the main window's first paint does not carry it.
if (isIncomingPopup() && desktop) {
  void import('./screens/IncomingPopup.svelte').then(({ default: IncomingPopup }) => mount(IncomingPopup, { target, props: { desktop } }));
} else {
  mount(App, { target });
}
