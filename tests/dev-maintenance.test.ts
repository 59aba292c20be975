import { afterEach, describe, expect, inject, it } from 'vitest';
import { type Maintenance, startMaintenance } from '../dev/stack/maintenance.ts';
import { db } from './helpers/db.ts';

let maintenance: Maintenance | undefined;
afterEach(async () => {
  await maintenance?.stop();
  maintenance = undefined;
});

async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('The condition never held.');
}

describe('dev stack maintenance (pg_cron stand-in)', () => {
  it('purges expired rate-limit windows on its schedule and keeps the live ones', async () => {
    const expired = `ip:maintenance-${crypto.randomUUID()}`;
    const live = `ip:maintenance-${crypto.randomUUID()}`;
    await db`
      insert into private.rate_limit_counters (key, window_start, hits) values
        (${expired}, date_trunc('minute', now()) - interval '2 minutes', 7),
        (${live}, date_trunc('minute', now()) + interval '1 hour', 3)`;
    const errors: string[] = [];
    maintenance = await startMaintenance(inject('databaseUrl'), (m) => errors.push(m), 20);
    expect(maintenance.running).toBe(true);

    await eventually(async () =>
      (await db`select 1 from private.rate_limit_counters where key = ${expired}`).length === 0
    );
    expect(await db`select hits from private.rate_limit_counters where key = ${live}`).toEqual([{
      hits: 3,
    }]);
    expect(errors).toEqual([]);
    await db`delete from private.rate_limit_counters where key = ${live}`;
  });
});
