/**
 * A device's view of the others on the SFU (`sfu:view`), as Janus's
 * subscriber `configure`: each video stream of its subscription relayed or
 * not, and a camera at which simulcast layer (a shared screen is sent in
 * one). Pure: the subscription's streams, the view and what Janus was last
 * told in; the changes out.
 */
import type { VideoRoomStream } from 'janode/plugins/videoroom';
import type { SfuVideoLayer } from '../protocol/index.js';

/** What one video stream of the subscription relays. */
export interface StreamSetting {
  mid: string;
  send: boolean;
  /** Janus's simulcast substream: 0 is the lowest layer. Kept as it was while not sent. */
  substream?: number;
}

/** How a publisher's shared screen is described to Janus (participant.ts), which names it so in subscriptions (`feed_description`). */
export const SCREEN_DESCRIPTION = 'screen';

/** What a device wants of one publisher: their camera at a layer, and their screen or not (unsaid: yes). */
export interface FeedView {
  video: SfuVideoLayer;
  screen?: boolean;
}

const SUBSTREAM: Record<Exclude<SfuVideoLayer, 'off'>, number> = { low: 0, medium: 1, high: 2 };

/** Janus's own start for a subscribed stream: relayed, at the highest layer. */
const DEFAULT: SfuVideoLayer = 'high';

function settingOf(mid: string, layer: SfuVideoLayer, screen: boolean): StreamSetting {
  if (layer === 'off') return { mid, send: false };
  return screen ? { mid, send: true } : { mid, send: true, substream: SUBSTREAM[layer] };
}

/** One stream's setting to send, and what it makes of the stream's layer. */
export interface ViewChange {
  /** The publisher's track (feed and its mid there): a subscription's mid can later carry someone else. */
  key: string;
  layer: SfuVideoLayer;
  setting: StreamSetting;
}

/**
 * The settings to send so that each video stream of `streams` matches `view`
 * (publishers by username; anyone not in it: `high`, their screen on), given
 * `applied` (the layer each track was last set to, by key; none yet: Janus's
 * default). A screen is `off` or `high`. Only changes.
 */
export function viewChanges(streams: readonly VideoRoomStream[], view: ReadonlyMap<string, FeedView>, applied: ReadonlyMap<string, SfuVideoLayer>): ViewChange[] {
  const changes: ViewChange[] = [];
  for (const s of streams) {
    if (s.type !== 'video' || s.active === false || typeof s.feed_display !== 'string') continue;
    const key = trackKey(s);
    const wanted = view.get(s.feed_display);
    const isScreen = s.feed_description === SCREEN_DESCRIPTION;
    const layer = isScreen ? (wanted?.screen === false ? 'off' : DEFAULT) : (wanted?.video ?? DEFAULT);
    if ((applied.get(key) ?? DEFAULT) !== layer) changes.push({ key, layer, setting: settingOf(s.mid, layer, isScreen) });
  }
  return changes;
}

/**
 * The applied layers that still hold: a track no longer relayed (a camera
 * turned off, a publisher gone) comes back as a new Janus stream at Janus's
 * default, so its old entry would make a view equal to it send nothing.
 */
export function stillApplied(streams: readonly VideoRoomStream[], applied: ReadonlyMap<string, SfuVideoLayer>): Map<string, SfuVideoLayer> {
  const relayed = new Set(streams.filter((s) => s.type === 'video' && s.active !== false).map(trackKey));
  return new Map([...applied].filter(([key]) => relayed.has(key)));
}

/** The publisher's track a subscription's stream carries: its feed and its mid there. */
export function trackKey(s: VideoRoomStream): string {
  return `${String(s.feed_id)}/${String(s.feed_mid)}`;
}
