/**
 * Nodes sharing one Redis: each one says it is alive with a key that expires
 * unless renewed, and the survivors end the sessions of a node whose key ran
 * out (SIGKILL, a crash, a lost network): its devices count as disconnected,
 * so their answered calls wait the grace period for them and their ringing
 * calls stop, exactly as when one connection drops. A node also notices
 * when Redis lost its data (restarted without persistence) or when the
 * others took it for dead, and then has its clients reconnect, which puts
 * their sessions back and has both sides of each call claim it again, as
 * after a restart.
 *
 * A node is only taken for dead by a node that is itself running on time:
 * when the whole machine (or VM) stalls, every node's key runs out together,
 * and each, resuming, would otherwise end all the others' sessions. A node
 * that finds its own last renewal older than the timeout renews first and
 * judges nobody for a full timeout; and a key found missing is confirmed
 * missing one heartbeat later before that node's sessions are ended.
 *
 * A node cut off from Redis (a partition) cannot renew its key, so past the
 * timeout the others end its sessions, and it cannot even learn that they
 * did. It assumes so: it closes its clients' connections, so that they
 * reconnect to a node that can reach Redis and resume their calls there, and
 * refuses new ones until it has renewed its key again.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { RedisConnection } from '../redis/connection.js';
import type { RedisSessionStore } from '../stores/redis-sessions.js';
import type { DeviceSession } from '../stores/types.js';

export interface NodeRegistryDeps {
  redis: RedisConnection;
  node: string;
  /** How long a node's key lives without renewal (PARLEY_NODE_TIMEOUT_MS); it is renewed four times as often. */
  timeoutMs: number;
  sessions: RedisSessionStore;
  /** Ids of the device sessions connected to this node. */
  localSessions: () => string[];
  /** A session is gone without its connection saying so: end what it was doing. */
  sessionLost: (session: DeviceSession) => Promise<void>;
  /** The shared state no longer holds this node's sessions (or, cut off, it must assume so): have its clients reconnect. */
  resync: (reason: 'data-lost' | 'taken-for-dead' | 'cut-off') => void;
  log: Logger;
}

export class NodeRegistry {
  private timer: NodeJS.Timeout | undefined;
  private epoch: string | undefined;
  private beating = false;
  /** Since when this node's view is fair: after a Redis outage or its own stall, the others need a full timeout to renew their keys. */
  private reachableSince = Date.now();
  /** When this node last renewed its own key. */
  private renewedAt = Date.now();
  /** When the heartbeat timer last fired: much later than due means this process itself stalled. */
  private tickedAt = Date.now();
  /** Whether the renewal was overdue at the last tick: then that tick's beat had its chance. */
  private overdueAtLastTick = false;
  /** When the beat in flight (if `beating`) began. */
  private beatStartedAt = 0;
  /** Since when this node has been sending its clients away, cut off from Redis; cleared by its next renewal. */
  private cutOffSince: number | undefined;
  /** Nodes whose key was missing at the last sweep: ended if it still is at the next. */
  private readonly suspects = new Set<string>();
  private readonly keys: { node: (id: string) => string; nodes: string; epoch: string };

  constructor(private readonly deps: NodeRegistryDeps) {
    const p = deps.redis.prefix;
    this.keys = { node: (id) => `${p}node:${id}`, nodes: `${p}nodes`, epoch: `${p}epoch` };
    deps.redis.onReconnect(() => {
      this.reachableSince = Date.now();
      void this.reconcile();
      void this.beat();
    });
  }

  async start(): Promise<void> {
    const { client } = this.deps.redis;
    await this.deps.redis.run(() => client.set(this.keys.epoch, randomUUID(), { NX: true }));
    this.epoch = (await this.deps.redis.run(() => client.get(this.keys.epoch))) ?? undefined;
    await this.renew();
    this.tickedAt = Date.now();
    this.timer = setInterval(() => this.tick(), this.deps.timeoutMs / 4);
    this.timer.unref();
  }

  /** True from when this node, cut off from Redis past the timeout, sent its clients away until it renews its key. */
  get cutOff(): boolean {
    return this.cutOffSince !== undefined;
  }

  /**
   * Once a heartbeat, whether Redis answers or not (beat() skips while it is
   * unreachable, and may hang on a Redis that never answers). Not on a late
   * tick (this process itself stalled) unless the renewal was overdue at the
   * previous tick too: after a stall it is only late, and this tick's beat
   * makes it if Redis is there; overdue at two ticks running, that beat did
   * not, and an overloaded node (every tick late) still sends its clients away.
   * Nor while a beat has waited less than half a timeout for Redis: after a
   * stall of the whole machine Redis answers late too, and the others give
   * a resumed node a full timeout, so only a beat that hangs means cut off.
   */
  private tick(): void {
    const now = Date.now();
    const onTime = now - this.tickedAt < this.deps.timeoutMs / 2;
    this.tickedAt = now;
    // A beat in flight across this process's own stall has waited for Redis only since it resumed.
    if (!onTime && this.beating) this.beatStartedAt = now;
    const sinceRenewal = now - this.renewedAt;
    const overdue = sinceRenewal > this.deps.timeoutMs;
    const answering = this.beating && now - this.beatStartedAt <= this.deps.timeoutMs / 2;
    const judged = (onTime || this.overdueAtLastTick) && !answering;
    this.overdueAtLastTick = overdue;
    if (overdue && judged && !this.cutOff) {
      this.cutOffSince = now;
      this.deps.log.error(
        { sinceRenewalMs: sinceRenewal, timeoutMs: this.deps.timeoutMs },
        'cut off from Redis for longer than the node timeout: the other nodes take this node for dead, so its clients are sent to reconnect elsewhere',
      );
      this.deps.resync('cut-off');
    }
    void this.beat();
  }

  /**
   * Leaves cleanly (shutdown): this node's sessions end now, as if their
   * connections had dropped, rather than when its key runs out.
   */
  async leave(): Promise<void> {
    clearInterval(this.timer);
    const { client } = this.deps.redis;
    try {
      for (const id of this.deps.localSessions()) await this.lose(id);
      await this.deps.redis.run(() => client.multi().del(this.keys.node(this.deps.node)).sRem(this.keys.nodes, this.deps.node).exec());
    } catch (err) {
      this.deps.log.warn({ err }, 'could not leave the cluster cleanly: the other nodes will end its sessions');
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Renews this node's key, checks Redis still has its data, and ends the sessions of dead nodes. */
  async beat(): Promise<void> {
    if (this.beating || !this.deps.redis.available) return;
    this.beating = true;
    this.beatStartedAt = Date.now();
    try {
      const epoch = await this.deps.redis.run(() => this.deps.redis.client.get(this.keys.epoch));
      if (epoch !== this.epoch) {
        await this.deps.redis.run(() => this.deps.redis.client.set(this.keys.epoch, randomUUID(), { NX: true }));
        this.epoch = (await this.deps.redis.run(() => this.deps.redis.client.get(this.keys.epoch))) ?? undefined;
        this.deps.log.warn('Redis lost the shared state: clients reconnect and claim their calls again');
        await this.renew();
        this.deps.resync('data-lost');
        return;
      }
      const stalled = Date.now() - this.renewedAt > this.deps.timeoutMs;
      if (await this.renew()) {
        this.deps.log.warn('the other nodes took this node for dead: clients reconnect');
        this.deps.resync('taken-for-dead');
      }
      if (stalled) {
        // Others' keys may have run out for the same reason (the machine stalled): give them a full timeout.
        this.deps.log.warn('this node missed its own heartbeat: judging no other node for a full timeout');
        this.reachableSince = Date.now();
        this.suspects.clear();
      }
      if (Date.now() - this.reachableSince >= this.deps.timeoutMs) await this.sweepDeadNodes();
    } catch (err) {
      this.deps.log.debug({ err }, 'heartbeat failed');
    } finally {
      this.beating = false;
    }
  }

  /** Renews the key; true when this node was no longer listed (the others had ended its sessions). */
  private async renew(): Promise<boolean> {
    const { client } = this.deps.redis;
    const [, added] = await this.deps.redis.run(() =>
      client.multi().set(this.keys.node(this.deps.node), String(Date.now()), { PX: this.deps.timeoutMs }).sAdd(this.keys.nodes, this.deps.node).exec(),
    );
    this.renewedAt = Date.now();
    if (this.cutOffSince !== undefined) {
      this.deps.log.warn({ cutOffMs: this.renewedAt - this.cutOffSince }, 'Redis reachable again: this node accepts connections again');
      this.cutOffSince = undefined;
    }
    return Number(added) === 1 && this.epoch !== undefined && this.timer !== undefined;
  }

  private async sweepDeadNodes(): Promise<void> {
    const { client } = this.deps.redis;
    for (const node of await this.deps.redis.run(() => client.sMembers(this.keys.nodes))) {
      if (node === this.deps.node || (await this.deps.redis.run(() => client.exists(this.keys.node(node)))) === 1) {
        this.suspects.delete(node);
        continue;
      }
      // Missing once may be a node resuming from a stall this very moment: confirmed at the next beat.
      if (!this.suspects.has(node)) {
        this.suspects.add(node);
        continue;
      }
      this.suspects.delete(node);
      this.deps.log.warn({ node }, 'a node stopped renewing its key: ending its sessions');
      let ended = 0;
      for (;;) {
        const ids = await this.deps.sessions.idsOfNode(node);
        if (ids.length === 0) break;
        for (const id of ids) if (await this.lose(id, node)) ended++;
      }
      await this.deps.redis.run(() => client.sRem(this.keys.nodes, node));
      this.deps.log.warn({ node, sessions: ended }, 'sessions of a dead node ended');
    }
  }

  /**
   * After an outage: sessions of this node whose connection closed while
   * Redis was away could not be removed then; they are now.
   */
  private async reconcile(): Promise<void> {
    try {
      const local = new Set(this.deps.localSessions());
      for (const id of await this.deps.sessions.idsOfNode(this.deps.node)) if (!local.has(id)) await this.lose(id);
    } catch (err) {
      this.deps.log.debug({ err }, 'reconciling sessions after an outage failed');
    }
  }

  /** Removes a session (only one of racing callers gets it) and ends what it was doing. */
  private async lose(sessionId: string, node = this.deps.node): Promise<boolean> {
    const session = await this.deps.sessions.remove(sessionId);
    if (!session) {
      // Already gone, or an index entry without its session: drop the entry.
      await this.deps.redis.run(() => this.deps.redis.client.sRem(this.deps.sessions.nodeSessionsKey(node), sessionId));
      return false;
    }
    await this.deps.sessionLost(session);
    return true;
  }
}
