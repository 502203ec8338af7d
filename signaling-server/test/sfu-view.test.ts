/** A device's view as Janus subscriber settings (src/sfu/view.ts): only what changed, per publisher's track. */
import type { VideoRoomStream } from 'janode/plugins/videoroom';
import { describe, expect, it, vi } from 'vitest';
import type { SfuVideoLayer } from '../src/protocol/index.js';
import { LayerSwitches, SWITCH_RETRY_MS } from '../src/sfu/layer-switches.js';
import { stillApplied, viewChanges, type FeedView, type StreamSetting } from '../src/sfu/view.js';

const video = (mid: string, who: string, feed: number): VideoRoomStream => ({ type: 'video', mid, feed_id: feed, feed_mid: '1', feed_display: who });
const audio = (mid: string, who: string, feed: number): VideoRoomStream => ({ type: 'audio', mid, feed_id: feed, feed_mid: '0', feed_display: who });
const streams = [audio('0', 'alice', 11), video('1', 'alice', 11), audio('2', 'carol', 12), video('3', 'carol', 12)];
const view = (entries: [string, SfuVideoLayer][]) => new Map<string, FeedView>(entries.map(([who, video]) => [who, { video }]));

describe('the view as subscriber settings', () => {
  it('sets each video stream to its layer (audio is never touched); nobody in the view is left at the default', () => {
    expect(viewChanges(streams, view([['alice', 'off'], ['carol', 'low']]), new Map())).toEqual([
      { key: '11/1', layer: 'off', setting: { mid: '1', send: false } },
      { key: '12/1', layer: 'low', setting: { mid: '3', send: true, substream: 0 } },
    ]);
    expect(viewChanges(streams, view([]), new Map())).toEqual([]);
    expect(viewChanges(streams, view([['alice', 'medium']]), new Map())).toEqual([{ key: '11/1', layer: 'medium', setting: { mid: '1', send: true, substream: 1 } }]);
  });

  it('sends only changes: what was applied stays, and someone dropped from the view goes back to the default', () => {
    const applied = new Map<string, SfuVideoLayer>([
      ['11/1', 'off'],
      ['12/1', 'low'],
    ]);
    expect(viewChanges(streams, view([['alice', 'off'], ['carol', 'low']]), applied)).toEqual([]);
    expect(viewChanges(streams, view([['alice', 'off']]), applied)).toEqual([{ key: '12/1', layer: 'high', setting: { mid: '3', send: true, substream: 2 } }]);
  });

  it("a subscription mid that now carries someone else starts from Janus's default, not from the last one's setting", () => {
    const applied = new Map<string, SfuVideoLayer>([['11/1', 'off']]);
    const reused = [video('1', 'dave', 14)];
    expect(viewChanges(reused, view([['dave', 'off']]), applied)).toEqual([{ key: '14/1', layer: 'off', setting: { mid: '1', send: false } }]);
    // Inactive streams (a publisher who left) and streams without a name are skipped.
    expect(viewChanges([{ ...video('1', 'dave', 14), active: false }, { type: 'video', mid: '5' }], view([['dave', 'off']]), new Map())).toEqual([]);
  });

  it('a camera turned off and on again starts from the default: its old layer is forgotten once it is no longer relayed', () => {
    const applied = new Map<string, SfuVideoLayer>([
      ['11/1', 'low'],
      ['12/1', 'medium'],
    ]);
    // Alice's camera went (Janus's offer lists it inactive), carol's stays.
    const kept = stillApplied([{ ...video('1', 'alice', 11), active: false }, video('3', 'carol', 12)], applied);
    expect([...kept]).toEqual([['12/1', 'medium']]);
    // Back on the same feed and mid, it is relayed at Janus's default: a view of "low" must be sent again.
    expect(viewChanges(streams, view([['alice', 'low'], ['carol', 'medium']]), kept)).toEqual([{ key: '11/1', layer: 'low', setting: { mid: '1', send: true, substream: 0 } }]);
  });

  it("a shared screen is relayed whole (it has one layer) whatever the camera's layer, and stopped only when the view says so", () => {
    const screen = (mid: string, who: string, feed: number): VideoRoomStream => ({ type: 'video', mid, feed_id: feed, feed_mid: '2', feed_display: who, feed_description: 'screen' });
    const withScreen = [...streams, screen('4', 'alice', 11)];
    expect(viewChanges(withScreen, view([['alice', 'low']]), new Map())).toEqual([{ key: '11/1', layer: 'low', setting: { mid: '1', send: true, substream: 0 } }]);
    const hidden = new Map<string, FeedView>([['alice', { video: 'off', screen: false }]]);
    expect(viewChanges(withScreen, hidden, new Map())).toEqual([
      { key: '11/1', layer: 'off', setting: { mid: '1', send: false } },
      { key: '11/2', layer: 'off', setting: { mid: '4', send: false } },
    ]);
    expect(viewChanges(withScreen, view([['alice', 'off']]), new Map([['11/2', 'off' as const]]))).toEqual([
      { key: '11/1', layer: 'off', setting: { mid: '1', send: false } },
      { key: '11/2', layer: 'high', setting: { mid: '4', send: true } },
    ]);
  });
});

describe('layer changes seen through', () => {
  const low = { key: '11/1', layer: 'low' as const, setting: { mid: '1', send: true, substream: 0 } };
  const screenOff = { key: '12/2', layer: 'off' as const, setting: { mid: '3', send: false } };
  const watch = () => {
    vi.useFakeTimers();
    const sent: StreamSetting[][] = [];
    return { sent, switches: new LayerSwitches((s) => sent.push(s)) };
  };

  it('asks again, a few times, for a layer Janus has not switched to (its keyframe request may have been ignored); a stream turned off is not watched', () => {
    const { sent, switches } = watch();
    switches.asked([low, screenOff]);
    vi.advanceTimersByTime(SWITCH_RETRY_MS);
    expect(sent).toEqual([[low.setting]]);
    // Janus relays the layer below the one asked for (what the publisher still sends): not the switch.
    switches.switched('1', 1);
    vi.advanceTimersByTime(10 * SWITCH_RETRY_MS);
    expect(sent).toEqual([[low.setting], [low.setting], [low.setting]]);
    vi.useRealTimers();
  });

  it('stops once Janus reports the switch, or the mid carries another track', () => {
    const { sent, switches } = watch();
    switches.asked([low]);
    switches.switched('1', 0);
    vi.advanceTimersByTime(5 * SWITCH_RETRY_MS);
    switches.asked([low]);
    switches.renegotiated(new Map([['1', '13/1']]));
    vi.advanceTimersByTime(5 * SWITCH_RETRY_MS);
    expect(sent).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });
});
