// A minimal Svelte 5 page: the same number of contact rows as the app's
// benchmark team, from a list built into the bundle (no network, no sign-in).
import { mount } from 'svelte';
import { member } from '../../names.js';
import App from './App.svelte';

const size = Number(new URLSearchParams(location.search).get('contacts') ?? 500);
const contacts = Array.from({ length: size }, (_, i) => member(i));
mount(App, { target: document.getElementById('app'), props: { contacts } });
