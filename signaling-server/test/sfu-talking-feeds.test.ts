/**
 * The order of what Janus says about who talks, as the server handles it:
 * a publisher handle can hear a feed start talking before the server has
 * read the join's publisher list that names the feed (the list waits on the
 * join's promise, the event does not). The event is the newer word.
 */
import type { Publisher } from 'janode/plugins/videoroom';
import { describe, expect, it } from 'vitest';
import { TalkingFeeds } from '../src/sfu/talking.js';

function feeds(): { feeds: TalkingFeeds; reports: string[] } {
  const reports: string[] = [];
  return { feeds: new TalkingFeeds((username, talking) => reports.push(`${username} ${talking ? 'talks' : 'stops'}`)), reports };
}

const publisher = (feed: number, display: string, talking?: boolean): Publisher => ({ feed, display, talking });

describe('who talks on the SFU, whatever order Janus is heard in', () => {
  it('a feed heard talking before its name is known is reported once named, over the older list', () => {
    const { feeds: t, reports } = feeds();
    t.changed(7, true);
    expect(reports).toEqual([]);
    t.known([publisher(7, 'dave', false)]);
    expect(reports).toEqual(['dave talks']);
  });

  it('the list says who talks when no event came first; changes only are reported', () => {
    const { feeds: t, reports } = feeds();
    t.known([publisher(1, 'alice', true), publisher(2, 'bob', false)]);
    t.changed(1, true);
    t.changed(2, true);
    t.changed(2, false);
    expect(reports).toEqual(['alice talks', 'bob talks', 'bob stops']);
  });

  it('a feed that goes is silent, and what was heard of it is forgotten', () => {
    const { feeds: t, reports } = feeds();
    t.known([publisher(3, 'carol')]);
    t.changed(3, true);
    t.gone(3);
    t.known([publisher(3, 'carol', false)]);
    expect(reports).toEqual(['carol talks', 'carol stops']);
  });

  it('a display name that is not a username is never reported', () => {
    const { feeds: t, reports } = feeds();
    t.changed(4, true);
    t.known([publisher(4, 'not a username!')]);
    expect(reports).toEqual([]);
  });
});
