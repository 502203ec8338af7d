import { describe, expect, it } from 'vitest';
import { contactRows, inHeldOrder } from './contacts-view.js';

describe('the contact list held still under the pointer', () => {
  const before = [
    { username: 'abe', displayName: 'Abe', status: 'offline' as const },
    { username: 'amy', displayName: 'Amy', status: 'offline' as const },
    { username: 'bob', displayName: 'Bob', status: 'offline' as const },
  ];
  const shown = contactRows(before, new Set(), '').map((r) => r.username);

  it('keeps the rows where they were when someone comes online, though the sort would move them', () => {
    const now = before.map((u) => (u.username === 'bob' ? { ...u, status: 'available' as const } : u));
    expect(contactRows(now, new Set(), '').map((r) => r.username)).toEqual(['bob', 'abe', 'amy']);
    const held = inHeldOrder(contactRows(now, new Set(), ''), shown);
    expect(held.map((r) => r.username)).toEqual(['abe', 'amy', 'bob']);
    // The row shows the news in its place.
    expect(held[2]!.status).toBe('available');
  });

  it('puts people who appeared meanwhile after the held rows, and drops those who left', () => {
    const now = [...before.filter((u) => u.username !== 'amy'), { username: 'aaron', displayName: 'Aaron', status: 'available' as const }, { username: 'zed', displayName: 'Zed', status: 'offline' as const }];
    expect(inHeldOrder(contactRows(now, new Set(), ''), shown).map((r) => r.username)).toEqual(['abe', 'bob', 'aaron', 'zed']);
  });

  it('filters by search without reordering what is left', () => {
    const now = before.map((u) => (u.username === 'bob' ? { ...u, status: 'available' as const } : u));
    expect(inHeldOrder(contactRows(now, new Set(), 'b'), shown).map((r) => r.username)).toEqual(['abe', 'bob']);
  });
});
