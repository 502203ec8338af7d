// What `npm start` (start.mjs) makes of its environment, kept apart so tests
// can read it without starting anything.

/** A host only this machine reaches. */
function isLoopback(host) {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * Where the local server listens and keeps its data, whether its echo test
 * call is on (on loopback, as the README's network check promises: the echo
 * answers any caller, so not on an address others reach, unless
 * PARLEY_TEST_CALL says so), and how its log reaches the person: readable
 * lines on a terminal, JSON as it is when piped to a file or a service.
 */
export function startOptions(env, stdoutIsTTY) {
  const host = env.PARLEY_HOST || '127.0.0.1';
  return {
    host,
    port: env.PARLEY_PORT || '7070',
    dataDir: env.PARLEY_DATA_DIR || 'parley-data',
    webRoot: env.PARLEY_WEB_ROOT || 'out/renderer',
    testCall: env.PARLEY_TEST_CALL || (isLoopback(host) ? 'on' : 'off'),
    log: stdoutIsTTY ? 'pretty' : 'json',
  };
}
