/**
 * Prometheus metrics (prom-client), one registry per server instance so
 * several servers in one process (tests) never share counters.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Stores } from './stores/types.js';

export class Metrics {
  readonly registry = new Registry();
  readonly callOutcomes: Counter<'reason'>;
  readonly relayed: Counter<'event'>;
  readonly rejected: Counter<'code'>;
  readonly floodDisconnects: Counter;

  constructor(stores: Stores, sockets: () => number) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'parley_', eventLoopMonitoringPrecision: 20 });
    new Gauge({
      name: 'parley_connected_sessions',
      help: 'Device sessions connected to this node',
      registers,
      collect() {
        this.set(sockets());
      },
    });
    new Gauge({
      name: 'parley_online_users',
      help: 'Users with at least one connected device',
      registers,
      async collect() {
        this.set((await stores.presence.snapshot()).length);
      },
    });
    new Gauge({
      name: 'parley_calls',
      help: 'Calls in progress by state',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        const calls = await stores.calls.all();
        this.set({ state: 'ringing' }, calls.filter((c) => c.state === 'ringing').length);
        this.set({ state: 'active' }, calls.filter((c) => c.state === 'active').length);
      },
    });
    this.callOutcomes = new Counter({
      name: 'parley_call_outcomes_total',
      help: 'Calls ended, by end reason',
      labelNames: ['reason'] as const,
      registers,
    });
    this.relayed = new Counter({
      name: 'parley_relayed_messages_total',
      help: 'Messages relayed between call peers, by event',
      labelNames: ['event'] as const,
      registers,
    });
    this.rejected = new Counter({
      name: 'parley_rejected_messages_total',
      help: 'Client messages and connections refused, by error code',
      labelNames: ['code'] as const,
      registers,
    });
    this.floodDisconnects = new Counter({
      name: 'parley_flood_disconnects_total',
      help: 'Device sessions disconnected for sending on after too many rate_limited refusals',
      registers,
    });
  }
}
