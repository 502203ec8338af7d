/** How a call is named on its stage, in history and in the tab title. */
import type { UserRef } from 'parley-server/protocol';

/** The room ("Room standup"), the people ("Bob", "Bob, Carol", "Bob, Carol +2"). */
export function callTitle(room: string | null, people: readonly UserRef[]): string {
  if (room) return `Room ${room}`;
  const names = people.map((u) => u.displayName);
  if (names.length <= 2) return names.join(', ');
  return `${names.slice(0, 2).join(', ')} +${names.length - 2}`;
}
