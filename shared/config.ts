import { z } from 'zod';

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const positiveInt = z.coerce.number().int().positive();

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

export type Env = z.input<typeof schema>;

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
}

export class ConfigError extends Error {}

/** Validates the whole environment at once and names every missing or invalid variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const result = schema.safeParse(cleaned);
  const problems = [
    ...(result.error?.issues ?? []).map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`),
    ...eitherOf.filter(([a, b]) => !cleaned[a] && !cleaned[b]).map(([a, , message]) =>
      `  ${a}: ${message}`
    ),
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
  };
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
