import { mount } from 'svelte';
import App from './App.svelte';
import { isIncomingPopup } from './desktop/desktop.js';
import IncomingPopup from './screens/IncomingPopup.svelte';
import { loadCallStage } from './screens/call/stage-loader.js';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
const desktop = window.parley?.desktop;

// The desktop app's incoming-call popup is this same page with #incoming: no
// sign-in, no connection, only what main mirrors.
const popup = isIncomingPopup() && desktop;
// Fetched and compiled while the shell mounts and the server answers (stage-loader.ts).
if (!popup) loadCallStage().catch(() => undefined);
export default popup ? mount(IncomingPopup, { target, props: { desktop } }) : mount(App, { target });
