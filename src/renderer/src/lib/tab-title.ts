/**
 * The browser tab's title in web mode: a ringing call and the missed-call
 * count show there, so a teammate in another tab sees them.
 */
import type { CallPhase } from '../call/call-state.js';

export function tabTitle(phase: CallPhase, title: string, missed: number): string {
  const count = missed > 0 ? `(${missed}) ` : '';
  switch (phase.kind) {
    case 'incoming':
      return `${count}Ringing: ${phase.peer.displayName} is calling · Parley`;
    case 'outgoing':
      return `${count}Calling ${title}… · Parley`;
    case 'connecting':
    case 'active':
    case 'reconnecting':
      return `${count}In a call with ${title} · Parley`;
    case 'idle':
    case 'ended':
      return `${count}Parley`;
  }
}
