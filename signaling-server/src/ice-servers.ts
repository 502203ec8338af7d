/**
 * ICE servers handed to each client: the configured STUN URLs and, with a
 * TURN secret, TURN credentials in the TURN REST scheme coturn checks with
 * `use-auth-secret`: username "<expiry>:<id>", credential
 * base64(HMAC-SHA1(secret, username)).
 */
import { createHmac } from 'node:crypto';
import type { IceServer } from './protocol/index.js';

export interface IceConfig {
  stunUrls: string[];
  turnUrls: string[];
  turnSecret: string | undefined;
  turnTtlS: number;
}

export function turnCredential(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/** `opaqueId` names the user to TURN without telling it the username. */
export function iceServersFor(config: IceConfig, opaqueId: string, now = Date.now()): IceServer[] {
  const servers: IceServer[] = [];
  if (config.stunUrls.length > 0) servers.push({ urls: config.stunUrls });
  if (config.turnSecret && config.turnUrls.length > 0) {
    const username = `${Math.floor(now / 1000) + config.turnTtlS}:${opaqueId}`;
    servers.push({ urls: config.turnUrls, username, credential: turnCredential(config.turnSecret, username) });
  }
  return servers;
}
