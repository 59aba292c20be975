import { afterAll, describe, expect, it } from 'vitest';
import { closeDb } from '../../shared/db/client.ts';
import { db } from '../helpers/db.ts';

afterAll(closeDb);

// Without pg_cron (npm test): the schedule through a stand-in `cron.schedule`, rolled back. The
// real pg_cron runs them in `npm run test:pg-cron`.
describe('private.schedule_maintenance', () => {
  it('schedules the reminders at 15:00 and 16:00 UTC and the two cleanups, each once', async () => {
    let calls: { job: string; schedule: string; command: string }[] = [];
    const rolledBack = db.begin(async (tx) => {
      await tx`create schema cron`;
      await tx`create table cron.job (jobname text primary key, schedule text, command text)`;
      await tx`
        create function cron.schedule(job text, schedule text, command text) returns bigint
        language sql as $$
          insert into cron.job values (job, schedule, command)
          on conflict (jobname) do update set schedule = excluded.schedule,
                                              command = excluded.command;
          select 1::bigint
        $$`;
      await tx`select private.schedule_maintenance()`;
      await tx`select private.schedule_maintenance()`;
      calls = [
        ...await tx<typeof calls>`
        select jobname as job, schedule, command from cron.job order by jobname`,
      ];
      throw new Error('roll back the stand-in');
    });
    await expect(rolledBack).rejects.toThrow('roll back the stand-in');
    expect(calls).toEqual([
      {
        job: 'appointment-reminders',
        schedule: '0 15,16 * * *',
        command: expect.stringContaining("|| '/functions/v1/reminders/run'"),
      },
      {
        job: 'purge-old-events',
        schedule: '30 3 * * *',
        command: 'select private.purge_old_events()',
      },
      {
        job: 'purge-rate-limit-counters',
        schedule: '*/5 * * * *',
        command: 'select private.purge_rate_limit_counters()',
      },
    ]);
  });

  it('the migration scheduled nothing where pg_cron is missing', async () => {
    expect(await db`select 1 from pg_namespace where nspname = 'cron'`).toEqual([]);
  });
});

describe('private.purge_old_events', () => {
  it('deletes the events older than 7 days, and keeps the others', async () => {
    const user = crypto.randomUUID();
    await db`insert into private.events (user_id, event, payload, created_at) values
      (${user}, 'test:old', '{}', now() - interval '7 days 1 minute'),
      (${user}, 'test:kept', '{}', now() - interval '6 days 23 hours'),
      (${user}, 'test:new', '{}', now())`;
    // Another file's maintenance test may purge at the same moment: the count is at most ours.
    const [{ purged }] = await db`select private.purge_old_events() as purged`;
    expect(typeof purged).toBe('number');
    expect(await db`select event from private.events where user_id = ${user} order by id`)
      .toEqual([{ event: 'test:kept' }, { event: 'test:new' }]);
  });
});
