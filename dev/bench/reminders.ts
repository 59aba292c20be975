import type postgres from 'postgres';
import { israelDate } from '../lib/israel-date.ts';
import { BENCH_DOMAIN, PRACTITIONER_EMAILS } from './data.ts';

/** `npm run bench -- --group reminders`: the daily reminders at volume. */
export const REMINDER_APPOINTMENTS = 100_000;

/** The targets, on this machine. */
export const REMINDER_TARGETS = { firstRunSeconds: 10, repeatedRunSeconds: 1 };

/** Marks the appointments this benchmark generates, so it can replace them. */
const MARK = 'bench:reminders';
const PATIENT_EMAILS = `bench-reminders-patient-%@${BENCH_DOMAIN}`;
const LOCALES = ['fr', 'he', 'en', 'ru', 'am', 'es'];
/** Evening slots, after the generated weekly hours (they end at 17:00). */
const FIRST_START = '17:00';
const EVENING_MINUTES = 7 * 60;

export interface ReminderRun {
  seconds: number;
  created: number;
  skipped: number;
  /** Reminders created per second (first run), appointments examined per second (repeated). */
  rowsPerSecond: number;
}

export interface ReminderBench {
  date: string;
  tomorrow: string;
  /** Confirmed appointments of tomorrow, the generated ones and any others. */
  confirmedTomorrow: number;
  generated: { appointments: number; seconds: number };
  first: ReminderRun;
  repeated: ReminderRun;
  targets: typeof REMINDER_TARGETS;
}

/**
 * REMINDER_APPOINTMENTS confirmed appointments for `tomorrow` among the generated practitioners,
 * with those the data generator made for that day, unless they are there already: evening slots, each with a patient of its own among as many
 * generated patients as practitioners (in the six languages), so neither the practitioner nor
 * the person overlap constraint is crossed. Written as the platform writes seed data, without
 * the booking triggers (no booking notifications or conversations: 100,000 of each would only
 * slow the generation); the instants they would set are computed here. Earlier days' generated
 * appointments are removed.
 */
async function ensureReminderData(sql: postgres.Sql, tomorrow: string) {
  const started = performance.now();
  const inserted = await sql.begin(async (tx) => {
    // Without triggers, foreign keys included: nothing refers to these rows (no conversation,
    // review or reminder key of theirs is kept), and checking conversations for each deleted
    // row would scan that table 100,000 times (conversations.appointment_id has no index).
    await tx`set local session_replication_role = replica`;
    await tx`delete from public.appointments where practitioner_notes = ${MARK}
      and appointment_date <> ${tomorrow}`;
    const [{ practitioners }] = await tx<{ practitioners: number }[]>`
      select count(*)::int as practitioners from public.profiles
      where email like ${PRACTITIONER_EMAILS} and role = 'practitioner'`;
    if (practitioners === 0) throw new Error('No generated practitioners: run npm run bench:data.');
    const [{ others }] = await tx<{ others: number }[]>`
      select count(*)::int as others from public.appointments
      where appointment_date = ${tomorrow} and status = 'confirmed'
        and practitioner_notes is distinct from ${MARK}`;
    const wanted = Math.max(0, REMINDER_APPOINTMENTS - others);
    const perPractitioner = Math.max(1, Math.ceil(wanted / practitioners));
    const minutes = Math.min(30, Math.floor(EVENING_MINUTES / perPractitioner));
    if (minutes < 1) {
      throw new Error(`${practitioners} practitioners cannot hold ${REMINDER_APPOINTMENTS} slots.`);
    }
    const [{ present }] = await tx<{ present: number }[]>`
      select count(*)::int as present from public.appointments
      where practitioner_notes = ${MARK} and appointment_date = ${tomorrow}
        and status = 'confirmed'`;
    if (present === wanted) return 0;
    await tx`delete from public.appointments where practitioner_notes = ${MARK}`;
    // The users' triggers make their profiles.
    await tx`set local session_replication_role = origin`;
    await tx`
      insert into auth.users (email, raw_user_meta_data)
      select format('bench-reminders-patient-%s@%s', g, ${BENCH_DOMAIN}::text),
             jsonb_build_object('first_name', 'Patient', 'last_name', format('Number %s', g))
      from generate_series(1, ${practitioners}) g
      on conflict (email) do nothing`;
    await tx`
      insert into public.user_settings (user_id, locale)
      select p.id, (${LOCALES}::public.app_locale[])[
               1 + split_part(split_part(p.email, '@', 1), '-', 4)::int % ${LOCALES.length}]
      from public.profiles p where p.email like ${PATIENT_EMAILS}
      on conflict (user_id) do nothing`;
    await tx`set local session_replication_role = replica`;
    const result = await tx`
      with practitioner as (
        select p.id, pr.time_zone, row_number() over (order by p.email) - 1 as i
        from public.profiles p join public.practitioners pr on pr.id = p.id
        where p.email like ${PRACTITIONER_EMAILS} and p.role = 'practitioner'
      ),
      patients as (
        select array(select id from public.profiles where email like ${PATIENT_EMAILS}
                     order by email) as ids
      ),
      slot as (
        select pr.id as practitioner_id, pr.time_zone,
               pt.ids[1 + (pr.i + j) % cardinality(pt.ids)] as patient_id,
               ${FIRST_START}::time + make_interval(mins => j * ${minutes}) as start_time,
               ${FIRST_START}::time + make_interval(mins => (j + 1) * ${minutes}) as end_time
        from practitioner pr
        cross join patients pt
        cross join generate_series(0, ${perPractitioner - 1}) j
        where pr.i * ${perPractitioner} + j < ${wanted}
      )
      insert into public.appointments
        (patient_id, practitioner_id, appointment_date, start_time, end_time, status,
         visited_before, practitioner_notes, confirmed_at, starts_at, ends_at)
      select s.patient_id, s.practitioner_id, ${tomorrow}::date, s.start_time, s.end_time,
             'confirmed', true, ${MARK}, now(),
             private.wall_clock_instant(${tomorrow}::date, s.start_time, s.time_zone),
             private.wall_clock_end(
               private.wall_clock_instant(${tomorrow}::date, s.start_time, s.time_zone),
               ${tomorrow}::date, s.start_time, s.end_time, s.time_zone)
      from slot s
      -- Generated data elsewhere may one day take these hours: such a slot is left out.
      where not exists (
        select from public.appointments a
        where a.practitioner_id = s.practitioner_id and a.appointment_date = ${tomorrow}
          and a.status in ('pending', 'confirmed')
          and a.start_time < s.end_time and s.start_time < a.end_time
      )`;
    return result.count;
  });
  if (inserted > 0) await sql`vacuum (analyze) public.appointments, public.user_settings`;
  return { appointments: inserted, seconds: (performance.now() - started) / 1000 };
}

/**
 * Takes back the reminders of tomorrow's appointments (their keys, notifications and events),
 * so that the first run measured is a first run, however often the benchmark ran.
 */
async function forgetReminders(sql: postgres.Sql, tomorrow: string) {
  await sql.begin(async (tx) => {
    await tx`
      with forgotten as (
        delete from private.reminders_sent r where r.appointment_date = ${tomorrow}
        returning r.notification_id
      ),
      notes as (
        delete from public.notifications n using forgotten f where n.id = f.notification_id
        returning n.id
      )
      delete from private.events e using notes n
      where e.event = 'notification:new' and e.payload ->> 'id' = n.id::text`;
  });
  await sql`vacuum (analyze) private.reminders_sent, public.notifications, private.events`;
}

async function timedRun(gatewayUrl: string, secret: string, date: string) {
  const started = performance.now();
  const res = await fetch(`${gatewayUrl}/functions/v1/reminders/run`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ date, force: true }),
  });
  const body = await res.text();
  const seconds = (performance.now() - started) / 1000;
  if (res.status !== 200) throw new Error(`POST /reminders/run answered ${res.status}: ${body}`);
  const { created, skipped } = JSON.parse(body) as { created: number; skipped: number };
  return { seconds, created, skipped };
}

/**
 * The first run over tomorrow's confirmed appointments, then the same run again, each through
 * the gateway (`POST /reminders/run` with `force`, as an operator calls it: the same statement
 * as the scheduled run, whatever the hour).
 */
export async function benchReminders(
  sql: postgres.Sql,
  gateway: { url: string; serviceSecret: string },
  log: (line: string) => void,
): Promise<ReminderBench> {
  const date = israelDate(0);
  const tomorrow = israelDate(1);
  log(`Reminders: ${REMINDER_APPOINTMENTS} confirmed appointments for ${tomorrow}.`);
  const generated = await ensureReminderData(sql, tomorrow);
  if (generated.appointments > 0) {
    log(`  generated ${generated.appointments} in ${generated.seconds.toFixed(1)} s`);
  }
  await forgetReminders(sql, tomorrow);
  const [{ confirmed }] = await sql<{ confirmed: number }[]>`
    select count(*)::int as confirmed from public.appointments
    where appointment_date = ${tomorrow} and status = 'confirmed'`;
  const first = await timedRun(gateway.url, gateway.serviceSecret, date);
  const repeated = await timedRun(gateway.url, gateway.serviceSecret, date);
  return {
    date,
    tomorrow,
    confirmedTomorrow: confirmed,
    generated,
    first: { ...first, rowsPerSecond: first.created / first.seconds },
    repeated: {
      ...repeated,
      rowsPerSecond: (repeated.created + repeated.skipped) / repeated.seconds,
    },
    targets: REMINDER_TARGETS,
  };
}

const met = (ok: boolean) => (ok ? 'met    ' : 'NOT met');

/** The two runs, their rows per second, and the targets. */
export function formatReminderBench(r: ReminderBench): string[] {
  const rate = (n: number) => Math.round(n).toLocaleString('en-US');
  return [
    `Reminders for ${r.tomorrow} (run of ${r.date}), ${r.confirmedTomorrow} confirmed appointments:`,
    `  first run:    ${r.first.seconds.toFixed(2)} s, created ${r.first.created}, skipped ` +
    `${r.first.skipped}: ${rate(r.first.rowsPerSecond)} reminders/s`,
    `  repeated run: ${r.repeated.seconds.toFixed(2)} s, created ${r.repeated.created}, skipped ` +
    `${r.repeated.skipped}: ${rate(r.repeated.rowsPerSecond)} appointments/s`,
    `${met(r.first.seconds < r.targets.firstRunSeconds)}  first run under ` +
    `${r.targets.firstRunSeconds} s (on this machine)`,
    `${met(r.repeated.seconds < r.targets.repeatedRunSeconds && r.repeated.created === 0)}  ` +
    `repeated run under ${r.targets.repeatedRunSeconds} s, creating nothing (on this machine)`,
  ];
}
