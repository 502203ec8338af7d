/**
 * ICE servers per call: the acks that start or resume a call (call:invite,
 * call:accept, room:join, call:resume) carry STUN and TURN credentials issued
 * at that moment, and `call:ice` issues fresh ones to a device taking part in
 * the call, so a long call renews them before they expire. `session:ready`
 * carries STUN only. TURN credentials go only to an enabled account; the
 * account is read when they are issued (a disabled account's sessions are
 * also ended by the revocation watcher within about a second).
 *
 * Outside a call (`network:ice`: the network check, the echo test call) a
 * credential lives CHECK_TTL_S at most: a check takes seconds, and a
 * credential nobody renews should not outlive it by an hour.
 */
import type { UserRepository } from '../accounts/users.js';
import { isStoreUnavailable } from '../db/store-errors.js';
import { hasTurn, iceGrant, stunServers, type IceConfig } from '../ice-servers.js';
import type { Logger } from '../logger.js';
import type { IceGrant, IceServer } from '../protocol/index.js';
import type { CallStore, DeviceSession } from '../stores/types.js';
import { RequestError } from './request-error.js';

export interface CallIceDeps {
  config: IceConfig;
  users: UserRepository;
  calls: CallStore;
  log: Logger;
}

/** Who asks: the device's session, and the account id its handshake found (TURN's opaque id). */
export interface Asker {
  session: DeviceSession;
  userId: string;
}

type Account = 'enabled' | 'disabled' | 'gone';

/** The longest a credential given outside a call lives, in seconds (the test call lasts 60 s at most). */
export const CHECK_TTL_S = 120;

export class CallIce {
  constructor(private readonly deps: CallIceDeps) {}

  /** What `session:ready` carries: STUN only. */
  sessionServers(): IceServer[] {
    return stunServers(this.deps.config);
  }

  /**
   * For an ack that starts or resumes a call: STUN and fresh TURN
   * credentials, or STUN only when the account is no longer enabled.
   */
  async forAck(asker: Asker, ttlS = this.deps.config.turnTtlS): Promise<IceGrant> {
    const stun = { iceServers: this.sessionServers() };
    if (!hasTurn(this.deps.config)) return stun;
    try {
      return (await this.account(asker)) === 'enabled' ? iceGrant({ ...this.deps.config, turnTtlS: ttlS }, asker.userId) : stun;
    } catch (err) {
      // The call itself went through: its ack is not failed for want of TURN.
      this.deps.log.error({ err, username: asker.session.username }, 'could not check the account for TURN credentials');
      return stun;
    }
  }

  /** For a check outside any call (`network:ice`, `testcall:start`): as for an ack, living CHECK_TTL_S at most. */
  forCheck(asker: Asker): Promise<IceGrant> {
    return this.forAck(asker, Math.min(this.deps.config.turnTtlS, CHECK_TTL_S));
  }

  /**
   * `call:ice`: fresh servers for a device taking part in the call, the
   * calling device or a device it rings on (which may connect before it
   * answers: early-path.ts) while it rings, or a participant once answered.
   * Refused like the other call requests, and
   * `account_disabled` for a disabled account.
   */
  async refresh(asker: Asker, callId: string): Promise<IceGrant> {
    const { device } = asker.session;
    const [call, account] = await Promise.all([this.deps.calls.get(callId), this.account(asker)]);
    if (!call) throw new RequestError('not_found', 'No such call');
    const inCall = call.state === 'ringing' ? call.callerDevice === device || call.ringing.includes(device) : call.participants.some((p) => p.device === device);
    if (!inCall) throw new RequestError('not_in_call', 'You are not in this call');
    if (account === 'gone') throw new RequestError('unauthorized', 'This account no longer exists');
    if (account === 'disabled') throw new RequestError('account_disabled', 'This account is disabled');
    return iceGrant(this.deps.config, asker.userId);
  }

  /**
   * The account as the database has it now. Unreachable, the session's
   * sign-in stands: an answered call must go on through a database outage,
   * and disabling an account (which needs the database) ends its sessions.
   */
  private async account({ session, userId }: Asker): Promise<Account> {
    if (!hasTurn(this.deps.config)) return 'enabled';
    try {
      const user = await this.deps.users.find(session.username);
      if (user?.id !== userId) return 'gone';
      return user.disabled ? 'disabled' : 'enabled';
    } catch (err) {
      if (!isStoreUnavailable(err)) throw err;
      this.deps.log.warn({ username: session.username }, 'database unreachable: TURN credentials issued on the session sign-in');
      return 'enabled';
    }
  }
}
