/**
 * A test server's last log lines, kept in memory (a pino destination), so a
 * failed browser test can print what the server said before it failed.
 */
export class ServerLog {
  private static readonly KEPT = 300;
  private readonly lines: string[] = [];

  write(line: string): void {
    this.lines.push(line.trimEnd());
    if (this.lines.length > ServerLog.KEPT) this.lines.shift();
  }

  toString(): string {
    return this.lines.join('\n');
  }
}

/** The logs of the worlds open now (harness.ts adds and removes them), printed when a test fails. */
export const serverLogs = new Set<ServerLog>();
