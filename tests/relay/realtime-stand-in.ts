import { createServer, type Server } from 'node:http';
import postgres from 'postgres';
import { type WebSocket, WebSocketServer } from 'ws';
import { freePort } from '../../dev/lib/free-port.ts';

/**
 * A local stand-in for Supabase Realtime: the subset of its websocket protocol that
 * @supabase/realtime-js speaks to receive broadcasts on a private channel (Phoenix channels,
 * serializer 2.0.0: every frame a JSON array `[join_ref, ref, topic, event, payload]`):
 *
 * - the socket at `/realtime/v1/websocket?apikey=<key>&vsn=2.0.0`, refused for another key;
 * - `phx_join` of `realtime:<topic>`: answered `ok` when the join asks for a private channel and
 *   its token (`access_token`, else the socket's apikey) is the service key (which passes RLS
 *   on realtime.messages), an `error` otherwise;
 * - `heartbeat` on `phoenix`, `access_token` and `phx_leave`: answered `ok`;
 * - broadcasts: what the database's realtime.send wrote (the stand-in's realtime.send also
 *   NOTIFYs `realtime_stand_in` at commit, where Realtime reads its WAL), sent to the sockets
 *   joined to that topic as `[null, null, "realtime:<topic>", "broadcast",
 *   {type: "broadcast", event, payload}]`.
 */
export class RealtimeStandIn {
  url = '';
  /** Every join asked for, accepted or not. */
  readonly joins: Array<{ topic: string; payload: Record<string, unknown>; accepted: boolean }> =
    [];
  /** The apikey of every websocket opened. */
  readonly connections: string[] = [];
  broadcasts = 0;
  private server?: Server;
  private wss?: WebSocketServer;
  private listener?: postgres.Sql;
  private readonly joined = new Map<WebSocket, Set<string>>();

  constructor(private readonly serviceKey: string, private readonly databaseUrl: string) {}

  async start(): Promise<void> {
    const port = await freePort();
    this.server = createServer((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url!, 'http://stand-in');
      const apikey = url.searchParams.get('apikey') ?? '';
      if (
        url.pathname !== '/realtime/v1/websocket' || apikey !== this.serviceKey ||
        url.searchParams.get('vsn') !== '2.0.0'
      ) {
        socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      this.connections.push(apikey);
      this.wss!.handleUpgrade(req, socket, head, (ws) => this.accept(ws, apikey));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${port}`;
    this.listener = postgres(this.databaseUrl, { max: 1, onnotice: () => {} });
    await this.listener.listen('realtime_stand_in', (text) => this.broadcast(JSON.parse(text)));
  }

  private accept(ws: WebSocket, apikey: string) {
    this.joined.set(ws, new Set());
    ws.on('close', () => this.joined.delete(ws));
    ws.on('message', (data) => {
      const [joinRef, ref, topic, event, payload] = JSON.parse(String(data));
      const reply = (status: 'ok' | 'error', response: Record<string, unknown> = {}) =>
        ws.send(JSON.stringify([joinRef, ref, topic, 'phx_reply', { status, response }]));
      switch (event) {
        case 'heartbeat':
        case 'access_token':
          return reply('ok');
        case 'phx_join': {
          // As Realtime does, the join's token, else the socket's apikey.
          const token = payload?.access_token ?? apikey;
          const accepted = payload?.config?.private === true && token === this.serviceKey;
          this.joins.push({ topic, payload, accepted });
          if (!accepted) return reply('error', { reason: 'Unauthorized' });
          this.joined.get(ws)?.add(topic);
          return reply('ok', { postgres_changes: [] });
        }
        case 'phx_leave':
          this.joined.get(ws)?.delete(topic);
          return reply('ok');
        default:
          return reply('error', { reason: `unknown event ${event}` });
      }
    });
  }

  private broadcast(message: { topic: string; event: string; payload: unknown; private: boolean }) {
    const topic = `realtime:${message.topic}`;
    const frame = JSON.stringify([null, null, topic, 'broadcast', {
      type: 'broadcast',
      event: message.event,
      payload: message.payload,
    }]);
    for (const [ws, topics] of this.joined) {
      if (topics.has(topic)) {
        ws.send(frame);
        this.broadcasts++;
      }
    }
  }

  /** Closes every websocket, as a Realtime restart would. */
  drop(): void {
    for (const ws of this.joined.keys()) ws.terminate();
  }

  async stop(): Promise<void> {
    this.drop();
    this.wss?.close();
    await new Promise((resolve) => this.server?.close(resolve));
    await this.listener?.end();
  }
}

/**
 * What the platform's `realtime` schema offers the migration, in a database without Realtime:
 * realtime.messages and realtime.send(payload, event, topic, private) as Supabase defines it,
 * plus a NOTIFY at commit for the stand-in.
 */
export const REALTIME_SCHEMA = `
  create schema realtime;
  create table realtime.messages (
    id uuid primary key default gen_random_uuid(),
    topic text not null,
    extension text not null,
    payload jsonb,
    event text,
    private boolean default false,
    inserted_at timestamptz not null default now()
  );
  create function realtime.send(payload jsonb, event text, topic text, private boolean default true)
  returns void language plpgsql as $$
  begin
    insert into realtime.messages (payload, event, topic, private, extension)
    values (payload, event, topic, private, 'broadcast');
    perform pg_notify('realtime_stand_in', json_build_object(
      'topic', topic, 'event', event, 'payload', payload, 'private', private)::text);
  end
  $$;`;
