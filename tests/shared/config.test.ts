import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../shared/config.ts';

const MINIMAL = {
  SUPABASE_URL: 'https://abc.supabase.co/',
  DATABASE_URL: 'postgres://dokal:pw@127.0.0.1:5432/dokal',
  LOCAL_STORAGE_DIR: '/tmp/dokal-storage',
};

function failure(env: Record<string, string | undefined>): string {
  try {
    parseConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('parseConfig accepted an invalid environment');
}

/** The variable names a configuration error points at, one per line. */
const namedVariables = (message: string) =>
  message.split('\n').flatMap((line) => line.match(/^\s+([A-Z_]+):/)?.[1] ?? []).sort();

describe('parseConfig', () => {
  it('names every missing variable in one message', () => {
    const message = failure({});
    expect(namedVariables(message)).toEqual([
      'SUPABASE_DB_URL',
      'SUPABASE_SERVICE_ROLE_KEY',
      'SUPABASE_URL',
    ]);
    expect(message).toContain('.env.example');
  });

  it('names every invalid variable at once, alongside the missing ones', () => {
    const message = failure({
      SUPABASE_URL: 'not a url',
      RATE_LIMIT_PER_MINUTE: 'lots',
      DB_POOL_MAX: '0',
      DB_PREPARE: 'maybe',
      LOG_LEVEL: 'loud',
      MAX_BODY_BYTES: '1.5',
      JWT_LEGACY_SECRET: 'short',
    });
    expect(namedVariables(message)).toEqual([
      'DB_POOL_MAX',
      'DB_PREPARE',
      'JWT_LEGACY_SECRET',
      'LOG_LEVEL',
      'MAX_BODY_BYTES',
      'RATE_LIMIT_PER_MINUTE',
      'SUPABASE_DB_URL',
      'SUPABASE_SERVICE_ROLE_KEY',
      'SUPABASE_URL',
    ]);
  });

  it('never repeats a secret value in the message', () => {
    const secret = 'x'.repeat(12) + '-not-long-enough';
    const message = failure({
      ...MINIMAL,
      JWT_LEGACY_SECRET: secret,
      DATABASE_URL: 'postgres//user:hunter2@db',
    });
    expect(namedVariables(message)).toEqual(['DATABASE_URL', 'JWT_LEGACY_SECRET']);
    expect(message).not.toContain(secret);
    expect(message).not.toContain('hunter2');
  });

  it('applies the defaults', () => {
    expect(parseConfig(MINIMAL)).toEqual({
      databaseUrl: MINIMAL.DATABASE_URL,
      supabaseUrl: 'https://abc.supabase.co',
      jwks: undefined,
      jwtLegacySecret: undefined,
      serviceRoleKey: undefined,
      localStorageDir: '/tmp/dokal-storage',
      publicUrl: 'https://abc.supabase.co',
      dbPrepare: true,
      dbPoolMax: 10,
      dbStatementTimeoutMs: 8000,
      rateLimitPerMinute: 100,
      trustedProxyHops: 1,
      maxBodyBytes: 1024 * 1024,
      corsOrigins: ['*'],
      logLevel: 'info',
      push: undefined,
      payme: {
        sellerKey: undefined,
        apiUrl: 'https://sandbox.payme.io/api',
        timeoutMs: 10_000,
        signatureSecret: undefined,
        webhookUrl: 'https://abc.supabase.co/functions/v1/payments/webhook',
        returnUrl: undefined,
      },
    });
  });

  it('treats empty variables as unset, so an empty line in .env does not break the defaults', () => {
    const c = parseConfig({
      ...MINIMAL,
      RATE_LIMIT_PER_MINUTE: '',
      SUPABASE_DB_URL: '',
      LOG_LEVEL: '',
    });
    expect(c.rateLimitPerMinute).toBe(100);
    expect(c.databaseUrl).toBe(MINIMAL.DATABASE_URL);
    expect(c.logLevel).toBe('info');
  });

  it('prefers SUPABASE_DB_URL over DATABASE_URL and reads every override', () => {
    const c = parseConfig({
      ...MINIMAL,
      SUPABASE_DB_URL: 'postgres://pooler.supabase.com:6543/postgres',
      SUPABASE_SERVICE_ROLE_KEY: 'service-key',
      LOCAL_STORAGE_DIR: undefined,
      PUBLIC_URL: 'https://api.dokal.example/',
      DB_PREPARE: 'false',
      DB_POOL_MAX: '3',
      DB_STATEMENT_TIMEOUT_MS: '2000',
      RATE_LIMIT_PER_MINUTE: '60',
      TRUSTED_PROXY_HOPS: '2',
      MAX_BODY_BYTES: '2048',
      CORS_ORIGINS: 'https://crm.dokal.example, https://app.dokal.example,',
      LOG_LEVEL: 'error',
      JWT_LEGACY_SECRET: 's'.repeat(32),
    });
    expect(c).toMatchObject({
      databaseUrl: 'postgres://pooler.supabase.com:6543/postgres',
      serviceRoleKey: 'service-key',
      publicUrl: 'https://api.dokal.example',
      dbPrepare: false,
      dbPoolMax: 3,
      dbStatementTimeoutMs: 2000,
      rateLimitPerMinute: 60,
      trustedProxyHops: 2,
      maxBodyBytes: 2048,
      corsOrigins: ['https://crm.dokal.example', 'https://app.dokal.example'],
      logLevel: 'error',
      jwtLegacySecret: 's'.repeat(32),
    });
  });

  it.each(['0', '-1', '1.5', 'two'])(
    'refuses TRUSTED_PROXY_HOPS=%s: at least one proxy stands in front',
    (v) => {
      expect(() => parseConfig({ ...MINIMAL, TRUSTED_PROXY_HOPS: v })).toThrow(
        /TRUSTED_PROXY_HOPS/,
      );
    },
  );

  it.each([['1', true], ['true', true], ['0', false], ['false', false]])(
    'reads DB_PREPARE=%s as %s',
    (v, expected) => {
      expect(parseConfig({ ...MINIMAL, DB_PREPARE: v }).dbPrepare).toBe(expected);
    },
  );

  it('turns push on with both OneSignal settings, at OneSignal unless told otherwise', () => {
    const settings = {
      ONESIGNAL_APP_ID: '5eb5a37e-b458-11e3-ac11-000c2940e62c',
      ONESIGNAL_REST_API_KEY: 'os_v2_app_key',
    };
    expect(parseConfig({ ...MINIMAL, ...settings }).push).toEqual({
      appId: settings.ONESIGNAL_APP_ID,
      restApiKey: 'os_v2_app_key',
      apiUrl: 'https://api.onesignal.com',
    });
    expect(
      parseConfig({ ...MINIMAL, ...settings, ONESIGNAL_API_URL: 'http://127.0.0.1:9999/' }).push
        ?.apiUrl,
    ).toBe('http://127.0.0.1:9999');
    expect(parseConfig({ ...MINIMAL, ONESIGNAL_APP_ID: '', ONESIGNAL_REST_API_KEY: '' }).push)
      .toBeUndefined();
  });

  it('refuses one OneSignal setting without the other, and an app id that is no UUID', () => {
    const secret = 'os_v2_app_secret-key';
    const withoutId = failure({ ...MINIMAL, ONESIGNAL_REST_API_KEY: secret });
    expect(namedVariables(withoutId)).toEqual(['ONESIGNAL_APP_ID']);
    expect(withoutId).not.toContain(secret);
    expect(
      namedVariables(failure({ ...MINIMAL, ONESIGNAL_APP_ID: crypto.randomUUID() })),
    ).toEqual(['ONESIGNAL_REST_API_KEY']);
    expect(
      namedVariables(
        failure({ ...MINIMAL, ONESIGNAL_APP_ID: 'my-app', ONESIGNAL_REST_API_KEY: secret }),
      ),
    ).toEqual(['ONESIGNAL_APP_ID']);
    expect(
      namedVariables(failure({ ...MINIMAL, ONESIGNAL_API_URL: 'onesignal' })),
    ).toEqual(['ONESIGNAL_API_URL']);
  });
});
