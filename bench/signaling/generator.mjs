// The load generator's threads (load-worker.mjs), driven from the main thread:
// a command to one or every thread, its answer as a promise, their errors counted.
import { Worker } from 'node:worker_threads';

export class Generator {
  constructor(count) {
    this.workers = Array.from({ length: count }, () => new Worker(new URL('./load-worker.mjs', import.meta.url)));
    this.seq = 0;
    this.pending = new Map();
    this.errors = {};
    this.errorSamples = [];
    for (const w of this.workers) {
      w.on('message', (m) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        for (const [k, v] of Object.entries(m.errors ?? {})) this.errors[k] = (this.errors[k] ?? 0) + v;
        this.errorSamples.push(...(m.errorSamples ?? []));
        if (m.failed) p?.reject(new Error(m.failed));
        else p?.resolve(m);
      });
      // A thread that dies fails the run at once, not at the next command it would never answer.
      const dead = (err) => {
        this.failure ??= err;
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      };
      w.on('error', dead);
      w.on('exit', (code) => dead(new Error(`a load-generator thread exited (${code})`)));
    }
  }

  /** Sends a command to one thread. */
  ask(index, msg) {
    const id = ++this.seq;
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[index].postMessage({ ...msg, id });
    });
  }

  /** Sends a command to every thread, `each(i)` adding thread-specific fields. */
  all(msg, each = () => ({})) {
    return Promise.all(this.workers.map((_, i) => this.ask(i, { ...msg, ...each(i) })));
  }

  get errorCount() {
    return Object.values(this.errors).reduce((a, b) => a + b, 0);
  }

  stop() {
    this.failure ??= new Error('stopped');
    return Promise.all(this.workers.map((w) => w.terminate()));
  }
}
