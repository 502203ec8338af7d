/** How a call is named on its stage, in history and in the tab title. */
import type { UserRef } from 'parley-server/protocol';

/** The room ("Room standup"), the people ("Bob", "Bob, Carol", "Bob, Carol +2"). */
export function callTitle(room: string | null, people: readonly UserRef[]): string {
  if (room) return `Room ${room}`;
  const names = people.map((u) => u.displayName);
  if (names.length <= 2) return names.join(', ');
  return `${names.slice(0, 2).join(', ')} +${names.length - 2}`;
}

/**
 * The system notification of an incoming call in a background tab: the
 * caller's username beside the display name, which anyone can choose to
 * look like a colleague's.
 */
export function incomingNotice(from: UserRef, others: readonly UserRef[]): { title: string; body: string } {
  return {
    title: `Incoming call from ${from.displayName} (@${from.username})`,
    body: others.length > 0 ? `Into a call with ${others.map((o) => o.displayName).join(', ')}` : 'Open Parley to answer',
  };
}
