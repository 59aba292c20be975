import { createClient } from '@supabase/supabase-js';
import type postgres from 'postgres';
import WebSocket from 'ws';

/**
 * What tells the relay that events were written. Only a hint: the relay reads the outbox from
 * where it stopped, so a lost or duplicated signal delays nothing but the next look (a timer
 * looks anyway). Each source also pokes when it (re)connects: what was written while it was
 * away is read at once.
 */
export interface Signal {
  stop(): Promise<void>;
}

/** pg_notify('dokal_events', id) from private.emit_event, on a LISTEN connection of the pool. */
export async function listenSignal(sql: postgres.Sql, poke: () => void): Promise<Signal> {
  const { unlisten } = await sql.listen('dokal_events', poke, poke);
  return { stop: () => unlisten().catch(() => {}) };
}

/** The private topic the database broadcasts on (migration 20261202007000). */
export const REALTIME_TOPIC = 'dokal:events';
export const REALTIME_EVENT = 'events';

export interface RealtimeSignalOptions {
  supabaseUrl: string;
  /** The service key: it passes the private channel's authorization (RLS on realtime.messages). */
  serviceKey: string;
  poke: () => void;
  onStatus: (status: string, error?: Error) => void;
}

/**
 * Supabase Realtime: the private broadcast channel `dokal:events`, joined with the service key
 * through supabase-js. realtime-js reconnects and joins again by itself; each successful join
 * pokes.
 */
export async function realtimeSignal(options: RealtimeSignalOptions): Promise<Signal> {
  const client = createClient(options.supabaseUrl, options.serviceKey, {
    // The service key is the channel's token: no session, no auth client.
    accessToken: () => Promise.resolve(options.serviceKey),
    // Node 20 has no WebSocket of its own (Node 22 has).
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
  });
  // The token is set before the join, so the very first join carries it.
  await client.realtime.setAuth(options.serviceKey);
  const channel = client
    .channel(REALTIME_TOPIC, { config: { private: true } })
    .on('broadcast', { event: REALTIME_EVENT }, () => options.poke())
    .subscribe((status, error) => {
      if (status === 'SUBSCRIBED') options.poke();
      options.onStatus(status, error);
    });
  return {
    async stop() {
      await client.removeChannel(channel).catch(() => {});
      client.realtime.disconnect();
    },
  };
}
