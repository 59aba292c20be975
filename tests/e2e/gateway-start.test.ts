import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway } from './test-gateway.ts';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'dokal-gateway-start-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

it('refuses to start when an app cannot be loaded, and says which', async () => {
  await expect(startTestGateway(scratch, { broken: 'tests/e2e/fixtures/not-an-app.ts' })).rejects
    .toThrow(
      /stopped while starting[\s\S]*not-an-app\.ts does not export `app`/,
    );
});

it('refuses to start when two groups declare one component differently, and names both', async () => {
  await expect(
    startTestGateway(scratch, {
      'clash-a': 'tests/e2e/fixtures/clashing-schema-a.ts',
      'clash-b': 'tests/e2e/fixtures/clashing-schema-b.ts',
    }),
  ).rejects.toThrow(
    /stopped while starting[\s\S]*The clash-a and clash-b groups declare different components\/schemas\/Thing/,
  );
});
