import { hostname } from 'node:os';
import { z } from 'zod';
import { type Config, ConfigError, parseConfig } from '../shared/config.ts';

/**
 * The relay's own variables (RELAY_*), validated like shared/config.ts validates the functions'
 * ones: all at once, every problem named. The shared part (database, auth, CORS, log level,
 * OneSignal) is read by shared/config.ts without the storage settings the relay never uses.
 */

const positiveInt = z.coerce.number().int().positive();

const schema = z.object({
  RELAY_PORT: z.coerce.number().int().min(0).max(65535).default(54323),
  RELAY_HOST: z.string().min(1).default('0.0.0.0'),
  RELAY_SIGNAL: z.enum(['listen', 'realtime']).default('listen'),
  RELAY_ADAPTER: z.enum(['postgres', 'none']).default('postgres'),
  RELAY_ADAPTER_CHANNEL: z.string().regex(/^[a-z0-9_-]{1,48}$/).default('dokal-relay'),
  RELAY_ID: z.string().min(1).max(200).optional(),
  RELAY_POLL_INTERVAL_MS: positiveInt.default(2000),
  RELAY_PUSH_INTERVAL_MS: positiveInt.default(1000),
  RELAY_DB_POOL_MAX: z.coerce.number().int().min(2).max(100).default(6),
});

export interface RelaySettings {
  port: number;
  host: string;
  /** What tells the relay that events were written: LISTEN/NOTIFY or Supabase Realtime. */
  signal: 'listen' | 'realtime';
  /** Socket.io's Postgres adapter between relay processes, or none (one process). */
  adapter: 'postgres' | 'none';
  /** The adapter's NOTIFY channel prefix: the relays that share it form one cluster. */
  adapterChannel: string;
  /** The name its reading position is saved under (private.relay_state). */
  relayId: string;
  /** Longest time without a look at the outbox, signal or not. */
  pollIntervalMs: number;
  /** Pause of the push worker between passes that found less than a batch. */
  pushIntervalMs: number;
  dbPoolMax: number;
}

export interface RelayConfig {
  shared: Config;
  relay: RelaySettings;
}

/** Validates the relay's whole environment at once and names every missing or invalid variable. */
export function parseRelayConfig(env: Record<string, string | undefined>): RelayConfig {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const problems: string[] = [];
  let shared: Config | undefined;
  try {
    shared = parseConfig(env, { storage: false });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    problems.push(...e.message.split('\n').filter((line) => line.startsWith('  ')));
  }
  const result = schema.safeParse(cleaned);
  problems.push(
    ...(result.error?.issues ?? []).map((i) => `  ${i.path.join('.')}: ${i.message}`),
  );
  if (result.data?.RELAY_SIGNAL === 'realtime' && !cleaned.SUPABASE_SERVICE_ROLE_KEY) {
    problems.push(
      '  SUPABASE_SERVICE_ROLE_KEY: set it with RELAY_SIGNAL=realtime (the private channel)',
    );
  }
  if (!shared || !result.success || problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}\nSee .env.example.`);
  }
  const e = result.data;
  return {
    shared,
    relay: {
      port: e.RELAY_PORT,
      host: e.RELAY_HOST,
      signal: e.RELAY_SIGNAL,
      adapter: e.RELAY_ADAPTER,
      adapterChannel: e.RELAY_ADAPTER_CHANNEL,
      relayId: e.RELAY_ID ?? hostname(),
      pollIntervalMs: e.RELAY_POLL_INTERVAL_MS,
      pushIntervalMs: e.RELAY_PUSH_INTERVAL_MS,
      dbPoolMax: e.RELAY_DB_POOL_MAX,
    },
  };
}

/** The relay process's configuration, from its environment. */
export const relayConfig = (): RelayConfig => parseRelayConfig(process.env);
