/**
 * Who is talking in a room on the SFU, as one device's publisher handle
 * hears it: Janus measures each publisher's audio level (the RFC 6464
 * header its browser sets) and tells every publisher handle in the room
 * when one starts or stops talking, naming the feed. This keeps the feeds'
 * display names (the Parley usernames) from the publisher lists the same
 * handle receives, and reports only changes, by username. Each node hears
 * these on its own devices' handles, so nothing is shared between nodes.
 */
import type { Publisher } from 'janode/plugins/videoroom';
import { usernameSchema } from '../protocol/index.js';

export type TalkingReport = (username: string, talking: boolean) => void;

export class TalkingFeeds {
  /** The username of each feed published in the room (not this device's own). */
  private readonly names = new Map<string, string>();
  private readonly talking = new Set<string>();
  /**
   * What Janus last said by event about each feed, named yet or not: a
   * `talking` can be handled before the join's publisher list that names
   * its feed, and is newer than that list's snapshot.
   */
  private readonly heard = new Map<string, boolean>();

  constructor(private readonly report: TalkingReport) {}

  /** Publishers the handle was told about (on joining, or as they start publishing); a list may say one talks already. */
  known(publishers: readonly Publisher[]): void {
    for (const p of publishers) {
      const feed = String(p.feed);
      if (p.display === undefined || !usernameSchema.safeParse(p.display).success) continue;
      this.names.set(feed, p.display);
      const talking = this.heard.get(feed) ?? p.talking;
      if (talking !== undefined) this.change(feed, talking);
    }
  }

  /** Janus's `talking` / `stopped-talking` about a feed (its own feed is unknown here, and ignored). */
  changed(feed: number | string, talking: boolean): void {
    this.heard.set(String(feed), talking);
    this.change(String(feed), talking);
  }

  /** A feed stopped publishing or left: it no longer talks (Janus says nothing more about a feed whose packets stop). */
  gone(feed: number | string): void {
    const key = String(feed);
    this.change(key, false);
    this.names.delete(key);
    this.heard.delete(key);
  }

  private change(feed: string, talking: boolean): void {
    const username = this.names.get(feed);
    if (username === undefined || this.talking.has(feed) === talking) return;
    if (talking) this.talking.add(feed);
    else this.talking.delete(feed);
    this.report(username, talking);
  }
}
