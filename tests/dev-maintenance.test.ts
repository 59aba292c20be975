import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ROOT } from '../dev/lib/database.ts';
import { type Maintenance, SCHEDULES, startMaintenance } from '../dev/stack/maintenance.ts';
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

/** Every second: croner's six-field pattern. */
const EVERY_SECOND = '* * * * * *';

describe('dev stack maintenance (pg_cron stand-in)', () => {
  it('runs on the schedules the migration gives pg_cron', async () => {
    const migration = await readFile(
      path.join(ROOT, 'supabase/migrations/20261202006100_scheduled_jobs.sql'),
      'utf8',
    );
    for (const pattern of Object.values(SCHEDULES)) expect(migration).toContain(`'${pattern}'`);
  });

  it('purges expired rate-limit windows on its schedule and keeps the live ones', async () => {
    const expired = `ip:maintenance-${crypto.randomUUID()}`;
    const live = `ip:maintenance-${crypto.randomUUID()}`;
    await db`
      insert into private.rate_limit_counters (key, window_start, hits) values
        (${expired}, date_trunc('minute', now()) - interval '2 minutes', 7),
        (${live}, date_trunc('minute', now()) + interval '1 hour', 3)`;
    const errors: string[] = [];
    maintenance = await startMaintenance(inject('databaseUrl'), (m) => errors.push(m), {
      schedules: { purgeRateLimitCounters: EVERY_SECOND },
    });
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

  it('purges the events older than a week and keeps the others', async () => {
    const user = crypto.randomUUID();
    await db`insert into private.events (user_id, event, payload, created_at) values
      (${user}, 'test:old', '{}', now() - interval '8 days'),
      (${user}, 'test:recent', '{}', now() - interval '6 days')`;
    const errors: string[] = [];
    maintenance = await startMaintenance(inject('databaseUrl'), (m) => errors.push(m), {
      schedules: { purgeOldEvents: EVERY_SECOND },
    });
    await eventually(async () =>
      (await db`select 1 from private.events where user_id = ${user} and event = 'test:old'`)
        .length === 0
    );
    expect(await db`select event from private.events where user_id = ${user}`).toEqual([
      { event: 'test:recent' },
    ]);
    expect(errors).toEqual([]);
  });

  it('calls the reminders function as the pg_cron job does, with the service secret', async () => {
    const received: {
      method?: string;
      url?: string;
      headers: IncomingHttpHeaders;
      body: string;
    }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.setHeader('content-type', 'application/json');
        res.end('{"date":"2037-01-01","created":0,"skipped":0,"outcome":"too_early"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const infos: string[] = [];
    const errors: string[] = [];
    try {
      maintenance = await startMaintenance(inject('databaseUrl'), (m) => errors.push(m), {
        reminders: {
          functionsUrl: `http://127.0.0.1:${port}/functions/v1`,
          serviceSecret: 's3cr3t',
        },
        schedules: { reminders: EVERY_SECOND },
        onInfo: (m) => infos.push(m),
      });
      await eventually(() => Promise.resolve(infos.length > 0));
    } finally {
      await maintenance?.stop();
      await new Promise((resolve) => server.close(resolve));
    }
    expect(received[0]).toMatchObject({
      method: 'POST',
      url: '/functions/v1/reminders/run',
      headers: { authorization: 'Bearer s3cr3t', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(infos[0]).toContain('"outcome":"too_early"');
    expect(errors).toEqual([]);
  });
});
