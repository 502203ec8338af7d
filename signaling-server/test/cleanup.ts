/**
 * What a test leaves to close when it ends, and what the helpers reset after
 * each test and each file. The helpers register here (harness.ts,
 * cli-helpers.ts, testcall-peer.ts, test-stores.ts) and setup.ts runs it all:
 * a hook a helper registered itself as it loaded would run for the first file
 * only, since the suite's files share each worker's modules (isolate: false in
 * vitest.config.ts). The browser tests and the benchmarks that use these
 * helpers take setup.ts too.
 */
type Close = () => unknown;

const pending: Close[] = [];
const everyTest: Close[] = [];
const everyFile: Close[] = [];

/** Closes `close` after the running test, pass or fail (the last registered first). */
export function afterTest(close: Close): void {
  pending.push(close);
}

/** Runs `reset` after every test, once what the test left open is closed (a helper registers it as it loads). */
export function afterEveryTest(reset: Close): void {
  everyTest.push(reset);
}

/** Runs `reset` after every test file (a helper registers it as it loads). */
export function afterEveryFile(reset: Close): void {
  everyFile.push(reset);
}

/** After a test (setup.ts). One close that throws does not stop the others; the first error is thrown at the end. */
export function endTest(): Promise<void> {
  return runAll([...pending.splice(0).reverse(), ...everyTest]);
}

/** After a test file (setup.ts). */
export function endFile(): Promise<void> {
  return runAll(everyFile);
}

async function runAll(closes: Close[]): Promise<void> {
  let failure: { error: unknown } | undefined;
  for (const close of closes) {
    try {
      await close();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}
