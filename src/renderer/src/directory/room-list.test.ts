/**
 * The team's list of rooms: the listing, each change the server tells, in
 * the order of their stamps whatever the order they arrive in, and a new
 * session (a restarted server counts its stamps from 1 again).
 */
import { describe, expect, it } from 'vitest';
import type { RoomSummary } from 'parley-server/protocol';
import { FakeLink, user } from '../test-support/call-fakes.js';
import { RoomList } from './room-list.svelte.js';

const room = (name: string, people: string[], over: Partial<RoomSummary> = {}): RoomSummary => ({
  name,
  participants: people.map(user),
  hasCode: false,
  kept: false,
  ...over,
});

function setup(rooms: RoomSummary[] = [], stamp = 10) {
  const link = new FakeLink();
  link.replies.set('room:list', () => ({ ok: true, rooms, stamp }));
  const list = new RoomList(link);
  const shown = () => list.rooms.map((r) => `${r.name}: ${r.participants.map((p) => p.displayName).join(', ')}`);
  return { link, list, shown };
}

describe('the list of rooms', () => {
  it('shows the listing, rooms with people first, and follows each room opening, filling and closing', async () => {
    const { link, list, shown } = setup([room('board', [], { kept: true, hasCode: true }), room('standup', ['alice'])]);
    expect(list.loaded).toBe(false);
    await list.load();
    expect(list.loaded).toBe(true);
    expect(shown()).toEqual(['standup: Alice', 'board: ']);
    expect(list.find('board')).toMatchObject({ kept: true, hasCode: true });

    link.emit('room:listing', { name: 'standup', room: room('standup', ['alice', 'bob']), stamp: 11 });
    link.emit('room:listing', { name: 'design', room: room('design', ['carol'], { hasCode: true }), stamp: 12 });
    expect(shown()).toEqual(['design: Carol', 'standup: Alice, Bob', 'board: ']);
    link.emit('room:listing', { name: 'standup', room: null, stamp: 13 });
    expect(shown()).toEqual(['design: Carol', 'board: ']);
    expect(list.find('standup')).toBeUndefined();
  });

  it('drops news older than what it holds for a room: two server nodes may tell two changes out of order', async () => {
    const { link, list, shown } = setup([room('standup', ['alice'])], 10);
    await list.load();
    link.emit('room:listing', { name: 'standup', room: room('standup', ['alice', 'bob', 'carol']), stamp: 15 });
    link.emit('room:listing', { name: 'standup', room: room('standup', ['alice', 'bob']), stamp: 14 });
    expect(shown()).toEqual(['standup: Alice, Bob, Carol']);
    // A room closed after the listing, then older news of it: it stays closed.
    link.emit('room:listing', { name: 'standup', room: null, stamp: 16 });
    link.emit('room:listing', { name: 'standup', room: room('standup', ['alice']), stamp: 12 });
    // Older than the listing itself, about a room it did not name.
    link.emit('room:listing', { name: 'design', room: room('design', ['carol']), stamp: 9 });
    expect(shown()).toEqual([]);
  });

  it('keeps news that overtook the listing, and takes the listing over older news', () => {
    const { link, list, shown } = setup();
    link.emit('room:listing', { name: 'standup', room: room('standup', ['alice', 'bob']), stamp: 21 });
    link.emit('room:listing', { name: 'design', room: room('design', ['carol']), stamp: 18 });
    list.replace([room('standup', ['alice']), room('board', ['dave'])], 20);
    expect(shown()).toEqual(['board: Dave', 'standup: Alice, Bob']);
  });

  it('a new session starts its stamps afresh: a restarted server counts from 1 again', async () => {
    const { link, list, shown } = setup([room('standup', ['alice'])], 500);
    await list.load();
    link.replies.set('room:list', () => ({ ok: true, rooms: [room('retro', ['bob'])], stamp: 3 }));
    await list.load();
    expect(shown()).toEqual(['retro: Bob']);
    link.emit('room:listing', { name: 'retro', room: room('retro', ['bob', 'carol']), stamp: 4 });
    expect(shown()).toEqual(['retro: Bob, Carol']);
  });

  it('a refused listing leaves what is shown; signing out clears it', async () => {
    const { link, list, shown } = setup([room('standup', ['alice'])]);
    await list.load();
    link.replies.set('room:list', () => ({ ok: false, code: 'unavailable', message: 'Redis is unreachable' }));
    await list.load();
    expect(shown()).toEqual(['standup: Alice']);
    list.clear();
    expect(shown()).toEqual([]);
    expect(list.loaded).toBe(false);
  });
});
