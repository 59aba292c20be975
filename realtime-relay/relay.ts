import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/postgres-adapter';
import pg from 'pg';
import postgres from 'postgres';
import { Server, type Socket } from 'socket.io';
import { verifyAccessToken } from '../shared/auth/verify-token.ts';
import { log } from '../shared/http/logger.ts';
import type { PushAdapter } from '../shared/push/adapter.ts';
import { type PushWorker, startPushWorker } from '../shared/push/deliver.ts';
import { pushAdapterFor } from '../shared/push/onesignal.ts';
import type { RelayConfig } from './config.ts';
import { type OutboxEvent, OutboxReader, savePosition, startingPoint } from './outbox.ts';
import { Presence, type SocketData, userRoom } from './presence.ts';
import { listenSignal, realtimeSignal, type Signal } from './signal.ts';

/** At most this many events, none older than 24 hours, when a client catches up. */
export const CATCH_UP_LIMIT = 500;
/** How often the reading position is saved (and on stop). */
const SAVE_INTERVAL_MS = 5000;
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface RelayOptions {
  config: RelayConfig;
  /** The push provider; default the OneSignal adapter of the configuration (none: push off). */
  pushAdapter?: PushAdapter;
}

export interface RunningRelay {
  url: string;
  port: number;
  io: Server;
  /** Stops taking sockets, tells the connected ones to reconnect, saves the position. */
  stop(): Promise<void>;
}

/** An error's code for the log: never its text, which may quote data. */
const codeOf = (e: unknown) =>
  (e as { code?: string })?.code ?? (e as { name?: string })?.name ?? 'unknown';

/** `auth.last_event_id` as the client sent it: a non-negative integer (or its digits), else none. */
function lastEventIdOf(value: unknown): number | undefined {
  const n = typeof value === 'number'
    ? value
    : typeof value === 'string' && /^\d{1,15}$/.test(value)
    ? Number(value)
    : undefined;
  return n !== undefined && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

interface CatchUpRow {
  id: string;
  event: string;
  payload: Record<string, unknown>;
}

/**
 * The Socket.io relay: authenticates each socket, keeps it in its user's room, forwards each
 * outbox event to its recipient's sockets on this relay, in id order, once; presence through
 * the adapter; push delivery; /healthz. See realtime-relay/README.md.
 */
export async function startRelay(options: RelayOptions): Promise<RunningRelay> {
  const { shared, relay } = options.config;
  const sql = postgres(shared.databaseUrl, {
    max: relay.dbPoolMax,
    prepare: shared.dbPrepare,
    idle_timeout: 60,
    connect_timeout: Math.min(5, shared.dbStatementTimeoutMs / 2000),
    backoff: (failures: number) => Math.min(0.1 * failures, 1),
    connection: {
      statement_timeout: shared.dbStatementTimeoutMs,
      // Named after the relay, so an operator (or a test) can find its connections.
      application_name: `dokal-relay:${relay.relayId}`.slice(0, 63),
    },
    onnotice: () => {},
  });
  const base = { relay_id: relay.relayId };
  const fail = (event: string, e: unknown, fields: Record<string, unknown> = {}) =>
    log('error', event, { ...base, ...fields, code: codeOf(e) });

  let stopping = false;
  const after = await startingPoint(sql, relay.relayId);

  /** GET /healthz: always 200 while the process serves; the body says how it is doing. */
  const healthz = async (res: ServerResponse) => {
    const status = reader.status();
    const memory = process.memoryUsage();
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({
      status: stopping ? 'stopping' : status.failing ? 'database_unavailable' : 'ok',
      relay_id: relay.relayId,
      sockets: nsp.sockets.size,
      last_event_id: status.lastEventId,
      lag_ms: status.lagMs,
      lag_events: Math.max(0, status.highestSeen - status.lastEventId),
      // The relays this one knows of through the adapter, itself included.
      relays: await nsp.adapter.serverCount().catch(() => null),
      signal: relay.signal,
      adapter: relay.adapter,
      memory: { rss: memory.rss, heap_used: memory.heapUsed },
    }));
  };
  const httpServer = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/healthz') {
      healthz(res).catch(() => res.destroy());
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not_found"}');
  });

  const origins = shared.corsOrigins;
  const io = new Server(httpServer, {
    serveClient: false,
    cors: { origin: origins.includes('*') ? '*' : origins, methods: ['GET', 'POST'] },
  });
  const nsp = io.of('/');

  // Relays find each other's sockets (presence) through Socket.io's Postgres adapter: NOTIFY on
  // a connection that LISTENs, so a direct or session connection (not a transaction pooler).
  let adapterPool: pg.Pool | undefined;
  if (relay.adapter === 'postgres') {
    adapterPool = new pg.Pool({
      connectionString: shared.databaseUrl,
      max: 3,
      application_name: `dokal-relay-adapter:${relay.relayId}`.slice(0, 63),
      connectionTimeoutMillis: 5000,
    });
    // A connection the server closes emits 'error' on its client; unheard, it ends the process.
    // The adapter drops its LISTEN client when it ends without giving it back to the pool,
    // which would count it forever (and never end): it is given back here, as broken.
    const checkedOut = new WeakSet<pg.PoolClient>();
    adapterPool.on('acquire', (client) => checkedOut.add(client));
    adapterPool.on('release', (_e, client) => checkedOut.delete(client));
    adapterPool.on('error', (e) => fail('adapter_connection_lost', e));
    adapterPool.on('connect', (client) => {
      client.on('error', (e) => fail('adapter_connection_lost', e));
      client.on('end', () => {
        if (checkedOut.has(client)) client.release(new Error('connection ended'));
      });
    });
    io.adapter(createAdapter(adapterPool, {
      channelPrefix: relay.adapterChannel,
      tableName: 'private.socket_io_attachments',
      errorHandler: (e: Error) => fail('adapter_error', e),
    }));
  }

  const presence = new Presence(io, sql, (event, e) => fail(event, e));

  /** Each event to its recipient's sockets here, except to one that already has it. */
  const deliver = (events: OutboxEvent[]) => {
    for (const e of events) {
      const room = userRoom(e.userId);
      const members = nsp.adapter.rooms.get(room);
      if (!members) continue;
      const sockets = [...members].map((id) => nsp.sockets.get(id)).filter((s) => s !== undefined);
      if (sockets.every((s) => (s.data as SocketData).floor < e.id)) {
        io.local.to(room).emit(e.event, e.payload);
      } else {
        for (const s of sockets) {
          if ((s.data as SocketData).floor < e.id) s.emit(e.event, e.payload);
        }
      }
    }
  };

  const reader = new OutboxReader({
    sql,
    after,
    deliver,
    onError: (e) => fail('outbox_read_failed', e),
  });

  /**
   * Catch-up, then live: the events after `requested` (its newest 500 of the last 24 hours)
   * up to what the reader has delivered, again while the reader moved on during the query, then
   * the room, in the same tick as the last check: nothing is missed, nothing sent twice.
   * Without `requested`, the room at once, in the tick the connection was acknowledged in.
   */
  const catchUpAndJoin = async (socket: Socket, requested: number | undefined) => {
    const data = socket.data as SocketData;
    let floor = requested ?? reader.cursor;
    for (;;) {
      // Gone during the catch-up: not in any room (a room would keep its id).
      if (!socket.connected) return;
      const target = reader.cursor;
      if (floor >= target) {
        data.floor = floor;
        socket.join(userRoom(data.userId));
        return;
      }
      const rows = await sql<CatchUpRow[]>`
        select id::text, event, payload from (
          select id, event, payload || jsonb_build_object('event_id', id) as payload
          from private.events
          where user_id = ${data.userId} and id > ${floor} and id <= ${target}
            and created_at > now() - interval '24 hours'
          order by id desc
          limit ${CATCH_UP_LIMIT}
        ) newest
        order by newest.id`;
      for (const row of rows) socket.emit(row.event, row.payload);
      floor = target;
    }
  };

  io.use(async (socket, next) => {
    const refuse = (reason: string) => {
      log('info', 'handshake_refused', { ...base, reason });
      next(new Error('unauthorized'));
    };
    if (stopping) return next(new Error('unavailable'));
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token === '') return refuse('no_token');
    let claims;
    try {
      claims = await verifyAccessToken(token);
    } catch {
      return refuse('invalid_token');
    }
    let requested = lastEventIdOf(
      (socket.handshake.auth as { last_event_id?: unknown }).last_event_id,
    );
    try {
      // With the outbox's end before the connection is acknowledged: a client that says it has
      // events beyond it (or this relay's position) gets everything after it.
      const [{ known, newest }] = await sql<{ known: boolean; newest: string }[]>`
        select exists (select from public.profiles where id = ${claims.sub}) as known,
               (select coalesce(max(id), 0) from private.events)::text as newest`;
      if (!known) return refuse('unknown_user');
      if (requested !== undefined) {
        requested = Math.min(requested, Math.max(Number(newest), reader.cursor));
      }
    } catch (e) {
      // Not the client's fault: its transport is closed, so it reconnects by itself.
      fail('handshake_failed', e);
      socket.conn.close();
      return;
    }
    const data: SocketData & { expiresAt: number; requested?: number } = {
      userId: claims.sub,
      connectedAt: Date.now(),
      floor: 0,
      expiresAt: Number(claims.exp) * 1000,
      requested,
    };
    socket.data = data;
    next();
  });

  io.on('connection', (socket) => {
    const data = socket.data as SocketData & { expiresAt: number; requested?: number };
    const fields = { ...base, socket_id: socket.id, user_id: data.userId };
    const requested = data.requested;
    log('info', 'socket_connected', {
      ...fields,
      transport: socket.conn.transport.name,
      last_event_id: requested ?? null,
    });
    // An expired token ends the socket's transport: the client reconnects with a fresh token.
    const expiry = setTimeout(() => {
      log('info', 'socket_token_expired', fields);
      socket.conn.close();
    }, Math.min(Math.max(0, data.expiresAt - Date.now()), MAX_TIMER_MS));
    let joined = false;
    socket.on('disconnect', (reason) => {
      clearTimeout(expiry);
      log('info', 'socket_disconnected', {
        ...fields,
        reason,
        seconds: Math.round((Date.now() - data.connectedAt) / 1000),
      });
      // A relay that stops sends its sockets to the others: their users are not leaving.
      if (joined && !stopping) {
        presence.disconnected(data.userId).catch((e) => fail('presence_failed', e, fields));
      }
    });
    (async () => {
      await catchUpAndJoin(socket, requested);
      joined = socket.connected;
      if (joined) {
        await presence.connected(socket);
      }
    })().catch((e) => {
      fail('socket_setup_failed', e, fields);
      // Without its room it would miss events: its client reconnects and catches up.
      if (!joined) socket.conn.close();
    });
  });

  let signal: Signal;
  if (relay.signal === 'realtime') {
    signal = await realtimeSignal({
      supabaseUrl: shared.supabaseUrl,
      serviceKey: shared.serviceRoleKey!,
      poke: () => reader.poke(),
      onStatus: (status, error) =>
        status === 'SUBSCRIBED'
          ? log('info', 'realtime_subscribed', base)
          : log('error', 'realtime_channel', { ...base, status, code: error?.name }),
    });
  } else {
    signal = await listenSignal(sql, () => reader.poke());
  }
  const poller = setInterval(() => reader.poke(), relay.pollIntervalMs);
  reader.poke();

  let saved = after;
  const save = async () => {
    const position = reader.cursor;
    if (position === saved) return;
    await savePosition(sql, relay.relayId, position);
    saved = position;
  };
  const saver = setInterval(() => {
    save().catch((e) => fail('position_save_failed', e));
  }, SAVE_INTERVAL_MS);

  const push: PushWorker = startPushWorker(
    sql,
    options.pushAdapter ?? pushAdapterFor(shared.push),
    {
      intervalMs: relay.pushIntervalMs,
      log: (level, event, fields) => log(level, event, { ...base, ...fields }),
    },
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(relay.port, relay.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const shownHost = relay.host === '0.0.0.0' ? '127.0.0.1' : relay.host;
  const url = `http://${shownHost}:${port}`;
  log('info', 'relay_started', {
    ...base,
    url,
    signal: relay.signal,
    adapter: relay.adapter,
    last_event_id: after,
  });

  let stopped: Promise<void> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      stopping = true;
      clearInterval(poller);
      clearInterval(saver);
      await reader.stop();
      await save().catch((e) => fail('position_save_failed', e));
      // Closing the transports (not a Socket.io disconnect) makes the clients reconnect, to
      // another relay behind the load balancer, and catch up with their last_event_id.
      const sockets = nsp.sockets.size;
      await io.close();
      await Promise.all([signal.stop(), push.stop()]);
      await Promise.race([adapterPool?.end().catch(() => {}), pause(2000)]);
      await sql.end({ timeout: 2 });
      log('info', 'relay_stopped', { ...base, sockets, last_event_id: reader.cursor });
    })();

  return { url, port, io, stop };
}
