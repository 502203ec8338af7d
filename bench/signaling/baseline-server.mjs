// The baseline: a bare Socket.IO server that forwards `signal` to a socket id,
// and the barest presence (for the full-team phase): `hello` names a client,
// `watch` joins the rooms of those it names and answers who of them is
// online, and `online` goes to a room when its person arrives. No auth, no
// validation, no store. Same engine settings as parley-server (64 KiB
// messages, a ping every 10 s), so the difference measured against it is
// Parley's own work. /healthz answers so the benchmark knows it is up.
// With BASELINE_REDIS_URL it is one of several nodes on the Redis adapter
// Parley uses (@socket.io/redis-adapter, pub/sub): the floor of a message
// from a client on one node to a client on another.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

// The server package's own socket.io, the one parley-server runs on.
const require = createRequire(path.resolve(import.meta.dirname, '../../signaling-server/package.json'));
const { Server } = require('socket.io');

const http = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', heapUsed: process.memoryUsage().heapUsed }));
  } else res.writeHead(404).end();
});
const io = new Server(http, { maxHttpBufferSize: 64 * 1024, pingInterval: 10_000, pingTimeout: 10_000, connectTimeout: 10_000 });
if (process.env.BASELINE_REDIS_URL) {
  const { createClient } = require('redis');
  const { createAdapter } = require('@socket.io/redis-adapter');
  const pub = createClient({ url: process.env.BASELINE_REDIS_URL });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(createAdapter(pub, sub));
}
const online = new Set();
io.on('connection', (socket) => {
  socket.on('signal', (to, message) => {
    socket.to(to).emit('signal', message);
  });
  socket.on('hello', (username) => {
    online.add(username);
    socket.once('disconnect', () => online.delete(username));
    socket.to(`p:${username}`).emit('online', username);
  });
  socket.on('watch', (usernames, ack) => {
    void socket.join(usernames.map((u) => `p:${u}`));
    ack(usernames.filter((u) => online.has(u)));
  });
});
http.listen(Number(process.env.BASELINE_PORT), '127.0.0.1');
const stop = () => {
  void io.close(() => process.exit(0));
  http.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
