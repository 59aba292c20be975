// The relay benchmark's baseline: a bare Socket.io server (the relay's version, the same
// options) that emits the same events from memory, with no database, no token check and no
// adapter. Run by dev/bench/relay.ts as a process of its own:
//   node --import tsx dev/bench/relay-bare.ts <port>
// A socket says which user it is (`auth.user_id`) and joins `user:<id>`. POST /run
// {users, count, rate} emits `count` events at `rate` per second, event i to users[i % n],
// each payload carrying its emit time (`sent_us`, the machine's monotonic clock in µs, which
// the benchmark process reads too). GET /memory answers the process's memory.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.argv[2]);
const now = () => Number(process.hrtime.bigint() / 1000n);

function run(users: string[], count: number, rate: number) {
  const intervalUs = 1_000_000 / rate;
  const start = now();
  let i = 0;
  const tick = () => {
    const due = Math.floor((now() - start) / intervalUs);
    for (; i <= due && i < count; i++) {
      io.to(`user:${users[i % users.length]}`).emit('bench:tick', {
        seq: i,
        event_id: i + 1,
        sent_us: now(),
      });
    }
    if (i < count) setTimeout(tick, Math.max(0, (start + i * intervalUs - now()) / 1000));
  };
  tick();
}

const httpServer = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/memory') {
    const m = process.memoryUsage();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ rss: m.rss, heap_used: m.heapUsed, sockets: io.of('/').sockets.size }),
    );
    return;
  }
  if (req.method === 'POST' && req.url === '/run') {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const { users, count, rate } = JSON.parse(body);
      res.writeHead(202).end();
      run(users, count, rate);
    });
    return;
  }
  res.writeHead(404).end();
});

const io = new Server(httpServer, { serveClient: false, cors: { origin: '*' } });
io.use((socket, next) => {
  socket.data.userId = String(socket.handshake.auth?.user_id ?? '');
  next();
});
io.on('connection', (socket) => {
  socket.join(`user:${socket.data.userId}`);
});

httpServer.listen(port, '127.0.0.1', () => console.log(`bare socket.io on ${port}`));
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => io.close(() => process.exit(0)));
}
