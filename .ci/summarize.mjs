// Prints each failed test with the start of its error (a CI log is often read
// from its tail only, far from where the suite printed it), what each step
// cost (test-results/durations.json, written by scripts/test.mjs), then totals
// the vitest JSON reports in a folder into one last line: "N passed, N failed"
// (", N skipped" when some were).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? 'test-results';
// The test command's exit status: it can fail with every reported test passed (an unhandled error
// fails a vitest run without failing a test, and the suites after it never run).
const commandStatus = Number(process.argv[3] ?? 0);
let passed = 0;
let failed = 0;
let skipped = 0;
let files = [];
try {
  files = readdirSync(dir).filter((f) => f.endsWith('.json') && !['durations.json', 'flake-hunt.json'].includes(f));
} catch {
  // No reports: the test command failed before any suite ran.
}
/** The durations table: each step, then each browser test file, slowest first. */
function printDurations() {
  let d;
  try {
    d = JSON.parse(readFileSync(path.join(dir, 'durations.json'), 'utf8'));
  } catch {
    console.log('no durations (test-results/durations.json): the test command did not get that far');
    return;
  }
  const row = (name, seconds, ok) => `| ${name} | ${seconds.toFixed(1)} | ${ok ? 'passed' : 'FAILED'} |`;
  const lines = ['', `Durations (wall time, s; total ${(d.totalSeconds / 60).toFixed(1)} min)`, '', '| Step | s | |', '|---|---:|---|'];
  for (const s of d.steps) lines.push(row(s.name, s.seconds, s.ok));
  if (d.browserFiles.length > 0) {
    lines.push('', '| Browser test file | s | |', '|---|---:|---|');
    for (const f of [...d.browserFiles].sort((a, b) => b.seconds - a.seconds)) lines.push(row(f.file, f.seconds, f.ok));
  }
  console.log(`${lines.join('\n')}\n`);
  // A step can fail with no failed test (an unhandled error, a type error, lint): say why here.
  for (const s of d.steps.filter((step) => !step.ok && step.why)) console.log(`Why "${s.name}" failed (its output's end or its unhandled errors):\n    ${s.why.split('\n').join('\n    ')}\n`);
}
/** Lines of each failure's message kept: the assertion and where it was, not the whole stack. */
const FAILURE_LINES = 14;
// eslint-disable-next-line no-control-regex -- colour codes in vitest's messages
const plain = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');

/** Each failed test, or file that failed to load (`test` undefined), in the order of the reports. */
function failures(reports) {
  return reports.flatMap(([file, report]) =>
    (report.testResults ?? []).flatMap((suite) => {
      const where = path.relative(process.cwd(), suite.name);
      const failedTests = (suite.assertionResults ?? []).filter((t) => t.status === 'failed');
      if (suite.status === 'failed' && failedTests.length === 0) return [{ file, where, suite, test: undefined }];
      return failedTests.map((test) => ({ file, where, suite, test }));
    }),
  );
}

/** Each failure with the start of its message. */
function printFailures(list) {
  const lines = list.map(({ file, where, suite, test }) => {
    if (!test) return `✗ ${where} (${file}): ${plain(suite.message ?? 'failed to run').split('\n').slice(0, FAILURE_LINES).join('\n    ')}`;
    // The message and its first two stack frames (the test's own lines), not the rest of the stack.
    let frames = 0;
    const message = plain((test.failureMessages ?? []).join('\n'))
      .split('\n')
      .filter((line) => !/^\s*at /.test(line) || frames++ < 2)
      .slice(0, FAILURE_LINES);
    return `✗ ${where} > ${test.fullName ?? test.title} (${file})\n    ${message.join('\n    ')}`;
  });
  if (lines.length > 0) console.log(`\nFailed tests\n\n${lines.join('\n\n')}`);
}

/** The failures' names, one line each, just above the totals: what a log read from its tail must show. */
function printFailedNames(list) {
  const names = list.map(({ where, test }) =>
    test ? `✗ ${where} > ${test.fullName ?? test.title}: ${plain((test.failureMessages ?? [''])[0]).split('\n')[0].slice(0, 160)}` : `✗ ${where} (failed to run)`,
  );
  if (names.length > 0) console.log(`\nFailed tests, by file (each one's message above):\n${names.join('\n')}\n`);
}

const reports = files.map((file) => [file, JSON.parse(readFileSync(path.join(dir, file), 'utf8'))]);
const failedList = failures(reports);
printFailures(failedList);
printDurations();
printFailedNames(failedList);

for (const [, report] of reports) {
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  // A suite that failed to load has no tests to count: count it as a failure.
  for (const suite of report.testResults ?? []) {
    if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) failed += 1;
  }
}
if (files.length === 0) failed += 1;
if (commandStatus !== 0 && failed === 0) {
  console.log('the test command failed outside any test (an unhandled error, a step before the tests, or a process left running: see above): counted as one failure');
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
