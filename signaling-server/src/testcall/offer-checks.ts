/**
 * What the echo peer takes from an offer before werift sees it (issue 34):
 * no more media sections than a test call needs (one audio, at most one
 * video: the app offers one audio track), all of them in one BUNDLE group
 * (one transport, one socket, whatever the offer says), and only the
 * candidates the call's CandidatePolicy admits.
 */
import { RequestError } from '../realtime/request-error.js';
import type { CandidateDrop, CandidatePolicy } from './candidate-policy.js';

export const MAX_MEDIA_SECTIONS = 2;

interface Section {
  kind: string;
  mid: string | undefined;
}

function sections(lines: string[]): { sections: Section[]; bundles: string[][] } {
  const found: Section[] = [];
  const bundles: string[][] = [];
  for (const line of lines) {
    if (line.startsWith('m=')) found.push({ kind: line.slice(2).split(' ')[0] ?? '', mid: undefined });
    else if (line.startsWith('a=mid:')) {
      const current = found.at(-1);
      if (current) current.mid = line.slice('a=mid:'.length).trim();
    } else if (line.startsWith('a=group:BUNDLE') && found.length === 0) {
      bundles.push(line.slice('a=group:BUNDLE'.length).trim().split(/\s+/).filter(Boolean));
    }
  }
  return { sections: found, bundles };
}

/** Throws `unsupported_offer` with a sentence for an offer the test call does not take. */
export function checkOffer(sdp: string): void {
  const { sections: media, bundles } = sections(sdp.split(/\r?\n/));
  const audio = media.filter((m) => m.kind === 'audio').length;
  const video = media.filter((m) => m.kind === 'video').length;
  if (media.length > MAX_MEDIA_SECTIONS || audio !== 1 || video > 1 || audio + video !== media.length) {
    const kinds = media.map((m) => m.kind).join(', ') || 'none';
    throw new RequestError('unsupported_offer', `A test call takes one audio section and at most one video section; this offer has ${media.length} (${kinds})`);
  }
  const bundled = bundles.some((group) => media.every((m) => m.mid !== undefined && group.includes(m.mid)));
  if (!bundled) throw new RequestError('unsupported_offer', 'A test call takes a bundled offer: one a=group:BUNDLE naming every media section');
}

/** The offer with only the candidates the policy admits (in canonical form), and what it dropped. */
export function filterOffer(sdp: string, policy: CandidatePolicy): { sdp: string; dropped: { reason: CandidateDrop; address: string }[] } {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const dropped: { reason: CandidateDrop; address: string }[] = [];
  const kept = sdp.split(/\r?\n/).flatMap((line) => {
    if (!line.startsWith('a=candidate:')) return [line];
    const admitted = policy.admit(line);
    if (admitted.ok) return [admitted.candidate];
    dropped.push({ reason: admitted.reason, address: admitted.address });
    return [];
  });
  return { sdp: kept.join(eol), dropped };
}
