import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Needs a PostgreSQL with pg_cron: `npm run test:pg-cron` (tests/pg-cron/vitest.config.ts).
    exclude: [...configDefaults.exclude, 'tests/pg-cron/**'],
    globalSetup: ['tests/global-setup.ts'],
    setupFiles: ['tests/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
