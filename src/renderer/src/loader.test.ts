import { describe, expect, it } from 'vitest';
import LOADER_JS from '../loader.js?raw';

/** The table the build writes: app.js is the page's entry; call.js requires signaling.js, which requires app.js. */
const CHUNKS = {
  'app.js': { requires: [], css: ['app.css'] },
  'signaling.js': { requires: ['app.js'], css: [] },
  'call.js': { requires: ['app.js', 'signaling.js'], css: ['call.css'] },
  'broken.js': { requires: ['app.js'], css: [] },
};
type Factory = (require: (name: string) => Record<string, unknown>, exports: Record<string, unknown>) => void;
interface Added {
  tag: string;
  src?: string;
  href?: string;
  rel?: string;
  async?: boolean;
  onload?: () => void;
  onerror?: () => void;
  removed?: boolean;
  remove?: () => void;
}

/** loader.js run as a page runs it, with a head that records what it adds; the page's entry defined, as index.html does. */
function page() {
  const added: Added[] = [];
  const document = {
    currentScript: { src: 'https://parley.example/assets/loader-abc.js' },
    head: { append: (element: Added) => added.push(element) },
    createElement: (tag: string): Added => ({
      tag,
      remove() {
        this.removed = true;
      },
    }),
  };
  const window: { __parley?: { define(factory: Factory, name?: string): void; load(name: string): Promise<Record<string, unknown>> } } = {};
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const run = new Function('document', 'window', LOADER_JS.replace('})(PARLEY_CHUNKS);', `})(${JSON.stringify(CHUNKS)});`)) as (...globals: unknown[]) => void;
  run(document, window);
  const parley = window.__parley!;
  const ran: string[] = [];
  // Named, as a chunk sharing its script with another is.
  parley.define((_require, exports) => {
    ran.push('app.js');
    exports.name = 'app';
  }, 'app.js');
  /** A script the loader added arrives: it defines its chunk, then its load event fires. */
  const arrive = (name: string, factory: Factory) => {
    const element = added.find((e) => e.src?.endsWith(`/assets/${name}`) && !e.removed)!;
    // The chunk is told by the script running it, as a browser sets document.currentScript.
    document.currentScript = element as { src: string };
    try {
      parley.define((require, exports) => {
        ran.push(name);
        factory(require, exports);
      });
    } finally {
      // A script's load event fires even when its code threw.
      element.onload!();
    }
  };
  return { parley, added, ran, arrive };
}

describe('loader.js, which runs the built chunks as classic scripts', () => {
  it('runs a chunk as it is defined when what it requires has run, and loads one only once', async () => {
    const { parley, added, ran } = page();
    expect(ran).toEqual(['app.js']);
    expect(await parley.load('./app.js')).toEqual({ name: 'app' });
    expect(added).toEqual([]);
  });

  it('loads a chunk with what it requires, in order, and the stylesheets of those not run yet, each once', async () => {
    const { parley, added, ran, arrive } = page();
    const first = parley.load('./call.js');
    const second = parley.load('./signaling.js');
    // The entry's stylesheet came with the page; call.css is added before the scripts, which run in the order added.
    expect(added.map((e) => [e.tag, e.href ?? e.src, e.rel ?? e.async])).toEqual([
      ['link', 'https://parley.example/assets/call.css', 'stylesheet'],
      ['script', 'https://parley.example/assets/signaling.js', false],
      ['script', 'https://parley.example/assets/call.js', false],
    ]);
    added[0]!.onload!();
    arrive('signaling.js', (require, exports) => {
      exports.app = require('./app.js').name;
    });
    arrive('call.js', (require, exports) => {
      exports.via = require('./signaling.js').app;
    });
    expect(await first).toEqual({ via: 'app' });
    expect(await second).toEqual({ app: 'app' });
    expect(ran).toEqual(['app.js', 'signaling.js', 'call.js']);
  });

  it('rejects a load whose script or stylesheet fails, naming it, and tries again on the next load', async () => {
    const { parley, added, arrive } = page();
    const failed = parley.load('signaling.js');
    added[0]!.onerror!();
    await expect(failed).rejects.toThrow('parley: signaling.js did not load');
    expect(added[0]!.removed).toBe(true);
    const again = parley.load('signaling.js');
    expect(added).toHaveLength(2);
    arrive('signaling.js', () => {});
    await expect(again).resolves.toEqual({});
  });

  it('rejects with the error of a chunk that throws as it runs, again on the next require, and for a chunk it does not know', async () => {
    const { parley, arrive } = page();
    const load = parley.load('broken.js');
    expect(() =>
      arrive('broken.js', () => {
        throw new Error('broken at start');
      }),
    ).toThrow('broken at start');
    await expect(load).rejects.toThrow('broken at start');
    await expect(parley.load('broken.js')).rejects.toThrow('broken at start');
    await expect(parley.load('nowhere.js')).rejects.toThrow('parley: no chunk nowhere.js');
  });
});
