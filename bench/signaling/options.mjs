// bench:signaling's command line: its --help, and the options read from it.
import path from 'node:path';
import { parseArgs } from 'node:util';

const root = path.resolve(import.meta.dirname, '../..');

const USAGE = `npm run bench:signaling -- [options]

  --clients N         concurrent clients (default 10000)
  --duration S        seconds of call setups, and of the relay measurement (default 30)
  --rate R            call setups per second while every client stays connected (default 100)
  --quick             a small run for smoke checks: 1000 clients, 3 s, 50 setups/s (under 45 s)
  --workers W         load-generator threads (default 2)
  --window K          handshakes in flight per thread during the login storm (default 250)
  --transport T       websocket | polling (polling first, then upgrade, as browsers do; default websocket)
  --relay-rate M      call:signal messages per second over all pairs in the relay measurement (default 500)
  --relay-pairs P     calls that relay in the relay measurement (default 100)
  --presence-sizes L  team sizes for presence fan-out, comma-separated (default 100,1000,10000, those ≤ clients)
  --presence-changes C status changes per team size (default 20)
  --skip-watch        clients watch no contacts (for servers without presence:watch)
  --watch-by-message  clients name their contacts with presence:watch after session:ready, not in the
                      handshake's auth.watch (for servers before it, and to compare the two)
  --full-team N       the full-team watch: N clients each watching 500 others (or all), time until all see
                      all online, against the bare relay (default 1000, --quick 200; 0 skips it)
  --settle S          seconds the servers sit idle, every client connected, before memory is read (default 5)
  --marginal N        clients connected after the run, in a team of their own, for what one client more
                      keeps (default a fifth of --clients; 0 skips it)
  --cpu-prof DIR      run parley-server with node --cpu-prof, writing profiles to DIR
  --server-bin FILE   another build's bin/parley-server.js, for before/after comparisons
  --nodes N           parley-server nodes sharing state through a Redis started by the run (default 1);
                      clients alternate between the nodes, so most calls and presence cross nodes
  --startup-runs N    starts of each server for start to listening, on the seeded data dir (default 10, --quick 3)
  --out FILE          where to write the JSON (default bench/results/signaling.json, or signaling-N-nodes.json)
`;


/** The run's settings from its arguments; --help prints USAGE and exits. */
export function options(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      clients: { type: 'string' },
      duration: { type: 'string' },
      rate: { type: 'string' },
      quick: { type: 'boolean', default: false },
      workers: { type: 'string', default: '2' },
      window: { type: 'string', default: '250' },
      transport: { type: 'string', default: 'websocket' },
      'relay-rate': { type: 'string', default: '500' },
      'relay-pairs': { type: 'string', default: '100' },
      'presence-sizes': { type: 'string' },
      'presence-changes': { type: 'string', default: '20' },
      'skip-watch': { type: 'boolean', default: false },
      'watch-by-message': { type: 'boolean', default: false },
      'full-team': { type: 'string' },
      settle: { type: 'string' },
      marginal: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'server-bin': { type: 'string' },
      nodes: { type: 'string', default: '1' },
      'startup-runs': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name, v, min) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min} (got "${v}")`);
    return n;
  };
  const quick = values.quick;
  const clients = num('clients', values.clients ?? (quick ? 1000 : 10_000), 4);
  const sizes = values['presence-sizes']
    ? values['presence-sizes'].split(',').map((s) => num('presence-sizes', s, 2))
    : [100, 1000, 10_000].filter((s) => s <= clients);
  if (!['websocket', 'polling'].includes(values.transport)) throw new Error('--transport must be websocket or polling');
  return {
    clients,
    durationS: num('duration', values.duration ?? (quick ? 3 : 30), 1),
    rate: num('rate', values.rate ?? (quick ? 50 : 100), 1),
    quick,
    workers: num('workers', values.workers, 1),
    window: num('window', values.window, 1),
    transport: values.transport,
    relayRate: num('relay-rate', values['relay-rate'], 1),
    relayPairs: Math.min(num('relay-pairs', values['relay-pairs'], 1), Math.floor(clients / 4)),
    presenceSizes: sizes.length > 0 ? sizes : [clients],
    presenceChanges: num('presence-changes', values['presence-changes'], 1),
    watch: !values['skip-watch'],
    watchBy: values['watch-by-message'] ? 'message' : 'handshake',
    fullTeam: values['skip-watch'] ? 0 : num('full-team', values['full-team'] ?? (quick ? 200 : 1000), 0),
    marginal: Math.round(num('marginal', values.marginal ?? clients / 5, 0)),
    settleMs: 1000 * num('settle', values.settle ?? (quick ? 2 : 5), 0.5),
    serverBin: values['server-bin'] ? path.resolve(values['server-bin']) : undefined,
    cpuProf: values['cpu-prof'] ? path.resolve(values['cpu-prof']) : undefined,
    nodes: num('nodes', values.nodes, 1),
    startupRuns: num('startup-runs', values['startup-runs'] ?? (quick ? 3 : 10), 1),
    out: path.resolve(
      values.out ?? path.join(root, 'bench/results', Number(values.nodes) > 1 ? `signaling-${Number(values.nodes)}-nodes.json` : 'signaling.json'),
    ),
  };
}

