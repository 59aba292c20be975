import { Cron } from 'croner';
import postgres from 'postgres';

/**
 * pg_cron's schedules on Supabase (migration 20261202006100_scheduled_jobs.sql), in UTC as
 * pg_cron reads them.
 */
export const SCHEDULES = {
  purgeRateLimitCounters: '*/5 * * * *',
  purgeOldEvents: '30 3 * * *',
  reminders: '0 15,16 * * *',
};

export type Schedules = typeof SCHEDULES;

export interface MaintenanceOptions {
  /** Where the reminders function answers (`<gateway>/functions/v1`) and its secret. */
  reminders?: { functionsUrl: string; serviceSecret: string };
  /** Other patterns than the deployed ones (the tests run them every second). */
  schedules?: Partial<Schedules>;
  /** What each reminders call answered. */
  onInfo?: (message: string) => void;
}

export interface Maintenance {
  /** False when the database has pg_cron, which runs the jobs itself. */
  running: boolean;
  stop(): Promise<void>;
}

/** The reminders call of pg_cron's job: a POST with the service secret, an empty JSON body. */
export async function callReminders(functionsUrl: string, serviceSecret: string): Promise<string> {
  const res = await fetch(`${functionsUrl}/reminders/run`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serviceSecret}`, 'content-type': 'application/json' },
    body: '{}',
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`answered ${res.status}: ${text}`);
  return text;
}

/**
 * The pg_cron jobs of a deployment, run by the dev stack where the database has no pg_cron
 * (the embedded one): the same SQL, the same call of the reminders function with the same
 * secret, on the same schedules (croner, in UTC). A run still going when its next one is due
 * is not doubled; a failed run is reported and the next one tried; it never stops the stack.
 */
export async function startMaintenance(
  databaseUrl: string,
  onError: (message: string) => void,
  options: MaintenanceOptions = {},
): Promise<Maintenance> {
  const sql = postgres(databaseUrl, { max: 1, idle_timeout: 30, onnotice: () => {} });
  const [{ cron }] = await sql<{ cron: boolean }[]>`
    select exists (select from pg_extension where extname = 'pg_cron') as cron`;
  if (cron) {
    await sql.end();
    return { running: false, stop: async () => {} };
  }
  const schedules = { ...SCHEDULES, ...options.schedules };
  const job = (pattern: string, what: string, work: () => Promise<unknown>) =>
    new Cron(pattern, { timezone: 'UTC', protect: true }, async () => {
      await work().catch((e: Error) => onError(`${what} failed: ${e.message}`));
    });
  const jobs = [
    job(
      schedules.purgeRateLimitCounters,
      'Purging rate-limit counters',
      () => sql`select private.purge_rate_limit_counters()`,
    ),
    job(
      schedules.purgeOldEvents,
      'Purging old events',
      () => sql`select private.purge_old_events()`,
    ),
  ];
  const reminders = options.reminders;
  if (reminders) {
    jobs.push(job(schedules.reminders, 'The reminders call', async () => {
      const answer = await callReminders(reminders.functionsUrl, reminders.serviceSecret);
      options.onInfo?.(`Reminders: ${answer}`);
    }));
  }
  return {
    running: true,
    stop: async () => {
      for (const j of jobs) j.stop();
      await sql.end({ timeout: 1 });
    },
  };
}
