import { inject } from 'vitest';
import { createHealthKeys } from '../dev/lib/health-keys.ts';
import { jwksOf } from '../dev/lib/keys.ts';

export const TEST_SUPABASE_URL = 'http://127.0.0.1:54321';

// Each test file loads the apps afresh, and the apps read their configuration on first use.
Object.assign(process.env, {
  DATABASE_URL: inject('databaseUrl'),
  SUPABASE_DB_URL: '',
  SUPABASE_URL: TEST_SUPABASE_URL,
  SUPABASE_JWKS: JSON.stringify(jwksOf(inject('keys'))),
  LOCAL_STORAGE_DIR: inject('storageDir'),
  DB_POOL_MAX: '4',
  LOG_LEVEL: 'silent',
  RATE_LIMIT_PER_MINUTE: process.env.TEST_RATE_LIMIT ?? '100000',
  // Fresh per file, like everything a file writes.
  ...createHealthKeys('test-1'),
});
