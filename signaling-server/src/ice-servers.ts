/**
 * ICE servers handed to each client: the configured STUN URLs and, with a
 * TURN secret, TURN credentials in the TURN REST scheme coturn checks with
 * `use-auth-secret`: username "<expiry>:<id>", credential
 * base64(HMAC-SHA1(secret, username)).
 *
 * TURN credentials are handed out per call (realtime/call-ice.ts), each
 * valid for `turnTtlS` from the moment it is issued; `session:ready` carries
 * STUN only, so no device keeps credentials that outlive their use.
 */
import { createHmac } from 'node:crypto';
import type { IceGrant, IceServer } from './protocol/index.js';

export interface IceConfig {
  stunUrls: string[];
  turnUrls: string[];
  turnSecret: string | undefined;
  turnTtlS: number;
}

export function turnCredential(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/** Whether this server hands out TURN credentials at all. */
export function hasTurn(config: IceConfig): boolean {
  return Boolean(config.turnSecret) && config.turnUrls.length > 0;
}

/** The STUN servers alone: what `session:ready` carries. */
export function stunServers(config: IceConfig): IceServer[] {
  return config.stunUrls.length > 0 ? [{ urls: config.stunUrls }] : [];
}

/** `opaqueId` names the user to TURN without telling it the username. */
export function iceServersFor(config: IceConfig, opaqueId: string, now = Date.now()): IceServer[] {
  return iceGrant(config, opaqueId, now).iceServers;
}

/**
 * STUN and fresh TURN credentials, with the moment (ms since the epoch) the
 * credentials expire: the whole second their username names.
 */
export function iceGrant(config: IceConfig, opaqueId: string, now = Date.now()): IceGrant {
  const servers = stunServers(config);
  if (!config.turnSecret || config.turnUrls.length === 0) return { iceServers: servers };
  const expiry = Math.floor(now / 1000) + config.turnTtlS;
  const username = `${expiry}:${opaqueId}`;
  servers.push({ urls: config.turnUrls, username, credential: turnCredential(config.turnSecret, username) });
  return { iceServers: servers, iceExpiresAt: expiry * 1000 };
}
