// A realistic contact list for each member of a team, the same in every run:
// the people of one's own department (20 people, so 19 others) and 10
// colleagues elsewhere in the company (a seeded pseudo-random pick). A
// member's watchers are then about 29 people whatever the team's size,
// which is what a watch-based presence fan-out must show.

export const DEPARTMENT_SIZE = 20;
export const CROSS_TEAM = 10;

export const username = (i) => `u${String(i).padStart(5, '0')}`;

/** A small deterministic hash (xorshift-multiply) for picking colleagues. */
function mix(a, b) {
  let h = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x27d4eb2f, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  return (h ^ (h >>> 12)) >>> 0;
}

/** Indexes of the contacts of member `i` in a team of `size`. */
export function contactsOf(i, size) {
  const out = new Set();
  const first = Math.floor(i / DEPARTMENT_SIZE) * DEPARTMENT_SIZE;
  for (let j = first; j < Math.min(first + DEPARTMENT_SIZE, size); j++) if (j !== i) out.add(j);
  const wanted = Math.min(size - 1, out.size + CROSS_TEAM);
  for (let k = 0; out.size < wanted && k < CROSS_TEAM * 8; k++) {
    const j = mix(i, k) % size;
    if (j !== i) out.add(j);
  }
  return [...out];
}

/** How many members watch each member (their contact lists name them). */
export function watcherCounts(size) {
  const counts = new Uint32Array(size);
  for (let i = 0; i < size; i++) for (const j of contactsOf(i, size)) counts[j]++;
  return counts;
}
