import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseRelayConfig } from '../../realtime-relay/config.ts';
import { ConfigError } from '../../shared/config.ts';

const MINIMAL = {
  SUPABASE_URL: 'https://abc.supabase.co',
  SUPABASE_DB_URL: 'postgres://postgres:pw@db.abc.supabase.co:5432/postgres',
};

function failure(env: Record<string, string | undefined>): string {
  try {
    parseRelayConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('parseRelayConfig accepted an invalid environment');
}

const namedVariables = (message: string) =>
  message.split('\n').flatMap((line) => line.match(/^\s+([A-Z_]+):/)?.[1] ?? []).sort();

describe("the relay's configuration", () => {
  it('needs the database and the project, not storage; the rest has defaults', () => {
    const { shared, relay } = parseRelayConfig(MINIMAL);
    expect(shared.databaseUrl).toBe(MINIMAL.SUPABASE_DB_URL);
    expect(shared.push).toBeUndefined();
    expect(relay).toEqual({
      port: 54323,
      host: '0.0.0.0',
      signal: 'listen',
      adapter: 'postgres',
      adapterChannel: 'dokal-relay',
      relayId: hostname(),
      pollIntervalMs: 2000,
      pushIntervalMs: 1000,
      dbPoolMax: 6,
    });
  });

  it('names every problem, shared and its own, in one message', () => {
    const message = failure({
      SUPABASE_URL: 'not a url',
      RELAY_PORT: '70000',
      RELAY_SIGNAL: 'carrier-pigeon',
      RELAY_ADAPTER: 'redis',
      RELAY_POLL_INTERVAL_MS: '0',
      ONESIGNAL_APP_ID: '5eb5a37e-b458-11e3-ac11-000c2940e62c',
    });
    expect(namedVariables(message)).toEqual([
      'ONESIGNAL_REST_API_KEY',
      'RELAY_ADAPTER',
      'RELAY_POLL_INTERVAL_MS',
      'RELAY_PORT',
      'RELAY_SIGNAL',
      'SUPABASE_DB_URL',
      'SUPABASE_URL',
    ]);
    expect(message).toContain('.env.example');
  });

  it('needs the service key for the Realtime signal', () => {
    expect(namedVariables(failure({ ...MINIMAL, RELAY_SIGNAL: 'realtime' }))).toEqual([
      'SUPABASE_SERVICE_ROLE_KEY',
    ]);
    const { relay } = parseRelayConfig({
      ...MINIMAL,
      RELAY_SIGNAL: 'realtime',
      SUPABASE_SERVICE_ROLE_KEY: 'service-key',
      RELAY_ID: 'relay-eu-1',
      RELAY_ADAPTER: 'none',
    });
    expect(relay).toMatchObject({ signal: 'realtime', relayId: 'relay-eu-1', adapter: 'none' });
  });
});
