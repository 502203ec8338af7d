/**
 * The page's title (the browser tab's in web mode, the window's in the
 * desktop app): a ringing call, the missed-call count and the voicemail not
 * heard yet show there, so a teammate in another tab or app sees them.
 */
import { unheardText } from '../../../shared/voicemail-text.js';
import type { CallPhase } from '../call/call-state.js';

export function tabTitle(phase: CallPhase, title: string, missed: number, unheard = 0): string {
  const count = `${missed > 0 ? `(${missed}) ` : ''}${unheard > 0 ? `${unheardText(unheard)} · ` : ''}`;
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
