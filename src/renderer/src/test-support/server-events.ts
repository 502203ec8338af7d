/** One valid example of each server event, as the server sends it: what the signaling tests break in every way. */
import type { ServerEvent, ServerPayload } from '../connection/signaling.js';

export const callId = '6f1c2b1e-1d7a-4d55-9a43-0d8c1f3f7a10';
export const alice = { username: 'alice', displayName: 'Alice' };

export const VALID: { [E in ServerEvent]: ServerPayload<E> } = {
  'session:ready': {
    protocol: 1,
    user: alice,
    sessionId: 'Wq3zYk0bX9_aA1bCAAAB',
    status: 'available',
    iceServers: [
      { urls: ['stun:stun.example.org:3478'] },
      { urls: 'turn:turn.example.org:3478', username: '1767225600:0b6e4a5c-7b1d-4f1e-8f40-6a7e1c2d3b4a', credential: 'q2nKx0F1m3p9A6c5Vb8zYw7uTs4=' },
    ],
    missedCalls: 2,
    presence: [
      { username: 'alice', status: 'available' },
      { username: 'bob', status: 'busy' },
    ],
  },
  'session:revoked': { reason: 'signed-out' },
  'session:token': { token: 'eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl', expiresAt: 1767225600000 },
  'server:closing': { reason: 'shutdown' },
  'session:replaced': {},
  'presence:changed': { username: 'bob', displayName: 'Bob', status: 'dnd' },
  'presence:changes': { changes: [{ username: 'bob', displayName: 'Bob', status: 'dnd' }, { username: 'carol', displayName: 'Carol', status: 'away' }] },
  'directory:updated': { user: { username: 'carol', displayName: 'Carol', status: 'offline' } },
  'directory:removed': { username: 'dave' },
  'call:incoming': { callId, from: alice, media: { audio: true, video: false }, polite: true },
  'call:ringing': { callId },
  'call:accepted': { callId, polite: false },
  'call:ended': { callId, reason: 'no-answer' },
  'call:signal': {
    callId,
    from: 'bob',
    description: { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' },
    candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
  },
  'call:muted': { callId, username: 'bob', muted: true },
  'call:held': { callId, username: 'bob', held: true },
  'call:recording': { callId, username: 'bob', on: true },
  'call:peer-connection': { callId, connected: false },
  'room:joined': { callId, user: { username: 'carol', displayName: 'Carol' }, polite: false },
  'room:left': { callId, username: 'carol', reason: 'hangup' },
  'room:ringing': { callId, user: { username: 'dave', displayName: 'Dave' }, by: 'bob' },
  'room:listing': { name: 'standup', room: { name: 'standup', participants: [alice], hasCode: true, kept: false }, stamp: 42 },
  'sfu:offer': {
    callId,
    description: { type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 192.0.2.2\r\ns=-\r\nt=0 0\r\n' },
    streams: [
      { mid: '0', username: 'bob', kind: 'audio' },
      { mid: '1', username: 'bob', kind: 'video' },
    ],
  },
  'sfu:closed': { callId },
  'sfu:talking': { callId, username: 'bob', talking: true },
  'room:mode': { callId, mode: 'sfu' },
  'testcall:signal': { testId: callId, description: { type: 'answer', sdp: 'v=0' } },
  'testcall:ended': { testId: callId, reason: 'timeout' },
  'voicemail:new': { message: { id: 'q2Xk7fP0aLm3Zt9sB4vN1cRw', from: alice, at: 1, durationMs: 42_000, size: 168_000, mime: 'audio/webm', heard: false }, unheard: 1 },
  'voicemail:unheard': { unheard: 0 },
};
