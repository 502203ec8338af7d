/**
 * The in-page stopwatch of the call benchmark, injected before a page loads
 * (after the e2e harness's own instrumentation). Every time is taken inside
 * the page, as `performance.timeOrigin + …` so that times from two pages of
 * one machine can be subtracted:
 *
 * - Socket.IO `call:*` messages and their acknowledgements (a WebSocket wrapper);
 * - getUserMedia calls, AudioContexts made and senders' setParameters and replaceTrack (main-thread work worth seeing);
 * - clicks on buttons (the event's own timestamp: when the input arrived);
 * - each new `data-state` of the call panel (a MutationObserver: the moment
 *   the DOM shows it), and when the frame that shows it has been drawn: the
 *   first task after the next animation frame (`scheduler.postTask` at
 *   `user-blocking`, ahead of the page's own timers), so that the frame's
 *   style, layout and paint are in, wherever they happen (a pointer resting on a
 *   page makes Chromium lay out a changed page before those callbacks, to
 *   update hover: the figure then depended on where the last click was);
 * - for each RTCPeerConnection: when it was made, when its `connectionState`
 *   became `connected`, when its inbound audio first had a packet and when its
 *   `audioLevel` first went above the threshold (getStats polled in the page
 *   every few milliseconds once connected);
 * - for each received audio track, when the page's audio thread first renders
 *   a sample above the threshold (an AudioWorklet fed the track): the sound
 *   itself, which a busy main thread cannot make late, as the polls can.
 *
 * Node only reads the records after the fact, so its own polling adds nothing.
 */

export interface PeerRecord {
  created: number;
  connected: number | null;
  /** The first audio packet delivered to the receiving track (RTCRtpReceiver.getSynchronizationSources, exact). */
  firstPlayed: number | null;
  /** The first such packet whose level (RFC 6464, set by the sender) is above the threshold (exact). */
  heard: number | null;
  /**
   * getStats() inbound-rtp `audioLevel` first above the threshold, as the page saw it. Chromium
   * keeps a stats report for 50 ms, so this lags the level by up to 50 ms (see `polls`, `freshReports`).
   */
  audible: number | null;
  /**
   * The first received sample above the threshold, as the page's audio thread rendered it (an
   * AudioWorklet on the track; its audio-clock time put on the page's clock by getOutputTimestamp).
   */
  sounded: number | null;
  polls: number;
  freshReports: number;
  /** What happened to this connection, in order: methods called and events fired. */
  trace: { e: string; t: number }[];
}

export interface ProbeRecord {
  clicks: { name: string; t: number }[];
  /** `t`: the DOM shows the state; `painted`: the task after the next animation frame, once that frame is drawn. */
  states: { state: string; t: number; painted: number | null }[];
  /** Socket.IO call events and their acknowledgements, as the WebSocket sent or received them. */
  messages: { e: string; t: number }[];
  /** Other work on the page's main thread: getUserMedia calls, AudioContexts made. */
  work: { e: string; t: number }[];
  pcs: PeerRecord[];
}

export interface ProbeWindow {
  __bench: ProbeRecord;
  __benchReset: () => void;
  /**
   * From now on the statistics are read too (getStats(), every statsPollMs). Armed at the answer, not at the
   * connection: a call connected while it rings would otherwise be read every 5 ms through its ring, which held the
   * app's main thread (its reports are larger than the bare pair's: video transceivers, a data channel) and delayed
   * the Answer click's handler by 4 to 14 ms.
   */
  __benchArm: () => void;
}

/** What callProbe uses (it cannot import them: keep the two in step). */
export const PROBE_SETTINGS = {
  /** Above this `audioLevel` the audio is not silence (silence reads about 3e-5). */
  audibleLevel: 0.01,
  /** How often each connected peer connection's statistics are read. */
  statsPollMs: 5,
};

export function callProbe(): void {
  // Self-contained: Playwright injects this function's source, nothing it imports.
  const AUDIBLE_LEVEL = 0.01;
  const POLL_MS = 5;
  const GIVE_UP_MS = 20_000;
  const w = window as unknown as ProbeWindow;
  const now = () => performance.timeOrigin + performance.now();
  let armed = false;
  w.__benchReset = () => {
    w.__bench = { clicks: [], states: [], messages: [], work: [], pcs: [] };
    armed = false;
  };
  w.__benchArm = () => (armed = true);
  w.__benchReset();

  window.addEventListener(
    'click',
    (event) => {
      const button = (event.target as Element | null)?.closest('button');
      if (!button) return;
      const name = button.getAttribute('aria-label') ?? button.textContent.trim();
      w.__bench.clicks.push({ name, t: performance.timeOrigin + event.timeStamp });
      // How long the input waited for the main thread: its handlers run from here.
      work(`${name} click dispatched`);
    },
    true,
  );

  let shown: string | null = null;
  new MutationObserver(() => {
    const state = document.querySelector('section.call[data-state]')?.getAttribute('data-state') ?? null;
    if (state === shown) return;
    shown = state;
    if (!state) return;
    const entry = { state, t: now(), painted: null as number | null };
    w.__bench.states.push(entry);
    // The frame's own work (style, layout, paint) follows the frame's callbacks in its task; a task of the
    // highest priority runs next, before the page's timers (Parley's after-paint work is one).
    requestAnimationFrame(() => void scheduler.postTask(() => (entry.painted = now()), { priority: 'user-blocking' }));
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });

  // Engine.IO message "4", Socket.IO EVENT "2" or ACK "3", an optional ack id, then the JSON array.
  const pendingAcks = new Map<string, string>();
  const socketMessage = (direction: 'sent' | 'received', data: unknown) => {
    if (typeof data !== 'string') return;
    const m = /^4([23])(\d*)\[(?:"([^"]+)")?/.exec(data);
    if (!m) return;
    const [, kind, id = '', event] = m;
    if (kind === '2' && event?.startsWith('call:')) {
      if (id) pendingAcks.set(id, event);
      w.__bench.messages.push({ e: `${direction} ${event}`, t: now() });
    } else if (kind === '3' && pendingAcks.has(id)) {
      w.__bench.messages.push({ e: `${direction} ack of ${pendingAcks.get(id)!}`, t: now() });
      pendingAcks.delete(id);
    }
  };
  const BaseSocket = window.WebSocket;
  window.WebSocket = class extends BaseSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (event: MessageEvent) => socketMessage('received', event.data));
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      socketMessage('sent', data);
      super.send(data as string);
    }
  };

  const work = (e: string, t = now()) => w.__bench.work.push({ e, t });
  const openMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    work('getUserMedia called');
    const stream = await openMedia(constraints);
    work('getUserMedia resolved');
    return stream;
  };
  const BaseAudioContext = window.AudioContext;
  // The probe's own context (not recorded as the page's work), made at the first received track.
  let probeContext: { context: AudioContext; ready: Promise<void> } | null = null;
  // Posts the audio-clock time of the first sample above the threshold, then stops. From a blob: the
  // benchmark's contexts bypass the app's CSP for it (`bypassCSP`; nothing else of the app changes).
  const WORKLET = `registerProcessor('bench-sounded', class extends AudioWorkletProcessor {
    process(inputs) {
      const samples = inputs[0] && inputs[0][0];
      if (!samples) return true;
      for (let i = 0; i < samples.length; i++) {
        if (Math.abs(samples[i]) > ${AUDIBLE_LEVEL}) {
          this.port.postMessage(currentTime + i / sampleRate);
          return false;
        }
      }
      return true;
    }
  });`;
  const soundedOn = async (track: MediaStreamTrack, record: PeerRecord): Promise<void> => {
    probeContext ??= (() => {
      const context = new BaseAudioContext();
      return { context, ready: context.audioWorklet.addModule(URL.createObjectURL(new Blob([WORKLET], { type: 'text/javascript' }))) };
    })();
    const { context, ready } = probeContext;
    await ready;
    const source = context.createMediaStreamSource(new MediaStream([track]));
    const node = new AudioWorkletNode(context, 'bench-sounded');
    node.port.onmessage = ({ data }: MessageEvent<number>) => {
      const stamp = context.getOutputTimestamp();
      // Output time less the context's own way to the speaker: when the audio thread rendered it.
      const latency = context.baseLatency + context.outputLatency;
      record.sounded = performance.timeOrigin + stamp.performanceTime! + (data - stamp.contextTime! - latency) * 1000;
      record.trace.push({ e: `audio-thread probe: output latency ${(latency * 1000).toFixed(1)} ms`, t: now() });
      source.disconnect();
      node.disconnect();
    };
    source.connect(node).connect(context.destination);
  };
  window.AudioContext = class extends BaseAudioContext {
    constructor(options?: AudioContextOptions) {
      const started = now();
      super(options);
      work(`new AudioContext (${(now() - started).toFixed(1)} ms)`, started);
    }
  };

  // Senders turned on and off (hold, and the media of a call connected while it rang starting at the answer).
  // eslint-disable-next-line @typescript-eslint/unbound-method -- applied to each sender below
  const setParameters = RTCRtpSender.prototype.setParameters;
  RTCRtpSender.prototype.setParameters = async function (this: RTCRtpSender, ...args: Parameters<RTCRtpSender['setParameters']>) {
    const active = args[0].encodings[0]?.active;
    work(`${this.track?.kind ?? 'no'} sender setParameters(active ${String(active)}) called`);
    await setParameters.apply(this, args);
    work(`${this.track?.kind ?? 'no'} sender setParameters(active ${String(active)}) done`);
  };

  // The microphone given to a sender (or taken off it) at the answer: when each side's sound starts.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- applied to each sender below
  const replaceTrack = RTCRtpSender.prototype.replaceTrack;
  RTCRtpSender.prototype.replaceTrack = async function (this: RTCRtpSender, track: MediaStreamTrack | null) {
    work(`replaceTrack(${track ? track.kind : 'null'}) called`);
    await replaceTrack.call(this, track);
    work(`replaceTrack(${track ? track.kind : 'null'}) done`);
  };

  // A microphone muted or unmuted by its track's `enabled` (the app's mute): only changes are noted, not each write of
  // the same value.
  const enabled = Object.getOwnPropertyDescriptor(MediaStreamTrack.prototype, 'enabled')!;
  Object.defineProperty(MediaStreamTrack.prototype, 'enabled', {
    ...enabled,
    set(this: MediaStreamTrack, on: boolean) {
      if (on !== enabled.get!.call(this)) work(`${this.kind} track ${on ? 'enabled' : 'disabled'}`);
      enabled.set!.call(this, on);
    },
  });
  // The callee's answered word (the chat channel's `answered`), when it is sent.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- applied to each channel below
  const channelSend = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: unknown) {
    if (typeof data === 'string' && data.includes('"answered"')) work('sent the answered word');
    (channelSend as (this: RTCDataChannel, d: unknown) => void).call(this, data);
  };

  const Base = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Base {
    constructor(config?: RTCConfiguration) {
      super(config);
      const record: PeerRecord = { created: now(), connected: null, firstPlayed: null, heard: null, audible: null, sounded: null, polls: 0, freshReports: 0, trace: [] };
      w.__bench.pcs.push(record);
      const note = (e: string) => record.trace.push({ e, t: now() });
      for (const method of ['setLocalDescription', 'setRemoteDescription', 'addIceCandidate', 'createOffer', 'createAnswer'] as const) {
        const original = this[method].bind(this) as (...args: unknown[]) => Promise<unknown>;
        (this as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
          const arg = args[0] as { type?: string; candidate?: unknown } | null | undefined;
          const what = typeof arg?.candidate === 'string' ? arg.candidate.split(' ').slice(2, 8).join(' ') : (arg?.type ?? '');
          note(`${method}(${what}) called`);
          const result = await original(...args);
          note(`${method}(${what}) done`);
          return result;
        };
      }
      this.addEventListener('icecandidate', ({ candidate }) => note(`icecandidate ${candidate ? candidate.candidate.split(' ').slice(2, 8).join(' ') : 'null'}`));
      this.addEventListener('icegatheringstatechange', () => note(`gathering ${this.iceGatheringState}`));
      this.addEventListener('iceconnectionstatechange', () => note(`ice ${this.iceConnectionState}`));
      this.addEventListener('signalingstatechange', () => note(`signaling ${this.signalingState}`));
      this.addEventListener('negotiationneeded', () => note('negotiationneeded'));
      this.addEventListener('track', ({ track }) => {
        note('track');
        if (track.kind === 'audio') soundedOn(track, record).catch((err: unknown) => note(`the audio-thread probe failed: ${String(err)}`));
      });

      let lastStamp = -1;
      const poll = async (): Promise<void> => {
        if (this.connectionState === 'closed' || now() - record.created > GIVE_UP_MS) return;
        for (const receiver of this.getReceivers()) {
          if (receiver.track.kind !== 'audio') continue;
          for (const source of receiver.getSynchronizationSources()) {
            record.firstPlayed ??= source.timestamp;
            if (record.heard === null && (source.audioLevel ?? 0) > AUDIBLE_LEVEL) record.heard = source.timestamp;
          }
        }
        if (record.audible === null && armed) {
          const report = await this.getStats();
          const t = now();
          record.polls++;
          for (const s of report.values() as IterableIterator<{ type: string; kind?: string; timestamp: number; audioLevel?: number }>) {
            if (s.type !== 'inbound-rtp' || s.kind !== 'audio') continue;
            if (s.timestamp !== lastStamp) record.freshReports++;
            lastStamp = s.timestamp;
            if ((s.audioLevel ?? 0) > AUDIBLE_LEVEL) record.audible = t;
          }
        }
        if (record.audible === null || record.heard === null) setTimeout(() => void poll(), POLL_MS);
      };
      this.addEventListener('connectionstatechange', () => {
        note(`connection ${this.connectionState}`);
        if (this.connectionState !== 'connected' || record.connected !== null) return;
        record.connected = now();
        void poll();
      });
    }
  };
}
