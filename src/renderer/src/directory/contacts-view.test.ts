import { describe, expect, it, vi } from 'vitest';
import { adoptNameOrder, contactRows, favoriteRows, inHeldOrder } from './contacts-view.js';

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

describe('the order of names', () => {
  const team = [
    { username: 'zoe', displayName: 'zoë', status: 'offline' as const },
    { username: 'eve2', displayName: 'Ève', status: 'offline' as const },
    { username: 'eve1', displayName: 'Ève', status: 'offline' as const },
    { username: 'bob', displayName: 'Bob', status: 'available' as const },
    { username: 'amy', displayName: 'amy', status: 'offline' as const },
  ];

  it("is the locale's, accents and case aside, the username breaking ties; reachable people first", () => {
    expect(contactRows(team, new Set(), '').map((r) => r.username)).toEqual(['bob', 'amy', 'eve1', 'eve2', 'zoe']);
  });

  it('follows a renamed person and a newcomer, and a presence change re-sorts by status', () => {
    expect(contactRows(team, new Set(), '').map((r) => r.username)).toEqual(['bob', 'amy', 'eve1', 'eve2', 'zoe']);
    const renamed = team.map((u) => (u.username === 'zoe' ? { ...u, displayName: 'Aaron' } : u));
    expect(contactRows(renamed, new Set(), '').map((r) => r.username)).toEqual(['bob', 'zoe', 'amy', 'eve1', 'eve2']);
    const grown = [...renamed, { username: 'abe', displayName: 'Abe', status: 'offline' as const }];
    expect(contactRows(grown, new Set(), '').map((r) => r.username)).toEqual(['bob', 'zoe', 'abe', 'amy', 'eve1', 'eve2']);
    const online = grown.map((u) => (u.username === 'eve2' ? { ...u, status: 'available' as const } : u));
    expect(contactRows(online, new Set(), '').map((r) => r.username)).toEqual(['bob', 'eve2', 'zoe', 'abe', 'amy', 'eve1']);
  });

  it('takes a list known to be in name order (the copy from the last visit) as it is, until the names change', () => {
    // Kept in another order than the collator's: the copy's order stands for the same people and names.
    const kept = [team[4]!, team[0]!, team[3]!, team[1]!, team[2]!];
    adoptNameOrder(kept);
    expect(contactRows(kept, new Set(), '').map((r) => r.username)).toEqual(['bob', 'amy', 'zoe', 'eve2', 'eve1']);
    // The server's listing with a name changed: sorted by the locale's order again.
    const renamed = kept.map((u) => (u.username === 'amy' ? { ...u, displayName: 'Zack' } : u));
    expect(contactRows(renamed, new Set(), '').map((r) => r.username)).toEqual(['bob', 'eve1', 'eve2', 'amy', 'zoe']);
  });

  it('puts favorites first, and lists them alone in the same order for Home', () => {
    const favorites = new Set(['zoe', 'amy']);
    expect(contactRows(team, favorites, '').map((r) => r.username)).toEqual(['amy', 'zoe', 'bob', 'eve1', 'eve2']);
    expect(favoriteRows(team, favorites).map((r) => r.username)).toEqual(['amy', 'zoe']);
  });
});

/** A fresh contacts-view module whose collators are counted: how many are made, and how many names they compare. */
async function countedView() {
  vi.resetModules();
  const view = await import('./contacts-view.js');
  const Real = Intl.Collator;
  const counts = { made: 0, compared: 0 };
  Intl.Collator = class extends Real {
    constructor(...args: ConstructorParameters<typeof Real>) {
      super(...args);
      counts.made += 1;
      const real = new Real(...args);
      Object.defineProperty(this, 'compare', {
        value: (a: string, b: string) => {
          counts.compared += 1;
          return real.compare(a, b);
        },
      });
    }
  } as typeof Intl.Collator;
  return { view, counts, restore: () => (Intl.Collator = Real) };
}

describe("the server's listing", () => {
  it("takes a listing already in the locale's order with one comparison a person, and sorts one that is not", async () => {
    const { view, counts, restore } = await countedView();
    try {
      const listed = Array.from({ length: 100 }, (_, i) => ({ username: `u${String(i).padStart(3, '0')}`, displayName: `Person ${String(i).padStart(3, '0')}`, status: 'offline' as const }));
      expect(view.contactRows(listed, new Set(), '').map((r) => r.username)).toEqual(listed.map((u) => u.username));
      expect(counts.compared).toBe(99);
      counts.compared = 0;
      const reversed = [...listed].reverse().map((u) => ({ ...u, displayName: `${u.displayName}.` }));
      expect(view.contactRows(reversed, new Set(), '').map((r) => r.username)).toEqual(listed.map((u) => u.username));
      expect(counts.compared).toBeGreaterThan(99);
    } finally {
      restore();
    }
  });
});

describe('a return drawn from the cached list', () => {
  it("orders the list and Home's favorites alike, by the kept order, comparing no names", async () => {
    const { view, counts, restore } = await countedView();
    try {
      const kept = [
        { username: 'zoe', displayName: 'Zoë', status: 'offline' as const },
        { username: 'amy', displayName: 'Amy', status: 'available' as const },
        { username: 'eve', displayName: 'Ève', status: 'offline' as const },
      ];
      view.adoptNameOrder(kept);
      expect(view.contactRows(kept, new Set(), '').map((r) => r.username)).toEqual(['amy', 'zoe', 'eve']);
      expect(view.favoriteRows(kept, new Set(['eve', 'zoe'])).map((r) => r.username)).toEqual(['zoe', 'eve']);
      expect(counts.made).toBe(0);
      // A name changed: the locale's order again, with a collator.
      expect(view.favoriteRows([...kept.slice(1), { ...kept[0]!, displayName: 'Aaron' }], new Set(['eve', 'zoe'])).map((r) => r.username)).toEqual(['zoe', 'eve']);
      expect(counts.made).toBe(1);
    } finally {
      restore();
    }
  });
});
