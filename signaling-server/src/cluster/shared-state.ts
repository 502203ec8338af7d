/**
 * Everything a node needs to share state with other nodes through Redis
 * (PARLEY_REDIS_URL): the stores, the call deadlines, the limiters, the
 * Socket.IO adapter that delivers events to devices on other nodes, and the
 * node registry. Without PARLEY_REDIS_URL none of this exists and the node
 * keeps everything in its own memory.
 *
 * The adapter is @socket.io/redis-adapter (Redis pub/sub), not
 * @socket.io/redis-streams-adapter. The streams adapter's advantage is
 * replaying what a node missed during a short Redis disconnection, and
 * Socket.IO's connection state recovery; Parley needs neither, because
 * every state change is acknowledged and kept in the stores, and a client
 * that reconnects gets its state again (session:ready, call:resume). Its
 * costs would be real: every relayed SDP/ICE message becomes an entry
 * stored in a Redis stream that every node polls, and while Redis is down a
 * failed stream write drops even the delivery to devices on the same node,
 * where the pub/sub adapter still delivers locally.
 */
import { createAdapter, type RedisAdapter } from '@socket.io/redis-adapter';
import type { CallTimers } from '../calls/call-timers.js';
import type { MakeLimiter } from '../limits.js';
import type { Logger } from '../logger.js';
import type { ParleyServer } from '../realtime/types.js';
import { RedisConnection } from '../redis/connection.js';
import { RedisCallTimers } from '../redis/redis-call-timers.js';
import { redisLimiter } from '../redis/redis-limiters.js';
import { createRedisStores, type RedisStores } from '../stores/redis.js';
import type { EncodeBroadcast } from '../stores/types.js';
import { NodeRegistry, type NodeRegistryDeps } from './node-registry.js';

/** How long a cross-node request (fetchSockets) waits for the other nodes. */
const ADAPTER_REQUEST_TIMEOUT_MS = 3000;

export interface SharedState {
  redis: RedisConnection;
  stores: RedisStores;
  limiter: MakeLimiter;
  timers: CallTimers;
  /** Routes the server's broadcasts through Redis to every node. */
  attach(io: ParleyServer): EncodeBroadcast;
  registry(deps: Pick<NodeRegistryDeps, 'localSessions' | 'sessionLost' | 'resync' | 'timeoutMs'>): NodeRegistry;
  close(): Promise<void>;
}

export async function connectSharedState(url: string, node: string, log: Logger): Promise<SharedState> {
  const redis = new RedisConnection(url, log.child({ module: 'redis' }));
  await redis.connect();
  const stores = createRedisStores(redis, node);
  return {
    redis,
    stores,
    limiter: redisLimiter(redis),
    timers: new RedisCallTimers(redis, (err, timer) => log.error({ err, timer }, 'a call deadline could not be handled: retried later')),
    attach(io) {
      const key = `${redis.prefix}socket.io`;
      io.adapter(createAdapter(redis.pub, redis.sub, { key, requestsTimeout: ADAPTER_REQUEST_TIMEOUT_MS }));
      const adapter = io.of('/').adapter as unknown as Pick<RedisAdapter, 'uid' | 'parser'>;
      // What RedisAdapter.broadcast publishes for one room: [its uid, the packet (type 2: an event), the options], on
      // `${key}#${namespace}#${room}#`. Receiving nodes drop their own uid's messages, so the sender delivers locally itself.
      return (room, event, payload) => {
        const message: unknown = adapter.parser.encode([adapter.uid, { type: 2, data: [event, payload], nsp: '/' }, { rooms: [room], except: [], flags: {} }]);
        if (!Buffer.isBuffer(message)) throw new Error('the Socket.IO adapter encodes to something other than bytes');
        return { channel: `${key}#/#${room}#`, message };
      };
    },
    registry: (deps) => new NodeRegistry({ ...deps, redis, node, sessions: stores.sessions, log: log.child({ module: 'cluster', node }) }),
    close: () => redis.close(),
  };
}
