import { describe, expect, it } from 'vitest';
import { MAX_RECENT_ROOMS, normalizeRoomName, rememberRoom } from './recent-rooms.js';

describe('recent rooms', () => {
  it('puts the room joined last first, once, with the code it was joined with, and keeps the newest few', () => {
    let list = rememberRoom([], { name: 'standup' });
    list = rememberRoom(list, { name: 'board', code: 'k3y' });
    list = rememberRoom(list, { name: 'standup', code: '' });
    expect(list).toEqual([{ name: 'standup' }, { name: 'board', code: 'k3y' }]);
    for (let i = 0; i < 20; i++) list = rememberRoom(list, { name: `r${i}` });
    expect(list).toHaveLength(MAX_RECENT_ROOMS);
    expect(list[0]).toEqual({ name: 'r19' });
  });

  it('spells a typed name as the server does, or refuses it', () => {
    expect(normalizeRoomName('  Team.Sync ')).toBe('team.sync');
    for (const bad of ['', ' ', '-x', 'a b', 'x'.repeat(65), 'räume']) expect(normalizeRoomName(bad), bad).toBeNull();
  });
});
