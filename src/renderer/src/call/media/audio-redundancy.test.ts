import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { THIN_PATH } from './red-depth.js';

/** A worker as the page sees it: what it was posted, whether it was ended; `run()` is its script saying it runs. */
class FakeWorker {
  static made: FakeWorker[] = [];
  onmessage: (() => void) | null = null;
  posted: unknown[] = [];
  terminated = false;
  constructor(readonly url: string) {
    FakeWorker.made.push(this);
  }
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  terminate(): void {
    this.terminated = true;
  }
  run(): void {
    this.onmessage?.();
  }
}

class FakeTransform {
  constructor(readonly worker: FakeWorker) {}
}

const sender = () => ({ transform: null as FakeTransform | null }) as unknown as RTCRtpSender & { transform: FakeTransform | null };

describe('AudioRedundancy', () => {
  beforeEach(() => {
    vi.resetModules();
    FakeWorker.made = [];
    vi.stubGlobal('Worker', FakeWorker);
    vi.stubGlobal('RTCRtpScriptTransform', FakeTransform);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('gives a sender only a worker that said it runs, and starts the next one', async () => {
    const { AudioRedundancy, warmRedundancy } = await import('./audio-redundancy.js');
    warmRedundancy();
    const first = sender();
    new AudioRedundancy(first);
    expect(first.transform, 'the worker has not said it runs yet').toBeNull();

    FakeWorker.made[0]!.run();
    const second = sender();
    new AudioRedundancy(second);
    expect(second.transform?.worker).toBe(FakeWorker.made[0]);
    // Taken: the next call's is on its way, and nobody else gets this one.
    expect(FakeWorker.made).toHaveLength(2);
    const third = sender();
    new AudioRedundancy(third);
    expect(third.transform).toBeNull();
  });

  it('sends the worker each reading, the thin path as such, and ends it with the call', async () => {
    const { AudioRedundancy, warmRedundancy } = await import('./audio-redundancy.js');
    warmRedundancy();
    FakeWorker.made[0]!.run();
    const redundancy = new AudioRedundancy(sender());
    const worker = FakeWorker.made[0]!;
    redundancy.read(null);
    redundancy.read(4.5);
    redundancy.thinPath(true);
    redundancy.read(8);
    redundancy.thinPath(false);
    redundancy.read(8);
    expect(worker.posted).toEqual([0, 4.5, THIN_PATH, THIN_PATH, 8]);
    redundancy.dispose();
    expect(worker.terminated).toBe(true);
  });

  it('does nothing where the browser has no encoded transforms', async () => {
    vi.stubGlobal('RTCRtpScriptTransform', undefined);
    const { AudioRedundancy, warmRedundancy } = await import('./audio-redundancy.js');
    warmRedundancy();
    const s = sender();
    new AudioRedundancy(s).read(10);
    expect(FakeWorker.made).toHaveLength(0);
    expect(s.transform).toBeNull();
  });
});
