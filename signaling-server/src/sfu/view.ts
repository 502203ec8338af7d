/**
 * A device's view of the others on the SFU (`sfu:view`), as Janus's
 * subscriber `configure`: each video stream of its subscription relayed or
 * not, and at which simulcast layer. Pure: the subscription's streams, the
 * view and what Janus was last told in; the changes out.
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

const SUBSTREAM: Record<Exclude<SfuVideoLayer, 'off'>, number> = { low: 0, medium: 1, high: 2 };

/** Janus's own start for a subscribed stream: relayed, at the highest layer. */
const DEFAULT: SfuVideoLayer = 'high';

function settingOf(mid: string, layer: SfuVideoLayer): StreamSetting {
  return layer === 'off' ? { mid, send: false } : { mid, send: true, substream: SUBSTREAM[layer] };
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
 * (publishers by username; anyone not in it: `high`), given `applied` (the
 * layer each track was last set to, by key; none yet: Janus's default). Only changes.
 */
export function viewChanges(streams: readonly VideoRoomStream[], view: ReadonlyMap<string, SfuVideoLayer>, applied: ReadonlyMap<string, SfuVideoLayer>): ViewChange[] {
  const changes: ViewChange[] = [];
  for (const s of streams) {
    if (s.type !== 'video' || s.active === false || typeof s.feed_display !== 'string') continue;
    const key = `${String(s.feed_id)}/${String(s.feed_mid)}`;
    const layer = view.get(s.feed_display) ?? DEFAULT;
    if ((applied.get(key) ?? DEFAULT) !== layer) changes.push({ key, layer, setting: settingOf(s.mid, layer) });
  }
  return changes;
}
