/**
 * What a recording hears and sees: every voice of the call mixed into one
 * audio track (an AudioContext, a source per stream, all into one
 * MediaStreamDestination), and, when the call has video, one video track
 * drawn from the stage's main video (a canvas, so the track stays the same
 * while the video behind it comes, goes or changes hands).
 */

/** One stream to mix: this side's microphone or a peer's audio. `silent`: heard as nothing (muted). */
export interface MixSource {
  key: string;
  stream: MediaStream;
  silent: boolean;
}

interface Input {
  stream: MediaStream;
  node: MediaStreamAudioSourceNode;
  gain: GainNode;
}

const FRAME_MS = 66;
const WIDTH = 1280;
const HEIGHT = 720;

export class RecordingMix {
  readonly #context = new AudioContext();
  readonly #destination = this.#context.createMediaStreamDestination();
  // Bookkeeping of audio nodes, never rendered.
  readonly #inputs = new Map<string, Input>();
  #canvas: { element: HTMLCanvasElement; draw: CanvasRenderingContext2D; timer: ReturnType<typeof setInterval>; track: MediaStreamTrack } | null = null;
  readonly #players = new Map<MediaStream, HTMLVideoElement>();

  /** The mixed audio, and the stage's video when `withVideo` (its frames come from `mainVideo` each time one is drawn). */
  stream(withVideo: boolean, mainVideo: () => MediaStream | null): MediaStream {
    void this.#context.resume();
    const tracks: MediaStreamTrack[] = [...this.#destination.stream.getAudioTracks()];
    if (withVideo) tracks.push(this.#startVideo(mainVideo));
    return new MediaStream(tracks);
  }

  /** Mixes exactly `sources` from now on: new ones join, gone ones leave, muted ones fall silent. */
  sync(sources: MixSource[]): void {
    const wanted = new Set<string>();
    for (const source of sources) {
      if (source.stream.getAudioTracks().length === 0) continue;
      wanted.add(source.key);
      let input = this.#inputs.get(source.key);
      if (input && input.stream !== source.stream) {
        this.#drop(source.key);
        input = undefined;
      }
      if (!input) {
        const node = this.#context.createMediaStreamSource(source.stream);
        const gain = this.#context.createGain();
        node.connect(gain).connect(this.#destination);
        input = { stream: source.stream, node, gain };
        this.#inputs.set(source.key, input);
      }
      input.gain.gain.value = source.silent ? 0 : 1;
    }
    for (const key of [...this.#inputs.keys()]) if (!wanted.has(key)) this.#drop(key);
  }

  close(): void {
    for (const key of [...this.#inputs.keys()]) this.#drop(key);
    if (this.#canvas) {
      clearInterval(this.#canvas.timer);
      this.#canvas.track.stop();
      this.#canvas = null;
    }
    for (const player of this.#players.values()) player.srcObject = null;
    this.#players.clear();
    void this.#context.close();
  }

  #drop(key: string): void {
    const input = this.#inputs.get(key);
    if (!input) return;
    input.node.disconnect();
    input.gain.disconnect();
    this.#inputs.delete(key);
  }

  /** A canvas the size of a 720p frame, drawn ~15 times a second with the main video fitted in (black when there is none). */
  #startVideo(mainVideo: () => MediaStream | null): MediaStreamTrack {
    const element = document.createElement('canvas');
    element.width = WIDTH;
    element.height = HEIGHT;
    const draw = element.getContext('2d');
    const [track] = element.captureStream(15).getVideoTracks();
    if (!draw || !track) throw new Error('no canvas to record the video on');
    const timer = setInterval(() => this.#frame(draw, mainVideo()), FRAME_MS);
    this.#canvas = { element, draw, timer, track };
    return track;
  }

  #frame(draw: CanvasRenderingContext2D, stream: MediaStream | null): void {
    draw.fillStyle = '#000';
    draw.fillRect(0, 0, WIDTH, HEIGHT);
    if (!stream) return;
    const player = this.#player(stream);
    if (player.videoWidth === 0 || player.videoHeight === 0) return;
    const scale = Math.min(WIDTH / player.videoWidth, HEIGHT / player.videoHeight);
    const w = player.videoWidth * scale;
    const h = player.videoHeight * scale;
    draw.drawImage(player, (WIDTH - w) / 2, (HEIGHT - h) / 2, w, h);
  }

  /** A muted, unattached player for the main stream's video; players of streams no longer main are let go. */
  #player(stream: MediaStream): HTMLVideoElement {
    for (const [other, old] of this.#players) {
      if (other === stream) continue;
      old.srcObject = null;
      this.#players.delete(other);
    }
    let player = this.#players.get(stream);
    if (!player) {
      player = document.createElement('video');
      player.muted = true;
      player.playsInline = true;
      player.srcObject = stream;
      void player.play().catch(() => undefined);
      this.#players.set(stream, player);
    }
    return player;
  }
}
