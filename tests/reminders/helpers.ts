import { expect, vi } from 'vitest';
import { config } from '../../shared/config.ts';
import { call, type CallOptions } from '../helpers/http.ts';
import { db } from '../helpers/db.ts';
import { arrange, type Arranged, type NotificationRow } from '../helpers/lifecycle.ts';

/** The service secret of these tests, set before any module reads the configuration. */
export const SECRET = 'reminders-test-secret-7f3a9c2e41b8d605';
process.env.SERVICE_SECRET = SECRET;

/** The reminders app, loaded once the secret is in the environment. */
export async function loadApp() {
  const { app } = await import('../../functions/reminders/app.ts');
  expect(config().serviceSecret).toBe(SECRET);
  return app;
}

export type RemindersApp = Awaited<ReturnType<typeof loadApp>>;

export const withSecret = (options: CallOptions = {}): CallOptions => ({
  ...options,
  headers: { authorization: `Bearer ${SECRET}`, ...options.headers },
});

/** `POST /reminders/run` as pg_cron sends it, with the function's clock at `instant`. */
export function runAt(app: RemindersApp, instant: string, options: CallOptions = {}) {
  vi.setSystemTime(new Date(instant));
  return call(app, 'POST', '/reminders/run', withSecret({ json: {}, ...options }));
}

/** A forced run for `date` (the appointments of the day after are reminded). */
export const runForced = (app: RemindersApp, date: string) =>
  call(app, 'POST', '/reminders/run', withSecret({ json: { date, force: true } }));

/** A confirmed appointment (unless told otherwise), from `start` for 30 minutes. */
export const appointment = (
  a: Omit<Arranged, 'end' | 'status'> & { status?: Arranged['status'] },
) => {
  const [h, m] = a.start.split(':').map(Number);
  const end = new Date(Date.UTC(2000, 0, 1, h, m + 30)).toISOString().slice(11, 16);
  return arrange({ ...a, end: end === '00:00' ? '24:00' : end, status: a.status ?? 'confirmed' });
};

/** The reminders written about these appointments, oldest first. */
export function remindersAbout(appointmentIds: string[]) {
  return db<NotificationRow[]>`
    select id, user_id, type::text, title, body, data, is_read from public.notifications
    where type = 'appointment_reminder'
      and (data ->> 'appointment_id')::uuid = any (${appointmentIds}::uuid[])
    order by created_at, id`;
}

/** The appointment ids that got a reminder, sorted, with how many each. */
export async function remindedCounts(appointmentIds: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const n of await remindersAbout(appointmentIds)) {
    const id = n.data.appointment_id as string;
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return counts;
}

export const setLocale = (userId: string, locale: string, remindersEnabled = true) =>
  db`insert into public.user_settings (user_id, locale, reminders_enabled)
     values (${userId}, ${locale}, ${remindersEnabled})
     on conflict (user_id) do update set locale = excluded.locale,
       reminders_enabled = excluded.reminders_enabled`;

export const setAddress = (practitionerId: string, line: string, number: string, city: string) =>
  db`update public.practitioners set address_line = ${line}, street_number = ${number},
       city = ${city} where id = ${practitionerId}`;
