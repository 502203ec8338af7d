import { describe, expect, it } from 'vitest';
import { fingerprintsOf, verificationCode } from './verification.js';

const fp = (hex: string) => `a=fingerprint:sha-256 ${hex.match(/../g)?.join(':')}`;
const A = 'AB'.repeat(32);
const B = 'CD'.repeat(32);
const M = 'EF'.repeat(32);
const sdp = (...lines: string[]) => ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', ...lines, 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', ''].join('\r\n');

describe('call verification code', () => {
  it('reads the fingerprints of a description, at session or media level, once each', () => {
    expect(fingerprintsOf(sdp(fp(A), fp(A).toLowerCase()))).toEqual([`sha-256 ${A.match(/../g)?.join(':')}`]);
    expect(fingerprintsOf(sdp())).toEqual([]);
  });

  it("is the same on both sides: each has the other one's local as its remote", async () => {
    const alice = await verificationCode(sdp(fp(A)), sdp(fp(B)));
    const bob = await verificationCode(sdp(fp(B)), sdp(fp(A)));
    expect(alice).toMatch(/^\d{4} \d{4}$/);
    expect(bob).toBe(alice);
  });

  it('differs when someone in between swapped a key on either leg', async () => {
    const honest = await verificationCode(sdp(fp(A)), sdp(fp(B)));
    // alice talks to the attacker's M thinking it is bob, and bob to M thinking it is alice.
    const aliceSees = await verificationCode(sdp(fp(A)), sdp(fp(M)));
    const bobSees = await verificationCode(sdp(fp(B)), sdp(fp(M)));
    expect(aliceSees).not.toBe(honest);
    expect(aliceSees).not.toBe(bobSees);
  });

  it('is not known while a description has no fingerprint', async () => {
    expect(await verificationCode(sdp(fp(A)), sdp())).toBeNull();
  });
});
