import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * `npm run test:pg-cron`: the scheduled jobs under a real pg_cron. Needs a PostgreSQL server that
 * preloads pg_cron (PG_CRON_DATABASE_URL, default the machine's 127.0.0.1:5432); `.ci/run` sets
 * one up. Not part of `npm test`, which runs anywhere.
 */
export default defineConfig({
  root: path.resolve(import.meta.dirname, '../..'),
  test: {
    include: ['tests/pg-cron/**/*.test.ts'],
    globalSetup: ['tests/pg-cron/global-setup.ts'],
    setupFiles: ['tests/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
