export interface StartOptions {
  host: string;
  port: string;
  dataDir: string;
  webRoot: string;
  /** PARLEY_TEST_CALL for the server. */
  testCall: string;
  /** pretty: pino-pretty lines on a terminal; json: the server's own lines. */
  log: 'pretty' | 'json';
}
/** What `npm start` makes of its environment and of whether its output is a terminal. */
export function startOptions(env: Record<string, string | undefined>, stdoutIsTTY: boolean): StartOptions;
