/** Table types for Kysely; the SQL lives in migrations.ts. */
import type { Generated } from 'kysely';

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  /**
   * displayNameKey(display_name), unique (0006-display-name-key). Null only
   * for accounts that shared a look-alike name with an older account when
   * the migration ran: they keep their name until renamed.
   */
  display_name_key: string | null;
  password_hash: string;
  disabled: number;
  /** Bumped to revoke every token issued before (password change, disable). */
  token_version: number;
  /** Missed calls that ended before this instant are no longer counted. */
  missed_seen_at: number;
  created_at: number;
}

export interface CallsTable {
  seq: Generated<number>;
  call_id: string;
  caller: string;
  callee: string;
  audio: number;
  video: number;
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
  outcome: string | null;
  /** 1 when someone chatted during the call (0003-call-chat). */
  chat: Generated<number>;
  /** A named room's name; null for other calls. `callee` is '' for a named room. */
  room: string | null;
  /** Calls this row stands for: a refusal repeated to the same callee adds to the last one (0005-call-attempts). */
  attempts: Generated<number>;
  /** With outcome 'failed': what made it fail, when known (0009-failure-cause). */
  failure_cause: string | null;
  /**
   * An unkept room's join code as `salt$sha256` (calls/room-codes.ts), while
   * the room is open, so it survives a restart (0010-call-room-code); null
   * for other calls and rooms without a code. A kept room's is in `rooms`.
   */
  room_code: string | null;
  /** 1 once the call moved its media to the SFU, which it never leaves: a call restored after a restart stays there (0011-call-sfu). */
  sfu: Generated<number>;
  /** A transferred call: `transferred_by` handed `transferred_from` to `transferred_to` (0015-call-transfer); null for other calls. */
  transferred_by: Generated<string | null>;
  transferred_from: Generated<string | null>;
  transferred_to: Generated<string | null>;
}

/** Who took part in a group call (a named room, or a call someone was added to). */
export interface CallParticipantsTable {
  call_id: string;
  username: string;
  /** The first time they joined. */
  joined_at: number;
  /** The last time they left; null while they are in it (or it ended with them in it). */
  left_at: number | null;
}

/** Account changes (admin CLI, registration) that running servers must act on. */
export interface AccountEventsTable {
  seq: Generated<number>;
  username: string;
  user_id: string;
  /** Tokens below this version are revoked (ignored for removals: all are; and for kinds that revoke nothing). */
  min_version: number;
  /**
   * The first three revoke sessions and, with the rest, change what the
   * directory shows; signed-out revokes the sessions of one sign-in (`sid`)
   * and shows nothing (the column is text: no migration).
   */
  kind: 'disabled' | 'removed' | 'password-changed' | 'created' | 'renamed' | 'enabled' | 'signed-out';
  at: number;
  /** The sign-in a signed-out event ends (0007-token-revocations); null for the other kinds. */
  sid: Generated<string | null>;
}

/** Signed-out sign-ins (0007-token-revocations): refused until `expires_at`, then pruned. */
export interface TokenRevocationsTable {
  sid: string;
  user_id: string;
  revoked_at: number;
  /** After this instant no token of the sign-in can still be valid. */
  expires_at: number;
}

/** Rooms an admin keeps (parley-server room add): their owner and join code outlive each call in them (0008-rooms). */
export interface RoomsTable {
  name: string;
  /** The username who may change the code from the app; an admin may always, with the CLI. */
  owner: string;
  /** `salt$sha256` of the join code (see calls/persistent-rooms.ts); null: no code. */
  code_hash: string | null;
  created_at: number;
}

/** Secrets every node must share (PostgreSQL; see migration 0002). */
export interface ServerSecretsTable {
  name: string;
  value: string;
}

/** Messages left for a callee (0014-voicemail), audio included. */
export interface VoicemailsTable {
  /** Random, unguessable (voicemail-repository.ts). */
  id: string;
  callee: string;
  caller: string;
  created_at: number;
  /** Computed from the audio's packets at upload. */
  duration_ms: number;
  size: number;
  mime: string;
  /** When the callee marked it heard; null: unheard. */
  heard_at: number | null;
  audio: Buffer;
}

/** A user's own greeting, played to a caller before they leave a message (0014-voicemail). */
export interface VoicemailGreetingsTable {
  username: string;
  updated_at: number;
  duration_ms: number;
  mime: string;
  audio: Buffer;
}

export interface DatabaseSchema {
  users: UsersTable;
  calls: CallsTable;
  call_participants: CallParticipantsTable;
  account_events: AccountEventsTable;
  server_secrets: ServerSecretsTable;
  token_revocations: TokenRevocationsTable;
  rooms: RoomsTable;
  voicemails: VoicemailsTable;
  voicemail_greetings: VoicemailGreetingsTable;
}
