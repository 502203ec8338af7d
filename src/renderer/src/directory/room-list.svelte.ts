/**
 * The team's rooms as the server lists them (`room:list`), kept current by
 * its `room:listing` events: the rooms open now with who is in each, then
 * the rooms an admin keeps. Each listing and event carries a stamp; with
 * several server nodes two changes of one room may arrive out of order, so
 * news no newer than what is held for a room is dropped (PROTOCOL.md,
 * "Rooms people can find").
 */
import { SvelteMap } from 'svelte/reactivity';
import type { RoomListing, RoomSummary } from 'parley-server/protocol';
import type { SignalingLink } from '../connection/link.js';
import { logger } from '../lib/log.js';

const log = logger('rooms');

interface Held {
  room: RoomSummary | null;
  stamp: number;
}

export class RoomList {
  /** The first listing of this session has arrived. */
  loaded = $state(false);
  /** Each room name's latest news, a removed room's too (null), so older news about it stays dropped. */
  readonly #held = new SvelteMap<string, Held>();
  /** The stamp of the last whole listing: news of a room it did not name must be newer than it. */
  #listedAt = 0;

  readonly #link: SignalingLink;

  constructor(link: SignalingLink) {
    this.#link = link;
    link.on('room:listing', (news) => this.apply(news));
  }

  /** The rooms with people in them (by name), then the empty kept ones (by name). */
  get rooms(): RoomSummary[] {
    const all = [...this.#held.values()].flatMap((h) => (h.room ? [h.room] : []));
    const byName = (a: RoomSummary, b: RoomSummary) => a.name.localeCompare(b.name);
    return [...all.filter((r) => r.participants.length > 0).sort(byName), ...all.filter((r) => r.participants.length === 0).sort(byName)];
  }

  /** The room of that name, if listed. */
  find(name: string): RoomSummary | undefined {
    return this.#held.get(name)?.room ?? undefined;
  }

  /** The whole list, at the start of each session: events missed while disconnected are not sent again. */
  async load(): Promise<void> {
    // Stamps of an earlier session need not compare with this one's (a restarted server counts from 1 again):
    // what is shown stays until the listing replaces it, but any news of this session is newer.
    for (const [name, held] of [...this.#held]) this.#held.set(name, { ...held, stamp: 0 });
    this.#listedAt = 0;
    const res = await this.#link.request('room:list', {});
    if (!res.ok) {
      log.warn('room:list refused:', res.code, res.message);
      return;
    }
    this.replace(res.rooms, res.stamp);
  }

  /** A listing: what it says wins over anything older; news that arrived while it was on its way and is newer stays. */
  replace(rooms: readonly RoomSummary[], stamp: number): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, never rendered
    const listed = new Map(rooms.map((r) => [r.name, r]));
    for (const [name, held] of [...this.#held]) {
      if (held.stamp > stamp) listed.delete(name);
      else if (!listed.has(name)) this.#held.delete(name);
    }
    for (const [name, room] of listed) this.#held.set(name, { room, stamp });
    this.#listedAt = Math.max(this.#listedAt, stamp);
    this.loaded = true;
  }

  /** One room changed: taken if it is newer than what is held for that room. */
  apply(news: RoomListing): void {
    const known = this.#held.get(news.name)?.stamp ?? this.#listedAt;
    if (news.stamp <= known) return;
    this.#held.set(news.name, { room: news.room, stamp: news.stamp });
  }

  /** Signed out: nothing of this team's rooms stays. */
  clear(): void {
    this.#held.clear();
    this.#listedAt = 0;
    this.loaded = false;
  }
}
