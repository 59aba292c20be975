import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jwksOf } from '../../dev/lib/keys.ts';
import { freePort } from '../../dev/lib/free-port.ts';
import { type RunningGateway, startGateway } from '../../dev/gateway/start.ts';
import { db } from '../helpers/db.ts';
import { patient, practitioner } from '../helpers/lifecycle.ts';
import { appointment, remindedCounts } from '../reminders/helpers.ts';

const SECRET = 'pg-cron-suite-secret-5d0c1e9a7b3f2864';

let gateway: RunningGateway;

/** The real Deno gateway on this database, with a clock the test sets (fixtures/clock-app.ts). */
beforeAll(async () => {
  const port = await freePort();
  gateway = await startGateway({
    port,
    output: 'pipe',
    extraApps: { clock: 'tests/pg-cron/fixtures/clock-app.ts' },
    env: {
      DATABASE_URL: inject('databaseUrl'),
      SUPABASE_URL: `http://127.0.0.1:${port}`,
      SUPABASE_JWKS: JSON.stringify(jwksOf(inject('keys'))),
      LOCAL_STORAGE_DIR: inject('storageDir'),
      SERVICE_SECRET: SECRET,
      LOG_LEVEL: 'silent',
    },
  });
  // What the project stores in Vault: the URL the functions are under, and the secret.
  await db`insert into vault.secrets (name, secret)
    values ('project_url', ${gateway.url}), ('service_secret', ${SECRET})`;
});

afterAll(async () => {
  await gateway?.stop();
});

const setGatewayClock = async (at: string) => {
  const res = await fetch(`${gateway.url}/functions/v1/clock`, {
    method: 'POST',
    body: JSON.stringify({ at }),
  });
  expect(res.status).toBe(200);
};

interface Job {
  jobname: string;
  schedule: string;
  command: string;
  database: string;
  active: boolean;
}

const jobs = () =>
  db<Job[]>`select jobname, schedule, command, database, active from cron.job order by jobname`;

interface Recorded {
  id: string;
  url: string;
  body: unknown;
  headers: Record<string, string>;
  timeout_milliseconds: number;
}

const recorded = () =>
  db<Recorded[]>`select id::text, url, body, headers, timeout_milliseconds
    from net.recorded_requests order by id`;

/** Sends what net.http_post recorded, as pg_net would. */
const send = (request: Recorded) =>
  fetch(request.url, {
    method: 'POST',
    headers: request.headers,
    body: JSON.stringify(request.body),
  });

describe('the migration, under pg_cron', () => {
  it('schedules the three jobs, each calling its function', async () => {
    const [{ database }] = await db`select current_database() as database`;
    const [{ command }] = await db`select private.reminders_job_command() as command`;
    expect(await jobs()).toEqual([
      {
        jobname: 'appointment-reminders',
        schedule: '0 15,16 * * *',
        command,
        database,
        active: true,
      },
      {
        jobname: 'purge-old-events',
        schedule: '30 3 * * *',
        command: 'select private.purge_old_events()',
        database,
        active: true,
      },
      {
        jobname: 'purge-rate-limit-counters',
        schedule: '*/5 * * * *',
        command: 'select private.purge_rate_limit_counters()',
        database,
        active: true,
      },
    ]);
    // The reminders job calls the function through pg_net, with URL and secret from Vault.
    expect(command).toContain('net.http_post(');
    expect(command).toContain(
      `(select decrypted_secret from vault.decrypted_secrets where name = 'project_url')`,
    );
    expect(command).toContain(`'/functions/v1/reminders/run'`);
    expect(command).toMatch(
      /'Bearer ' \|\| \(select decrypted_secret from vault\.decrypted_secrets\s+where name = 'service_secret'\)/,
    );
  });

  it('schedules them again without doubling them (after enabling pg_cron later)', async () => {
    const before = await db`select jobid, jobname from cron.job order by jobid`;
    await db`select private.schedule_maintenance()`;
    expect(await db`select jobid, jobname from cron.job order by jobid`).toEqual(before);
  });
});

describe("the reminders job's request", () => {
  it('is accepted by the real gateway, which acts once at 18:00 in Israel', async () => {
    // 18:30 in Israel on a summer day (UTC+3): the scheduled run acts on the next day.
    const day = '2039-06-14';
    const dr = await practitioner();
    const pat = await patient();
    const id = await appointment({
      practitionerId: dr.id,
      patientId: pat.id,
      date: '2039-06-15',
      start: '09:00',
    });
    const [{ command }] = await db<{ command: string }[]>`
      select command from cron.job where jobname = 'appointment-reminders'`;
    await db.unsafe(command);
    const request = (await recorded()).at(-1)!;
    expect(request).toMatchObject({
      url: `${gateway.url}/functions/v1/reminders/run`,
      body: {},
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${SECRET}` },
      timeout_milliseconds: 60000,
    });

    await setGatewayClock(`${day}T14:30:00Z`);
    const early = await send(request);
    expect(early.status).toBe(200);
    expect(await early.json()).toEqual({
      date: day,
      created: 0,
      skipped: 0,
      outcome: 'too_early',
    });

    await setGatewayClock(`${day}T15:30:00Z`);
    const acting = await send(request);
    expect(acting.status).toBe(200);
    expect(await acting.json()).toEqual({ date: day, created: 1, skipped: 0, outcome: 'ran' });
    expect(await remindedCounts([id])).toEqual({ [id]: 1 });

    const again = await send(request);
    expect(await again.json()).toEqual({
      date: day,
      created: 0,
      skipped: 0,
      outcome: 'already_ran',
    });
    expect(await remindedCounts([id])).toEqual({ [id]: 1 });
  });

  it('is refused by the gateway with another secret in Vault', async () => {
    await db`update vault.secrets set secret = ${'x'.repeat(40)} where name = 'service_secret'`;
    try {
      const [{ command }] = await db<{ command: string }[]>`
        select command from cron.job where jobname = 'appointment-reminders'`;
      await db.unsafe(command);
      const res = await send((await recorded()).at(-1)!);
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe('unauthorized');
    } finally {
      await db`update vault.secrets set secret = ${SECRET} where name = 'service_secret'`;
    }
  });
});

describe('pg_cron itself', () => {
  it("runs each job's command in its database: the request recorded, the cleanups done", async () => {
    const key = `ip:pg-cron-${crypto.randomUUID()}`;
    const user = crypto.randomUUID();
    await db`insert into private.rate_limit_counters (key, window_start, hits)
      values (${key}, date_trunc('minute', now()) - interval '2 minutes', 1)`;
    await db`insert into private.events (user_id, event, payload, created_at)
      values (${user}, 'test:old', '{}', now() - interval '8 days')`;
    const requestsBefore = (await recorded()).length;
    // The jobs' own commands, as jobs due every minute (pg_cron 1.4 has no shorter schedule).
    const copies = await db<{ jobid: string; jobname: string }[]>`
      select cron.schedule('test-now-' || jobname, '* * * * *', command)::text as jobid, jobname
      from cron.job where jobname not like 'test-now-%'`;
    try {
      let runs: { jobid: string; status: string; return_message: string }[] = [];
      for (let waited = 0; waited < 75_000; waited += 1000) {
        runs = await db`select jobid::text, status, return_message from cron.job_run_details
          where jobid = any (${copies.map((c) => c.jobid)}::bigint[])
            and status in ('succeeded', 'failed')`;
        if (new Set(runs.map((r) => r.jobid)).size === copies.length) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      expect(new Set(runs.map((r) => r.jobid)).size, JSON.stringify(runs)).toBe(copies.length);
      expect(runs.filter((r) => r.status !== 'succeeded')).toEqual([]);
    } finally {
      await db`select cron.unschedule(jobid) from cron.job where jobname like 'test-now-%'`;
    }
    const requests = await recorded();
    expect(requests.length).toBeGreaterThan(requestsBefore);
    expect(requests.at(-1)).toMatchObject({
      url: `${gateway.url}/functions/v1/reminders/run`,
      headers: { Authorization: `Bearer ${SECRET}` },
    });
    expect(await db`select 1 from private.rate_limit_counters where key = ${key}`).toEqual([]);
    expect(await db`select 1 from private.events where user_id = ${user}`).toEqual([]);
  });
});
