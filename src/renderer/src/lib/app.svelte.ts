/**
 * The composition root: makes each part of the renderer, gives each what it
 * needs, and wires the events between them. It holds no logic of its own
 * beyond that wiring; screens take the parts they show, not this.
 */
import type { SessionReady, UserRef, VoicemailMessage } from 'parley-server/protocol';
import type { CallPlatform } from '../call/call-deps.js';
import { incomingNotice } from '../call/call-title.js';
import { PushToTalk } from '../call/push-to-talk.svelte.js';
import type { NetworkTest } from '../call/test-call/network-test.svelte.js';
import { TonePlayer } from '../call/media/audio.js';
import { Connection } from '../connection/connection.svelte.js';
import type { DesktopBridge } from '../desktop/bridge.svelte.js';
import { followDesktopWindow } from '../desktop/window-shown.js';
import { Directory } from '../directory/directory.svelte.js';
import { CallHistory } from '../directory/history.svelte.js';
import { RoomList } from '../directory/room-list.svelte.js';
import { RecentRooms } from '../directory/rooms.svelte.js';
import { SettingsState } from '../settings/settings-state.svelte.js';
import { leftMessageText } from '../../../shared/voicemail-text.js';
import { Voicemail } from '../voicemail/voicemail.svelte.js';
import { LazyCalls } from './lazy-calls.svelte.js';
import { logger } from './log.js';
import { Notices } from './notices.svelte.js';
import type { Section } from './sections.js';

const log = logger('app');

export class ParleyApp {
  readonly desktop = typeof window !== 'undefined' && window.parley !== undefined;
  section = $state<Section>('contacts');
  readonly notices = new Notices();
  readonly tones = new TonePlayer();
  readonly settings: SettingsState;
  readonly connection: Connection;
  readonly directory: Directory;
  readonly history: CallHistory;
  readonly rooms = new RecentRooms();
  /** The team's rooms, open and kept, as the server lists them. */
  readonly roomList: RoomList;
  /** The calls: idle until their code has loaded (after first paint), then the controller and its parts. */
  readonly calls: LazyCalls;
  /** The microphone closed in calls unless a chosen key is held (a setting). */
  readonly pushToTalk: PushToTalk;
  /** The server answers test calls: Settings → Network offers one. */
  #testCallOffered = $state(false);
  /** Messages left for this user, and the offer to leave one after an unanswered call. */
  readonly voicemail: Voicemail;
  /** The desktop app's mirror and commands, made once its code is here (never in a browser). */
  #bridge: DesktopBridge | null = null;
  /** The bridge's code, asked for at once in the desktop app: it is not needed to paint the contacts. */
  readonly #bridgeCode = typeof window !== 'undefined' && window.parley ? import('../desktop/bridge.svelte.js') : null;
  #disposed = false;
  /** The session the server last took: the call code, loaded later, needs its ICE servers. */
  #ready: SessionReady | null = null;

  /** `platform`: a test's fake; the browser's comes with the call code. */
  constructor(platform?: CallPlatform) {
    const notices = this.notices;
    this.settings = new SettingsState({
      notice: (text) => notices.show(text, 'device'),
      changed: (settings, patch) => {
        this.tones.setVolume(settings.ringtoneVolume);
        if (patch.ringtoneId !== undefined) void this.tones.setSink(settings.ringtoneId);
        this.pushToTalk.refresh();
      },
    });
    this.connection = new Connection({
      status: () => this.directory.chosenStatus,
      watching: () => this.directory.handshakeWatch(),
      accepted: () => {
        void this.directory.load();
        void this.history.load();
        void this.roomList.load();
        void this.voicemail.inbox.load();
      },
      ready: (ready) => {
        notices.resolved('connection');
        this.directory.myStatus = ready.status;
        this.directory.snapshot(ready.presence);
        this.history.missed = ready.missedCalls;
        this.#ready = ready;
        this.calls.sessionReady(ready);
        this.#testCallOffered = ready.testCall === true;
      },
      lost: () => this.calls.parts?.resume.signalingLost(),
      signedOut: () => {
        this.#ready = null;
        if (this.calls.busy) void this.calls.parts?.calls.hangupOrEnd();
        this.directory.clear();
        this.history.clear();
        this.roomList.clear();
        this.voicemail.clear();
        this.section = 'contacts';
      },
      replaced: () => {
        if (this.calls.busy) this.calls.parts?.calls.end('failed', false, 'This call was taken over by another window.');
      },
      inCall: () => this.calls.busy,
    });
    const link = this.connection;
    const me = (): UserRef | null => this.connection.session?.user ?? null;
    this.directory = new Directory({
      link,
      me: () => me()?.username ?? null,
      saveFavorites: (favorites) => this.settings.save({ favorites }),
      owner: () => {
        const session = this.connection.session;
        return session ? { serverUrl: session.serverUrl, username: session.user.username } : null;
      },
    });
    this.history = new CallHistory(link);
    this.roomList = new RoomList(link);
    this.calls = new LazyCalls(link, (heldLink) => ({
      link: heldLink,
      ...(platform && { platform }),
      tones: this.tones,
      notices,
      me,
      lookup: (username: string) => this.directory.ref(username),
      settings: () => this.settings.values,
      rooms: this.rooms,
      history: this.history,
      pushToTalk: this.pushToTalk,
      ready: this.#ready,
      ringing: (from: UserRef, others: UserRef[]) => this.#notifyIncoming(from, others),
      ...(typeof window !== 'undefined' && window.parley && { desktopScreen: window.parley.screen, desktopRecording: window.parley.recording }),
    }));
    this.pushToTalk = new PushToTalk({
      settings: () => this.settings.values,
      live: () => this.calls.talking,
      gate: (closed) => this.calls.parts?.calls.line.setGate(closed),
    });
    this.voicemail = new Voicemail({ link, session: () => this.connection.session, arrived: (message) => this.#voicemailArrived(message) });
    this.voicemail.start(this.calls);
  }

  async start(): Promise<void> {
    this.rooms.load();
    // The network is back (new Wi-Fi, cable): reconnect now, not at the next backoff step.
    window.addEventListener('online', this.#onOnline);
    this.pushToTalk.start(window);
    // The desktop app's key outside the window: said once each time the system refuses it.
    // The desktop app's window on screen or not (its page cannot tell by itself).
    this.#stopShown = window.parley?.desktop && followDesktopWindow(window.parley.desktop);
    this.#stopHookNotices = window.parley?.pushToTalk.onChange((status) => {
      if (status.state === 'unavailable') this.notices.show(`Push to talk works only while Parley's window is in front: ${status.reason}.`, 'call');
    });
    // Read together: each is an IPC round trip in the desktop app, and the contact list waits for them.
    const [favorites] = await Promise.all([this.settings.load(), this.connection.restore()]);
    this.directory.restoreFavorites(favorites);
    // A returning visit: last session's contacts while the server is asked for today's; a first visit: the list
    // early.js asked for while the code loaded (directory/early-directory.ts).
    this.directory.showCached();
    void this.directory.showEarly();
    await this.#startBridge();
  }

  async #startBridge(): Promise<void> {
    const desktop = window.parley?.desktop;
    const code = await this.#bridgeCode?.catch((err: unknown) => log.error('the desktop bridge could not be loaded', err));
    if (!desktop || !code || this.#disposed) return;
    this.#bridge = new code.DesktopBridge(desktop, {
      connection: this.connection,
      directory: this.directory,
      history: this.history,
      voicemail: this.voicemail.inbox,
      rooms: this.rooms,
      calls: this.calls,
      tones: this.tones,
      pushToTalk: this.pushToTalk,
      show: (section) => void this.open(section),
    });
    this.#bridge.start();
  }

  /** Opens a section; History marks missed calls as seen, Voicemail lists anew. */
  async open(section: Section): Promise<void> {
    this.section = section;
    if (section === 'voicemail') return this.voicemail.inbox.load();
    if (section !== 'history') return;
    await this.history.load();
    await this.history.markSeen();
  }

  /** Settings → Network: the network check and the echo test call, whose code loads with Settings; one for the app's life (a run outlives the screen). */
  networkTest(): Promise<NetworkTest> {
    this.#networkTestMade ??= import('../call/test-call/network-test.svelte.js').then(
      ({ NetworkTest }) => new NetworkTest({ link: this.connection, settings: () => this.settings.values, offered: () => this.#testCallOffered }),
      (err: unknown) => {
        this.#networkTestMade = null;
        throw err;
      },
    );
    return this.#networkTestMade;
  }
  #networkTestMade: Promise<NetworkTest> | null = null;

  /** Settings' "Test ringtone": never over a real ring or call. */
  playTestRingtone(): void {
    if (this.calls.busy) return;
    this.tones.play('ringtone');
    clearTimeout(this.#testTone);
    this.#testTone = setTimeout(() => {
      if (!this.calls.busy) this.tones.stop();
    }, 3000);
  }
  #testTone: ReturnType<typeof setTimeout> | undefined;

  async signIn(serverUrl: string, username: string, password: string, allowPlainHttp = false): Promise<void> {
    await this.connection.signIn(serverUrl, username, password, allowPlainHttp);
    this.#askNotificationPermission();
  }

  async register(
    serverUrl: string,
    input: { username: string; password: string; displayName: string; inviteCode?: string },
    allowPlainHttp = false,
  ): Promise<void> {
    await this.connection.register(serverUrl, input, allowPlainHttp);
    this.#askNotificationPermission();
  }

  #askNotificationPermission(): void {
    if (this.desktop || typeof Notification === 'undefined' || Notification.permission !== 'default') return;
    void Notification.requestPermission().catch(() => undefined);
  }

  /** In a browser tab in the background: the system's notification (the desktop app has its own). */
  #notifyIncoming(from: UserRef, others: UserRef[]): void {
    if (this.desktop || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    if (document.hasFocus()) return;
    const { title, body } = incomingNotice(from, others);
    const n = new Notification(title, { body, tag: 'parley-incoming' });
    n.onclick = () => window.focus();
  }

  /** Said at once, and in a browser tab in the background the system's notification (the desktop app's main process shows its own). */
  #voicemailArrived(message: VoicemailMessage): void {
    this.notices.announce(leftMessageText(message));
    if (this.desktop || typeof Notification === 'undefined' || Notification.permission !== 'granted' || document.hasFocus()) return;
    const n = new Notification(leftMessageText(message), { body: 'Open Parley to listen.', tag: 'parley-voicemail' });
    n.onclick = () => {
      window.focus();
      void this.open('voicemail');
    };
  }

  readonly #onOnline = (): void => this.connection.retryNow();
  #stopHookNotices: (() => void) | undefined;
  #stopShown: (() => void) | undefined;

  dispose(): void {
    this.#disposed = true;
    window.removeEventListener('online', this.#onOnline);
    this.#bridge?.dispose();
    this.pushToTalk.dispose();
    this.#stopHookNotices?.();
    this.#stopShown?.();
    this.calls.dispose();
    this.voicemail.dispose();
    this.connection.dispose();
    this.tones.dispose();
    this.settings.dispose();
  }
}
