/**
 * What made a call fail, as this side saw it, and how to say so. Only a
 * path that never came up with no relay candidate gathered is a network the
 * TURN hint can help; a path that was up and went, or a peer whose
 * connection to the server is gone, is said as such (see FAILURE_CAUSES in
 * the protocol).
 */
import type { FailureCause } from 'parley-server/protocol';

/** The call's peers (`away`: their connection to the server is gone) and their sessions' statistics. */
interface Mesh {
  peers: readonly { away: boolean }[];
  reports(): Promise<RTCStatsReport[]>;
}

/** `wasConnected`: the media path was up before (the call was reconnecting, not connecting). */
export async function failureSeen(mesh: Mesh, wasConnected: boolean): Promise<FailureCause> {
  if (mesh.peers.some((p) => p.away)) return 'connection-lost';
  if (wasConnected) return 'media-lost';
  const all = await mesh.reports().catch(() => []);
  return all.some(hasRelayCandidate) ? 'no-path' : 'no-relay';
}

/** Whether this side gathered a relay (TURN) candidate. */
export function hasRelayCandidate(report: RTCStatsReport): boolean {
  for (const s of report.values() as Iterable<{ type?: string; candidateType?: string }>) {
    if (s.type === 'local-candidate' && s.candidateType === 'relay') return true;
  }
  return false;
}

/** The ended call's message for a failure with `peer` (the call's title); null without a cause. */
export function failureText(cause: FailureCause | undefined, peer: string): string | null {
  switch (cause) {
    case 'no-relay':
      return 'The call could not connect: a network between you may block calls. A TURN server helps (ask your admin).';
    case 'no-path':
      return `The call could not connect: no network path to ${peer} was found, even through the relay server.`;
    case 'media-lost':
      return `The connection to ${peer} was lost and did not come back.`;
    case 'connection-lost':
      return `${peer} lost the connection and did not come back in time.`;
    case undefined:
      return null;
  }
}

/** A failed call in history: what failed, in a few words. */
export function failureLabel(cause: FailureCause | undefined, answered: boolean): string {
  if (cause === 'no-relay') return 'Failed: network blocks calls';
  if (cause === 'no-path') return 'Failed: no network path';
  return answered || cause !== undefined ? 'Connection lost' : 'Failed';
}
