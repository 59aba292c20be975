import type { Tx } from '../../shared/db/client.ts';
import type { RunResult } from './schemas.ts';

/** The scheduled run at `now`: acts from 18:00 in Israel, once per day (migration 20261202006000). */
export function runDaily(tx: Tx, now: Date) {
  return tx<[RunResult]>`
    select run_date::text as date, outcome, created, skipped
    from private.run_daily_reminders(${now.toISOString()}::timestamptz)`;
}

/** The reminders of the day after `date`, whatever the hour and whether the day ran. */
export function runForced(tx: Tx, date: string) {
  return tx<[RunResult]>`
    select ${date}::text as date, 'forced' as outcome, created, skipped
    from private.send_appointment_reminders(${date}::date)`;
}
