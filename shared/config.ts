import { z } from 'zod';

/** PayMe's staging API: payments stay test payments until production is named on purpose. */
export const PAYME_SANDBOX_URL = 'https://sandbox.payme.io/api';

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const positiveInt = z.coerce.number().int().positive();

/** The keys that seal health data (the teudat zehut): one current, the others only decrypt. */
export interface HealthEncryptionKeys {
  /** New values are sealed with this key; its id is stored with each value. */
  currentKeyId: string;
  /** Every key that may open a stored value, by id, 32 bytes each (AES-256). */
  keys: ReadonlyMap<string, Uint8Array>;
}

export interface HealthKeys {
  encryption: HealthEncryptionKeys;
  /** The HMAC-SHA-256 key of the teudat zehut's hash, at least 32 bytes. */
  hmacKey: Uint8Array;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

function fromBase64(text: string): Uint8Array | undefined {
  try {
    return Uint8Array.from(atob(text.trim()), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

// The messages name the expected shape, never the value: these are secrets.
const healthEncryptionKeys = z.string().transform((value, ctx): HealthEncryptionKeys => {
  const keys = new Map<string, Uint8Array>();
  for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
    const separator = entry.indexOf(':');
    const id = entry.slice(0, separator);
    const key = separator > 0 ? fromBase64(entry.slice(separator + 1)) : undefined;
    if (!KEY_ID.test(id) || key?.length !== 32 || keys.has(id)) {
      ctx.addIssue({
        code: 'custom',
        message: 'use <id>:<base64 of 32 random bytes>, comma separated, the current key first, ' +
          'each id (letters, digits, - and _) once',
      });
      return z.NEVER;
    }
    keys.set(id, key);
  }
  if (keys.size === 0) {
    ctx.addIssue({ code: 'custom', message: 'name at least one key' });
    return z.NEVER;
  }
  return { currentKeyId: keys.keys().next().value!, keys };
});

const hmacKey = z.string().transform((value, ctx) => {
  const key = fromBase64(value);
  if (!key || key.length < 32) {
    ctx.addIssue({ code: 'custom', message: 'use the base64 of at least 32 random bytes' });
    return z.NEVER;
  }
  return key;
});

const schema = z
  .object({
    SUPABASE_DB_URL: z.url().optional(),
    DATABASE_URL: z.url().optional(),
    SUPABASE_URL: z.url(),
    SUPABASE_JWKS: z.string().optional(),
    JWT_LEGACY_SECRET: z.string().min(32).optional(),
    SUPABASE_SERVICE_ROLE_KEY: z.string().optional(),
    SERVICE_SECRET: z.string().min(32).optional(),
    LOCAL_STORAGE_DIR: z.string().optional(),
    PUBLIC_URL: z.url().optional(),
    DB_PREPARE: flag.default(true),
    DB_POOL_MAX: positiveInt.default(10),
    DB_STATEMENT_TIMEOUT_MS: positiveInt.default(8000),
    RATE_LIMIT_PER_MINUTE: positiveInt.default(100),
    TRUSTED_PROXY_HOPS: positiveInt.default(1),
    MAX_BODY_BYTES: positiveInt.default(1024 * 1024),
    CORS_ORIGINS: z.string().default('*'),
    LOG_LEVEL: z.enum(['debug', 'info', 'error', 'silent']).default('info'),
    ONESIGNAL_APP_ID: z.uuid().optional(),
    ONESIGNAL_REST_API_KEY: z.string().optional(),
    ONESIGNAL_API_URL: z.url().default('https://api.onesignal.com'),
    HEALTH_ENCRYPTION_KEYS: healthEncryptionKeys.optional(),
    HEALTH_HMAC_KEY: hmacKey.optional(),
    PAYME_SELLER_KEY: z.string().optional(),
    PAYME_API_URL: z.url().default(PAYME_SANDBOX_URL),
    PAYME_TIMEOUT_MS: positiveInt.default(10_000),
    PAYME_SIGNATURE_SECRET: z.string().optional(),
    PAYME_WEBHOOK_URL: z.url().optional(),
    PAYMENT_RETURN_URL: z.url().optional(),
  });

// Checked apart from the schema: zod skips refinements once a field has failed, and the message
// must name every problem at once.
const eitherOf: Array<[keyof Env, keyof Env, string]> = [
  ['SUPABASE_DB_URL', 'DATABASE_URL', 'set SUPABASE_DB_URL (deployed) or DATABASE_URL (local)'],
  [
    'SUPABASE_SERVICE_ROLE_KEY',
    'LOCAL_STORAGE_DIR',
    'set SUPABASE_SERVICE_ROLE_KEY (Supabase Storage) or LOCAL_STORAGE_DIR (local disk)',
  ],
];

// Set together or not at all: one without the other is a mistake, not "push off" or "no health
// data" (the functions that never touch health data run without its keys).
const together: Array<[keyof Env, keyof Env, string]> = [
  ['ONESIGNAL_APP_ID', 'ONESIGNAL_REST_API_KEY', 'push'],
  ['HEALTH_ENCRYPTION_KEYS', 'HEALTH_HMAC_KEY', 'health data'],
];

export type Env = z.input<typeof schema>;

/** OneSignal's REST API, when push is on. */
export interface PushConfig {
  appId: string;
  restApiKey: string;
  /** `https://api.onesignal.com`, or a stand-in's URL in tests. */
  apiUrl: string;
}

export interface Config {
  databaseUrl: string;
  supabaseUrl: string;
  jwks?: string;
  jwtLegacySecret?: string;
  serviceRoleKey?: string;
  /** What pg_cron (and operators) send to the functions no user calls (`reminders`). */
  serviceSecret?: string;
  localStorageDir?: string;
  publicUrl: string;
  dbPrepare: boolean;
  dbPoolMax: number;
  dbStatementTimeoutMs: number;
  rateLimitPerMinute: number;
  trustedProxyHops: number;
  maxBodyBytes: number;
  corsOrigins: string[];
  logLevel: 'debug' | 'info' | 'error' | 'silent';
  /** Undefined when push is off (no OneSignal settings). */
  push?: PushConfig;
  /** Absent when neither health key is set: reading or writing a teudat zehut then fails. */
  healthKeys?: HealthKeys;
  payme: PaymeConfig;
}

/** PayMe (payments): without a seller key, payment links answer that payments are unavailable. */
export interface PaymeConfig {
  sellerKey?: string;
  apiUrl: string;
  timeoutMs: number;
  /** When set, every notification must carry a valid `payme_signature`. */
  signatureSecret?: string;
  /** Where PayMe sends its notifications: the payments function's webhook. */
  webhookUrl: string;
  /** Where PayMe's page sends the buyer back once paid. */
  returnUrl?: string;
}

export class ConfigError extends Error {}

/** What a process uses beyond the database and auth; the functions use everything. */
export interface ConfigNeeds {
  /** Avatars' storage: the realtime relay stores nothing. Default true. */
  storage?: boolean;
}

/** Validates the whole environment at once and names every missing or invalid variable. */
export function parseConfig(
  env: Record<string, string | undefined>,
  needs: ConfigNeeds = {},
): Config {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const result = schema.safeParse(cleaned);
  const problems = [
    ...(result.error?.issues ?? []).map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`),
    ...eitherOf.filter(([a]) => needs.storage !== false || a !== 'SUPABASE_SERVICE_ROLE_KEY')
      .filter(([a, b]) => !cleaned[a] && !cleaned[b]).map(([a, , message]) => `  ${a}: ${message}`),
    ...together.flatMap(([a, b, what]) =>
      Boolean(cleaned[a]) === Boolean(cleaned[b])
        ? []
        : [`  ${cleaned[a] ? b : a}: set both ${a} and ${b} (${what}), or neither`]
    ),
    ...(cleaned.PAYME_SELLER_KEY && !cleaned.PAYMENT_RETURN_URL
      ? ['  PAYMENT_RETURN_URL: set it with PAYME_SELLER_KEY (where PayMe sends the buyer back)']
      : []),
  ];
  if (!result.success || problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}\nSee .env.example.`);
  }
  const e = result.data;
  return {
    databaseUrl: (e.SUPABASE_DB_URL ?? e.DATABASE_URL)!,
    supabaseUrl: e.SUPABASE_URL.replace(/\/$/, ''),
    jwks: e.SUPABASE_JWKS,
    jwtLegacySecret: e.JWT_LEGACY_SECRET,
    serviceRoleKey: e.SUPABASE_SERVICE_ROLE_KEY,
    serviceSecret: e.SERVICE_SECRET,
    localStorageDir: e.LOCAL_STORAGE_DIR,
    publicUrl: (e.PUBLIC_URL ?? e.SUPABASE_URL).replace(/\/$/, ''),
    dbPrepare: e.DB_PREPARE,
    dbPoolMax: e.DB_POOL_MAX,
    dbStatementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    trustedProxyHops: e.TRUSTED_PROXY_HOPS,
    maxBodyBytes: e.MAX_BODY_BYTES,
    corsOrigins: e.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
    logLevel: e.LOG_LEVEL,
    push: e.ONESIGNAL_APP_ID && e.ONESIGNAL_REST_API_KEY
      ? {
        appId: e.ONESIGNAL_APP_ID,
        restApiKey: e.ONESIGNAL_REST_API_KEY,
        apiUrl: e.ONESIGNAL_API_URL.replace(/\/$/, ''),
      }
      : undefined,
    healthKeys: e.HEALTH_ENCRYPTION_KEYS && e.HEALTH_HMAC_KEY
      ? { encryption: e.HEALTH_ENCRYPTION_KEYS, hmacKey: e.HEALTH_HMAC_KEY }
      : undefined,
    payme: {
      sellerKey: e.PAYME_SELLER_KEY,
      apiUrl: e.PAYME_API_URL.replace(/\/$/, ''),
      timeoutMs: e.PAYME_TIMEOUT_MS,
      signatureSecret: e.PAYME_SIGNATURE_SECRET,
      webhookUrl: e.PAYME_WEBHOOK_URL ??
        `${e.SUPABASE_URL.replace(/\/$/, '')}/functions/v1/payments/webhook`,
      returnUrl: e.PAYMENT_RETURN_URL,
    },
  };
}

/**
 * The health keys alone, for the tools that use them outside a function (key rotation, the
 * benchmark's data): both variables are required there.
 */
export function parseHealthKeys(
  env: { HEALTH_ENCRYPTION_KEYS?: string; HEALTH_HMAC_KEY?: string },
): HealthKeys {
  const result = z.object({
    HEALTH_ENCRYPTION_KEYS: healthEncryptionKeys,
    HEALTH_HMAC_KEY: hmacKey,
  }).safeParse({
    HEALTH_ENCRYPTION_KEYS: env.HEALTH_ENCRYPTION_KEYS || undefined,
    HEALTH_HMAC_KEY: env.HEALTH_HMAC_KEY || undefined,
  });
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}\nSee .env.example.`);
  }
  return { encryption: result.data.HEALTH_ENCRYPTION_KEYS, hmacKey: result.data.HEALTH_HMAC_KEY };
}

declare const Deno: { env: { toObject(): Record<string, string> } } | undefined;

function readEnvironment(): Record<string, string | undefined> {
  if (typeof Deno !== 'undefined') return Deno.env.toObject();
  return (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ??
    {};
}

let current: Config | undefined;

/** The configuration of this process, read and validated once on first use. */
export function config(): Config {
  current ??= parseConfig(readEnvironment());
  return current;
}

/**
 * Sets the configuration of this process, for a process that validates its own environment
 * with parseConfig before anything reads it (the realtime relay, which needs no storage).
 */
export function useConfig(validated: Config): void {
  current = validated;
}
