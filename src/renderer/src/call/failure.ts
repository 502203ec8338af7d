/**
 * What made a call fail, as this side saw it, and how to say so. Only a
 * path that never came up with no relay candidate gathered is a network the
 * TURN hint can help; audio that stopped, a peer whose network went away,
 * or a connection to the server that did not come back in time (which the
 * server decides) is said as such (see FAILURE_CAUSES in the protocol).
 */
import type { FailureCause } from 'parley-server/protocol';
import type { PeerState } from './mesh.svelte.js';

/** The call's peers (`away`: their connection to the server is gone) and their sessions' statistics. */
interface Mesh {
  peers: readonly { away: boolean; state: PeerState }[];
  reports(): Promise<RTCStatsReport[]>;
}

/**
 * `wasConnected`: the media path was up before (the call was answered and
 * connected, not still connecting). A path that is up while no audio
 * arrives (`silent`) is audio that stopped, whether or not the peer is away.
 */
export async function failureSeen(mesh: Mesh, wasConnected: boolean): Promise<FailureCause> {
  if (mesh.peers.some((p) => p.state === 'silent')) return 'media-lost';
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

/**
 * The ended call's message for a failure with `peer` (the call's title); null
 * without a cause. `away`: this side was itself away from the server when the
 * call ended (it heard of the end on `call:resume`), so a cause about whoever
 * was away is about this side: the other side saw this side go.
 */
export function failureText(cause: FailureCause | undefined, peer: string, away = false): string | null {
  switch (cause) {
    case 'no-relay':
      return 'The call could not connect: a network between you may block calls. A TURN server helps (ask your admin).';
    case 'no-path':
      return `The call could not connect: no network path to ${peer} was found, even through the relay server.`;
    case 'media-lost':
      return `The audio between you and ${peer} stopped and did not come back.`;
    case 'connection-lost':
      return away
        ? `Your network went away: neither the server nor ${peer} could reach you, and the call ended before you were back.`
        : `${peer}'s network went away: neither the server nor this call could reach them, and they did not come back in time.`;
    case 'signaling-lost':
      return away
        ? 'Your connection to the server was lost and did not come back in time, so the call ended.'
        : `${peer}'s connection to the server was lost and did not come back in time.`;
    case undefined:
      return null;
  }
}

/** A failed call in history, the same words on both sides: what failed, in a few words. */
export function failureLabel(cause: FailureCause | undefined, answered: boolean): string {
  switch (cause) {
    case 'no-relay':
      return 'Failed: network blocks calls';
    case 'no-path':
      return 'Failed: no network path';
    case 'media-lost':
      return 'Audio stopped';
    case 'connection-lost':
      return 'Network dropped';
    case 'signaling-lost':
      return 'Server connection lost';
    case undefined:
      // Cause not known (a server restart, an older client): an answered call was up and went.
      return answered ? 'Connection lost' : 'Failed';
  }
}
