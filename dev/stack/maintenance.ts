import postgres from 'postgres';

/** pg_cron's schedule on Supabase (migration 20261201000100_request_gate.sql): every 5 minutes. */
export const MAINTENANCE_INTERVAL_MS = 5 * 60_000;

export interface Maintenance {
  /** False when the database has pg_cron, which runs the jobs itself. */
  running: boolean;
  stop(): Promise<void>;
}

/**
 * The pg_cron jobs of a deployment, run by the dev stack where the database has no pg_cron
 * (the embedded one): the same SQL on the same schedule. A failed run is reported and the next
 * one tried; it never stops the stack.
 */
export async function startMaintenance(
  databaseUrl: string,
  onError: (message: string) => void,
  intervalMs = MAINTENANCE_INTERVAL_MS,
): Promise<Maintenance> {
  const sql = postgres(databaseUrl, { max: 1, idle_timeout: 30, onnotice: () => {} });
  const [{ cron }] = await sql<{ cron: boolean }[]>`
    select exists (select from pg_extension where extname = 'pg_cron') as cron`;
  if (cron) {
    await sql.end();
    return { running: false, stop: async () => {} };
  }
  const timer = setInterval(() => {
    sql`select private.purge_rate_limit_counters()`.catch((e: Error) =>
      onError(`Purging rate-limit counters failed: ${e.message}`)
    );
  }, intervalMs);
  return {
    running: true,
    stop: async () => {
      clearInterval(timer);
      await sql.end({ timeout: 1 });
    },
  };
}
