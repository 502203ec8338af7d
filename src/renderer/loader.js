/* global PARLEY_CHUNKS -- the build writes the chunks' table there (scripts/classic-scripts.ts) */
/**
 * The app's script loader: the built renderer's chunks are classic scripts, not ES modules, so that Chromium keeps
 * and reuses their compiled code. It compiles a module script's code again on every load: with its background
 * resource fetch (on by default in Chromium 156) a module's code cache is written but never read, while a classic
 * script's is (bench/results/NOTES.md, "classic scripts"). A returning visit, and the desktop app every morning,
 * then starts without compiling the shell.
 *
 * Each chunk is CommonJS wrapped in `__parley.define(factory)`; index.html runs the first paint's
 * chunks, deferred and in order, and this code opens the first of them. A chunk runs as it is defined, once what it
 * requires has run. A
 * dynamic import became `__parley.load(name)`: it adds the chunk and what it requires that is not loaded yet, with
 * their stylesheets, as scripts run in the order added, and resolves to the chunk's exports once all have loaded.
 *
 * `PARLEY_CHUNKS`: for each chunk's file name, the chunks it requires and the stylesheets it needs.
 */
(function (chunks) {
  'use strict';
  /** The folder of the chunks: the script this runs in is one (assets/). */
  const base = document.currentScript.src;
  /** name → factory, as defined */
  const factories = new Map();
  /** name → { exports }, once run (or running) */
  const modules = new Map();
  /** name → Promise of its script's load, once asked for */
  const scripts = new Map();
  /** name → Promise of its stylesheet's load, once asked for */
  const sheets = new Map();

  /** A chunk's exports, running it the first time. */
  function require(name) {
    const key = name.replace(/^\.\//, '');
    const known = modules.get(key);
    if (known) return known.exports;
    const factory = factories.get(key);
    if (!factory) throw new Error(`parley: ${key} was required before it loaded`);
    const module = { exports: {} };
    modules.set(key, module);
    try {
      factory(require, module.exports, module);
    } catch (error) {
      // As an ES module that threw: not kept, so a later require reports the error again.
      modules.delete(key);
      throw error;
    }
    return module.exports;
  }

  /**
   * Called by each chunk's script: runs it now when what it requires has run, else when first required. The chunk is
   * the script's file, named only where one script defines two (Rolldown's runtime, in the first).
   */
  function define(factory, name = document.currentScript.src.slice(document.currentScript.src.lastIndexOf('/') + 1)) {
    factories.set(name, factory);
    if (chunks[name].requires.every((dep) => modules.has(dep))) require(name);
  }

  /** One element added to the head, its load as a promise; forgotten on failure, so a later load tries again. */
  function add(cache, name, make) {
    let loaded = cache.get(name);
    if (!loaded) {
      const element = make(new URL(name, base).href);
      loaded = new Promise((resolve, reject) => {
        element.onload = () => resolve();
        element.onerror = () => {
          cache.delete(name);
          element.remove();
          reject(new Error(`parley: ${name} did not load`));
        };
      });
      cache.set(name, loaded);
      document.head.append(element);
    }
    return loaded;
  }

  const script = (href) => {
    const element = document.createElement('script');
    element.src = href;
    // Added scripts run in the order added: a chunk after the chunks it requires.
    element.async = false;
    return element;
  };
  const sheet = (href) => {
    const element = document.createElement('link');
    element.rel = 'stylesheet';
    element.href = href;
    return element;
  };

  /** `name` and what it requires, required ones first, each once. */
  function withRequired(name, order = []) {
    if (order.includes(name)) return order;
    const chunk = chunks[name];
    if (!chunk) throw new Error(`parley: no chunk ${name}`);
    for (const dep of chunk.requires) withRequired(dep, order);
    order.push(name);
    return order;
  }

  /** What a dynamic import() of `name` became: its exports, once it and its stylesheets have loaded. */
  function load(name) {
    const key = name.replace(/^\.\//, '');
    if (modules.has(key)) return Promise.resolve(modules.get(key).exports);
    return new Promise((resolve) => {
      const order = withRequired(key);
      const waits = [];
      // What has run has its stylesheets (the page's own, or loaded here). The others' first: a screen is never drawn
      // unstyled (as Vite's preload of a module waits for them).
      const missing = order.filter((chunk) => !modules.has(chunk));
      for (const chunk of missing) for (const css of chunks[chunk].css) waits.push(add(sheets, css, sheet));
      for (const chunk of missing) waits.push(add(scripts, chunk, script));
      resolve(Promise.all(waits).then(() => require(key)));
    });
  }

  window.__parley = { define, load };
})(PARLEY_CHUNKS);
