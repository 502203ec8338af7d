/**
 * Transfer, consult and merge against the fake signaling link, from each
 * side: Alice (who transfers), Bob (transferred) and Carol (who takes the
 * call, rung or moved in).
 */
import { describe, expect, it } from 'vitest';
import { inCallWithBob, settle, setup, user } from '../test-support/call-fakes.js';

/** Alice, in call c1 with Bob, consults Carol (call c2), who answers. */
async function consulting() {
  const fakes = await inCallWithBob();
  fakes.link.replies.set('call:invite', () => ({ ok: true, callId: 'c2' }));
  await fakes.calls.transfer.consult('carol');
  fakes.link.emit('call:accepted', { callId: 'c2', polite: false });
  fakes.sessions[1]?.request.onMediaState('connected');
  await settle();
  return fakes;
}

describe('blind transfer, from Alice', () => {
  it('rings Carol with the call, says so, and leaves once she answered', async () => {
    const { link, calls, notices } = await inCallWithBob();
    expect(calls.transfer.possible).toBe(true);
    link.replies.set('call:transfer', () => ({ ok: true }));
    await calls.transfer.blind('carol');
    expect(notices.announcement).toContain('Ringing Carol for Bob');
    expect(link.last('call:transfer')).toEqual({ callId: 'c1', to: 'carol', onFailure: 'return' });
    expect(calls.transfer.ringing).toMatchObject({ callId: 'c1', to: user('carol'), from: user('bob') });
    expect(calls.transfer.possible).toBe(false);
    link.emit('call:ended', { callId: 'c1', reason: 'hangup', transferred: true });
    expect(calls.phase).toMatchObject({ kind: 'ended', reason: 'hangup', local: true });
    expect(calls.endedText()).toBe('You put Bob through to Carol');
    expect(calls.transfer.ringing).toBeNull();
  });

  it('Carol declines: the call is Alice\'s still, and both are told why', async () => {
    const { link, calls, notices } = await inCallWithBob();
    link.replies.set('call:transfer', () => ({ ok: true }));
    await calls.transfer.blind('carol');
    link.emit('room:left', { callId: 'c1', username: 'carol', reason: 'declined', transfer: true });
    expect(calls.transfer.ringing).toBeNull();
    expect(calls.phase).toMatchObject({ kind: 'active', callId: 'c1' });
    expect(notices.notice).toBe('Carol declined the transfer. You are back with Bob.');
  });

  it('a refusal is said and changes nothing', async () => {
    const { link, calls, notices } = await inCallWithBob();
    link.replies.set('call:transfer', () => ({ ok: false, code: 'dnd', message: 'Carol does not want to be disturbed' }));
    await calls.transfer.blind('carol');
    expect(calls.transfer.ringing).toBeNull();
    expect(calls.transfer.possible).toBe(true);
    expect(notices.notice).toBe('Bob was not transferred: Carol does not want to be disturbed');
  });

  it('takes back a transfer still ringing', async () => {
    const { link, calls } = await inCallWithBob();
    link.replies.set('call:transfer', () => ({ ok: true }));
    link.replies.set('call:cancel', () => ({ ok: true }));
    await calls.transfer.blind('carol');
    await calls.transfer.takeBack();
    expect(link.last('call:cancel')).toEqual({ callId: 'c1', to: 'carol' });
  });
});

describe('consult, from Alice', () => {
  it('holds Bob and calls Carol with the hold; Transfer then puts Bob through and ends both here', async () => {
    const { link, calls, sessions } = await consulting();
    expect(link.last('call:invite')).toMatchObject({ to: 'carol', hold: 'c1' });
    expect(sessions[0]?.onHold).toBe(true);
    expect(calls.transfer.consulting).toBe(true);
    link.replies.set('call:transfer', () => {
      link.emit('call:ended', { callId: 'c1', reason: 'hangup', transferred: true });
      return { ok: true };
    });
    await calls.transfer.complete();
    expect(link.last('call:transfer')).toEqual({ callId: 'c1', consult: 'c2' });
    expect(sessions[0]?.closed).toBe(true);
    expect(calls.aside).toBeNull();
    expect(calls.phase).toMatchObject({ kind: 'ended', callId: 'c2' });
    expect(calls.endedText()).toBe('You put Bob through to Carol');
  });

  it('Merge: the consult goes into Bob\'s call, which is the call again, off hold', async () => {
    const { link, calls, sessions } = await consulting();
    link.replies.set('call:merge', () => ({ ok: true }));
    await calls.transfer.merge();
    expect(link.last('call:merge')).toEqual({ callId: 'c1', with: 'c2' });
    expect(sessions[1]?.closed).toBe(true);
    expect(calls.phase).toMatchObject({ callId: 'c1' });
    expect(calls.hold.mine).toBe(false);
    expect(sessions[0]?.onHold).toBe(false);
    link.emit('room:joined', { callId: 'c1', user: user('carol'), polite: false });
    expect(calls.mesh.size).toBe(2);
    expect(calls.group).toBe(true);
  });

  it('Back to Bob ends the consult and takes Bob off hold', async () => {
    const { link, calls, sessions } = await consulting();
    link.replies.set('call:hangup', () => ({ ok: true }));
    link.replies.set('call:hold', () => ({ ok: true }));
    await calls.transfer.backToHeld();
    expect(link.last('call:hangup')).toEqual({ callId: 'c2' });
    expect(link.last('call:hold')).toEqual({ callId: 'c1', held: false });
    expect(calls.phase).toMatchObject({ callId: 'c1' });
    expect(sessions[0]?.onHold).toBe(false);
  });

  it('a consult refused: Bob is back at once, off hold, and Alice is told why', async () => {
    const { link, calls, notices, sessions } = await inCallWithBob();
    link.replies.set('call:invite', () => ({ ok: false, code: 'busy', message: 'busy' }));
    await calls.transfer.consult('carol');
    await settle();
    expect(calls.phase).toMatchObject({ kind: 'active', callId: 'c1' });
    expect(calls.hold.mine).toBe(false);
    expect(sessions[0]?.onHold).toBe(false);
    expect(notices.notice).toBe('Carol is busy');
  });
});

describe('the one transferred, and the one moved', () => {
  it('Bob is told Alice transfers him, then talks with Carol: his call is with her now, no longer on hold', async () => {
    const { link, calls, notices } = await inCallWithBob();
    link.emit('call:held', { callId: 'c1', username: 'bob', held: true });
    link.emit('room:ringing', { callId: 'c1', user: user('carol'), by: 'bob', transfer: true });
    expect(calls.transfer.beingTransferred).toMatchObject({ by: user('bob'), to: user('carol') });
    expect(calls.mesh.size).toBe(1); // no ringing tile for a transfer
    link.emit('room:left', { callId: 'c1', username: 'bob', reason: 'hangup', transfer: true });
    expect(calls.hold.onHold).toBe(false);
    link.emit('room:joined', { callId: 'c1', user: user('carol'), polite: false });
    expect(calls.phase).toMatchObject({ callId: 'c1', peer: user('carol') });
    expect(calls.transfer.beingTransferred).toBeNull();
    expect(notices.announcement).toBe('Bob put you through to Carol');
  });

  it('Carol, moved from the consult into Bob\'s call: polite toward Bob there, with no ended view between', async () => {
    const { link, calls, sessions } = await inCallWithBob();
    link.emit('call:ended', { callId: 'c1', reason: 'hangup', moved: { callId: 'c9', participants: [user('dave')] } });
    expect(sessions[0]?.closed).toBe(true);
    expect(calls.phase).toMatchObject({ kind: 'connecting', callId: 'c9', peer: user('dave'), polite: true });
    expect(sessions[1]?.request).toMatchObject({ user: user('dave'), polite: true });
    // Dave's offer reaches the new connection under the new call's id.
    link.emit('call:signal', { callId: 'c9', from: 'dave', candidate: null });
    expect(sessions[1]?.signals).toContainEqual({ candidate: null });
  });

  it('a call rung as a transfer says who put it through', () => {
    const { link, calls } = setup();
    link.emit('call:incoming', { callId: 'c5', from: user('bob'), media: { audio: true, video: false }, polite: true, participants: [user('bob')], transferredBy: user('dave') });
    expect(calls.phase).toMatchObject({ kind: 'incoming', peer: user('bob') });
    expect(calls.transferredBy).toEqual(user('dave'));
    expect(calls.invitedWith).toEqual([]);
  });
});
