/**
 * `parley-server`: runs the server, or administers accounts in its data dir.
 *   parley-server [settings]                start serving
 *   parley-server user add NAME [--display-name "..."]
 *   parley-server user rename NAME --display-name "..."
 *   parley-server user list | remove NAME | passwd NAME | disable NAME | enable NAME
 *   parley-server room add NAME --owner USER [--code] | list | code NAME | owner NAME | remove NAME
 *   parley-server voicemail list USER | purge USER
 *   parley-server backup FILE | restore FILE     (the SQLite store)
 *   parley-server check-turn                     (does the configured TURN give a relay?)
 * Admin output goes to stdout for people and scripts; the server logs with pino.
 */
import { BackupError, runBackup, runRestore } from './cli/backup-commands.js';
import { runCheckTurn } from './cli/check-turn.js';
import { StoreOpenError } from './db/database.js';
import { hashParams } from './accounts/passwords.js';
import { ConfigError, extractSettingFlags, loadConfig, resolveStore, secretsOnCommandLine, settingsHelp, type Config } from './config.js';
import { runRoomCommand } from './cli/room-commands.js';
import { runUserCommand, UsageError } from './cli/user-commands.js';
import { runVoicemailCommand } from './cli/voicemail-commands.js';
import { pino } from 'pino';
import { createLogger } from './logger.js';
import { VERSION } from './version.js';

const USAGE = `parley-server ${VERSION}: the Parley signaling server

Usage:
  parley-server [settings]                      start the server
  parley-server user add NAME [--display-name "Full Name"]
                                                add an account (password from stdin or prompted)
  parley-server user list                       list accounts
  parley-server user rename NAME --display-name "Full Name"
                                                change the name everyone sees (at once, also in running servers)
  parley-server user passwd NAME                set a new password (signs the user out everywhere)
  parley-server user disable NAME               disable an account (signs the user out everywhere)
  parley-server user enable NAME                enable a disabled account
  parley-server user remove NAME                delete an account (history is kept; voicemail left for it is deleted,
                                                as it is when an account is disabled)
  parley-server room add NAME --owner USER [--code]
                                                keep a room: its owner and join code (with --code, from
                                                stdin or prompted) outlive its calls; nobody can squat it
  parley-server room list                       list kept rooms
  parley-server room code NAME [--no-code]      set a new join code (from stdin or prompted), or remove it
  parley-server room owner NAME --owner USER    give a kept room another owner
  parley-server room remove NAME                stop keeping a room
  parley-server voicemail list USER             list the voicemail left for USER (who, when, how long; never the audio)
  parley-server voicemail purge USER            delete every voicemail message left for USER
  parley-server backup FILE                     copy the SQLite database to FILE, also while serving
  parley-server restore FILE                    replace the SQLite database with a backup (server stopped;
                                                the current one is kept aside). PostgreSQL: pg_dump/pg_restore
  parley-server check-turn                      ask each TURN URL for a relay with this server's credentials;
                                                exit 0: all gave one, 1: some did not, 2: no TURN configured
  parley-server --help | --version

Settings (flag or environment variable; flags win):
${settingsHelp()}
`;

const SHUTDOWN_DEADLINE_MS = 5000;

/**
 * The one line for people, on stdout after the JSON log lines: where to go.
 * `npm start` (scripts/start.mjs) waits for the web form of it.
 */
function startedLine(config: Pick<Config, 'publicUrl' | 'webRoot'>, url: string): string {
  const where = config.publicUrl ?? url;
  return config.webRoot === undefined
    ? `Parley's signaling server is running: enter ${where} in the app's Server field (no web client here: PARLEY_WEB_ROOT is not set)`
    : `Parley is running: open ${where} in a browser`;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  // Refuses the test suites' cheap password hashes before any command can make a hash.
  hashParams(process.env);
  const { flags, rest } = extractSettingFlags(argv);
  if (rest[0] === 'user') return runUserCommand(resolveStore(process.env, flags), rest.slice(1));
  if (rest[0] === 'room') return runRoomCommand(resolveStore(process.env, flags), rest.slice(1));
  if (rest[0] === 'voicemail') return runVoicemailCommand(resolveStore(process.env, flags), rest.slice(1));
  if (rest[0] === 'backup') return runBackup(resolveStore(process.env, flags), rest.slice(1));
  if (rest[0] === 'restore') return runRestore(resolveStore(process.env, flags), rest.slice(1));
  if (rest[0] === 'check-turn') return runCheckTurn(loadConfig(process.env, flags), rest.slice(1), (line) => process.stdout.write(`${line}\n`));
  if (rest.length > 0) throw new UsageError(`unknown argument "${rest[0]}"`);
  const config = loadConfig(process.env, flags);

  // One stream for the log and the line for people, so that line comes after the log's.
  const stdout = pino.destination({ dest: 1, sync: false });
  const log = createLogger(config.logLevel, stdout);
  const exposed = secretsOnCommandLine(flags);
  if (exposed.length > 0) log.warn({ settings: exposed }, 'secrets given as flags can be read by anyone on this machine (ps): pass them in the environment or a file');
  // Loaded here, so admin commands and --help start without the server's modules.
  const { startServer } = await import('./server.js');
  const started = startServer(config, { logger: log });
  // Taken before the server listens: a SIGTERM right after "parley-server listening" still stops it cleanly.
  const stop = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'signal received');
    setTimeout(() => {
      log.error('shutdown took too long: exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    started
      .then((s) => s.close())
      .then(
        () => log.flush(() => process.exit(0)),
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          log.flush(() => process.exit(1));
        },
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  let server;
  try {
    server = await started;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new ConfigError(`PARLEY_PORT (--port): port ${config.port} on ${config.host} is already in use`);
    }
    throw err;
  }
  stdout.write(`${startedLine(config, server.url)}\n`);
  return -1; // keep running
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof BackupError || err instanceof StoreOpenError) {
      process.stderr.write(`parley-server: ${err.message}\n`);
      process.exitCode = 1;
    } else if (err instanceof ConfigError || err instanceof UsageError) {
      process.stderr.write(`parley-server: ${err.message}\n`);
      if (err instanceof UsageError) process.stderr.write('Run "parley-server --help" for usage.\n');
      process.exitCode = 2;
    } else {
      process.stderr.write(`parley-server: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
