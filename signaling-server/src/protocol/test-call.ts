/**
 * The test call and the network check (PROTOCOL.md, "Test call and network
 * check"): what a client sends, what the server answers and sends. The test
 * call is the one time the server carries media: it answers as an echo peer
 * that plays the caller's audio back after a delay. Kept apart from the call
 * protocol: a test call has no callee, no history row and no state shared
 * between nodes (it lives on the node the device is connected to).
 */
import { z } from 'zod/mini';
import { iceCandidateSchema, sessionDescriptionSchema, type IceCandidate } from './primitives.js';

/** Made by the server (a UUID); 1–64 printable ASCII characters inbound. */
export const testIdSchema = z.string().check(z.regex(/^[!-~]{1,64}$/, 'must be 1-64 printable ASCII characters'));

/** The echo's delay a client may ask for, in ms. */
export const TEST_CALL_DELAY_MS = { min: 1000, max: 10_000, default: 3000 } as const;

export const testCallClientSchemas = {
  /** Fresh ICE servers (TURN credentials) for a network check outside any call. */
  'network:ice': z.strictObject({}),
  /** Starts an echo test call on this device (ending one it already had). */
  'testcall:start': z.strictObject({
    delayMs: z.optional(z.int().check(z.minimum(TEST_CALL_DELAY_MS.min), z.maximum(TEST_CALL_DELAY_MS.max))),
  }),
  'testcall:signal': z
    .strictObject({ testId: testIdSchema, description: z.optional(sessionDescriptionSchema), candidate: z.optional(iceCandidateSchema) })
    .check(z.refine((m) => m.description !== undefined || m.candidate !== undefined, { message: 'testcall:signal needs a description or a candidate' })),
  /** Ends the test call; the ack carries what the server saw. */
  'testcall:stop': z.strictObject({ testId: testIdSchema }),
} as const;

export const CANDIDATE_TYPES = ['host', 'srflx', 'prflx', 'relay'] as const;
export type CandidateType = (typeof CANDIDATE_TYPES)[number];

/** The media path as one side's selected candidate pair names it. */
export interface MediaPath {
  local: CandidateType;
  remote: CandidateType;
  protocol: 'udp' | 'tcp';
}

/** What the echo peer saw of the caller's audio (upstream: caller → server). */
export interface TestCallReport {
  received: { packets: number; lost: number; jitterMs: number };
  /** The pair the server's side selected; absent when ICE never connected. */
  path?: MediaPath;
  /** The server's ICE round-trip time on that pair. */
  rttMs?: number;
}

export interface TestCallReplies {
  'network:ice': { iceServers: TestCallIceServer[]; iceExpiresAt?: number };
  /** `maxMs`: the server ends the test call by itself after this long. */
  'testcall:start': { testId: string; delayMs: number; maxMs: number; iceServers: TestCallIceServer[]; iceExpiresAt?: number };
  'testcall:signal': object;
  'testcall:stop': TestCallReport;
}

/** Same shape as IceServer in index.ts (declared here so this module imports nothing that imports it). */
interface TestCallIceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** What the echo peer sends: its answer (always with SDP) and its ICE candidates. */
export interface EchoSignal {
  description?: { type: 'answer'; sdp: string };
  candidate?: IceCandidate;
}

export interface TestCallServerEvents {
  /** The echo peer's answer and ICE candidates. */
  'testcall:signal': (p: { testId: string } & EchoSignal) => void;
  /** The server ended the test call by itself (`timeout`: it ran `maxMs`; `failed`: the echo peer failed). */
  'testcall:ended': (p: { testId: string; reason: 'timeout' | 'failed' }) => void;
}

// ------------------------------------------------ what clients check (tolerant)

const candidateType = z.enum(CANDIDATE_TYPES);
const count = z.int().check(z.nonnegative());
const ms = z.number().check(z.nonnegative());

export const testCallServerSchemas = {
  'testcall:signal': z
    .object({
      testId: testIdSchema,
      // The echo peer's answer: always with its SDP.
      description: z.optional(z.object({ type: z.literal('answer'), sdp: z.string().check(z.minLength(1), z.maxLength(32 * 1024)) })),
      candidate: z.optional(z.nullable(z.object(iceCandidateSchema.def.innerType.shape))),
    })
    .check(z.refine((m) => m.description !== undefined || m.candidate !== undefined, { message: 'testcall:signal needs a description or a candidate' })),
  'testcall:ended': z.object({ testId: testIdSchema, reason: z.enum(['timeout', 'failed']) }),
} as const;

/** The success fields of each reply; server-messages.ts wraps them as acks (with its ICE server schema). */
export const testCallReplyFields = {
  'testcall:start': {
    testId: testIdSchema,
    delayMs: z.int().check(z.minimum(TEST_CALL_DELAY_MS.min), z.maximum(TEST_CALL_DELAY_MS.max)),
    // A test call lasts seconds: at least one, at most ten minutes.
    maxMs: z.int().check(z.minimum(1000), z.maximum(600_000)),
  },
  'testcall:signal': {},
  'testcall:stop': {
    received: z.object({ packets: count, lost: count, jitterMs: ms }),
    path: z.optional(z.object({ local: candidateType, remote: candidateType, protocol: z.enum(['udp', 'tcp']) })),
    rttMs: z.optional(ms),
  },
} as const;
