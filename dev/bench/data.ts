import type postgres from 'postgres';
import type { Tx } from '../../shared/db/client.ts';
import { CITIES } from './cities.ts';

/** Generated users are recognisable by this domain, which can never receive mail. */
export const BENCH_DOMAIN = 'bench.dokal.invalid';
export const PRACTITIONER_EMAILS = `bench-practitioner-%@${BENCH_DOMAIN}`;
const PATIENT_EMAILS = `bench-patient-%@${BENCH_DOMAIN}`;

export const APPOINTMENTS_PER_PRACTITIONER = 50;
const PATIENTS = 500;
/** Every appointment and generated slot lasts this long. */
const SLOT_MINUTES = 30;
const TIME_ZONE = 'Asia/Jerusalem';

const FIRST_NAMES = [
  'Yael',
  'Noam',
  'Tamar',
  'Eitan',
  'Noa',
  'Ariel',
  'Maya',
  'Yosef',
  'Shira',
  'David',
  'Miriam',
  'Amir',
  'Rivka',
  'Omer',
  'Leah',
  'Avi',
  'Hila',
  'Daniel',
  'Sarah',
  'Yonatan',
];
const LAST_NAMES = [
  'Cohen',
  'Levi',
  'Mizrahi',
  'Peretz',
  'Biton',
  'Dahan',
  'Avraham',
  'Friedman',
  'Azoulay',
  'Katz',
  'Yosef',
  'Malka',
  'Amar',
  'Ohana',
  'Hadad',
  'Gabay',
  'Ben David',
  'Shapiro',
  'Klein',
  'Golan',
  'Vaknin',
  'Sabag',
  'Ashkenazi',
  'Rosen',
  'Shalom',
];

export interface DataSummary {
  practitioners: number;
  /** Rows inserted or filled in by this call, per table: all zero when the data was complete. */
  added: Record<string, number>;
}

/** Generated practitioners with their number `n` (from their email), as an SQL subquery. */
const benchPractitioners = (tx: Tx) =>
  tx`select p.id, split_part(split_part(p.email, '@', 1), '-', 3)::int as n
     from public.profiles p where p.email like ${PRACTITIONER_EMAILS}`;

/** Auth users numbered 1..count; their profiles follow through the auth trigger. */
async function insertUsers(
  tx: Tx,
  kind: 'practitioner' | 'patient',
  count: number,
): Promise<number> {
  const result = await tx`
    insert into auth.users (email, raw_user_meta_data)
    select format('bench-%s-%s@%s', ${kind}::text, g, ${BENCH_DOMAIN}::text),
           jsonb_build_object(
             'first_name', (${FIRST_NAMES}::text[])[1 + g % ${FIRST_NAMES.length}],
             'last_name', (${LAST_NAMES}::text[])[1 + (g / ${FIRST_NAMES.length}) % ${LAST_NAMES.length}])
    from generate_series(1, ${count}) g
    on conflict (email) do nothing`;
  return result.count;
}

/** The role change creates each practitioners row through the profiles trigger. */
async function makePractitioners(tx: Tx): Promise<number> {
  const result = await tx`
    update public.profiles set role = 'practitioner'
    where email like ${PRACTITIONER_EMAILS} and role <> 'practitioner'`;
  return result.count;
}

/** City (spread a few km around its centre), specialty, address and the rest of the public profile. */
async function describePractitioners(tx: Tx): Promise<number> {
  const result = await tx`
    with bench as (${benchPractitioners(tx)}),
    city as (
      select (c.ordinality - 1)::int as i, c.value ->> 'name' as name,
             (c.value ->> 'lat')::float8 as lat, (c.value ->> 'lng')::float8 as lng
      from jsonb_array_elements(${JSON.stringify(CITIES)}::text::jsonb) with ordinality c
    ),
    specialty as (
      select id, name, (row_number() over (order by name) - 1)::int as i, count(*) over ()::int as total
      from public.specialties
    )
    update public.practitioners pr set
      city = c.name,
      latitude = c.lat + ((b.n * 37) % 101 - 50) * 0.0006,
      longitude = c.lng + ((b.n * 53) % 101 - 50) * 0.0006,
      specialty_id = s.id,
      address_line = format('%s Herzl Street', 1 + b.n % 180),
      zip_code = lpad((1000000 + b.n * 7919 % 8999999)::text, 7, '0'),
      phone = format('+972-3-%s', lpad((b.n * 7717 % 10000000)::text, 7, '0')),
      email = format('clinic-%s@%s', b.n, ${BENCH_DOMAIN}::text),
      about = format('%s in %s. Consultations for adults and children, in Hebrew and English.', s.name, c.name),
      languages = case b.n % 3 when 0 then '{he,en}'::text[] when 1 then '{he,fr}'::text[] else '{he,ru,en}'::text[] end,
      education = 'Hebrew University of Jerusalem, Faculty of Medicine',
      years_of_experience = b.n % 35,
      sector = (array['Clalit', 'Maccabi', 'Meuhedet', 'Leumit']::public.sector[])[1 + b.n % 4],
      consultation_duration_minutes = ${SLOT_MINUTES},
      price_min_agorot = 15000,
      price_max_agorot = 30000
    from bench b
    join city c on c.i = b.n % ${CITIES.length}
    join specialty s on s.i = b.n % s.total
    where pr.id = b.id and pr.city is null`;
  return result.count;
}

/** Sunday to Thursday 08:00-12:00 and 13:00-17:00, Friday 08:00-12:00. */
async function insertWeeklySchedules(tx: Tx): Promise<number> {
  const result = await tx`
    with bench as (${benchPractitioners(tx)}),
    opening as (
      select d::smallint as day_of_week, h.start_time, h.end_time
      from generate_series(0, 4) d
      cross join (values (time '08:00', time '12:00'), (time '13:00', time '17:00')) h(start_time, end_time)
      union all
      select 5, time '08:00', time '12:00'
    )
    insert into public.practitioner_weekly_schedule
      (practitioner_id, day_of_week, start_time, end_time, slot_duration_minutes)
    select b.id, o.day_of_week, o.start_time, o.end_time, ${SLOT_MINUTES}
    from bench b cross join opening o
    where not exists (select from public.practitioner_weekly_schedule w where w.practitioner_id = b.id)`;
  return result.count;
}

/** Two closed days and one day of special hours in the coming month. */
async function insertOverrides(tx: Tx): Promise<number> {
  const result = await tx`
    with bench as (${benchPractitioners(tx)}),
    anchor as (select (now() at time zone ${TIME_ZONE})::date as today)
    insert into public.practitioner_schedule_overrides
      (practitioner_id, date, is_available, start_time, end_time, reason)
    select b.id, o.date, o.is_available, o.start_time, o.end_time, o.reason
    from bench b
    cross join anchor a
    cross join lateral (values
      (a.today + 3 + b.n % 5, false, null::time, null::time, 'Conference'),
      (a.today + 10 + b.n % 7, true, time '09:00', time '13:00', 'Short day'),
      (a.today + 20 + b.n % 10, false, null, null, 'Holiday')
    ) o(date, is_available, start_time, end_time, reason)
    where not exists (select from public.practitioner_schedule_overrides x where x.practitioner_id = b.id)`;
  return result.count;
}

/**
 * APPOINTMENTS_PER_PRACTITIONER appointments on the 25 working days (Sunday to Thursday) of the
 * five weeks around today: appointment k falls on working day k / 2, in the morning range when k
 * is even and in the afternoon range when odd. Distinct days, or distinct ranges of one day,
 * never overlap, so the exclusion constraint holds by construction. Past ones are completed.
 */
async function insertAppointments(tx: Tx): Promise<number> {
  // Days and patients are looked up by position in arrays, not joined: the row counts of this
  // transaction's fresh rows are unknown to the planner, and a join on a computed key would let it
  // pick a nested loop over half a million rows.
  const result = await tx`
    with bench as (${benchPractitioners(tx)}),
    anchor as (select (now() at time zone ${TIME_ZONE})::date as today),
    fixed as (
      select a.today,
             array(select d::date from generate_series(a.today - 17, a.today + 17, interval '1 day') d
                   where extract(dow from d) between 0 and 4 order by d) as workdays,
             array(select id from public.profiles where email like ${PATIENT_EMAILS} order by email) as patients
      from anchor a
    )
    insert into public.appointments
      (patient_id, practitioner_id, appointment_date, start_time, end_time, status, visited_before)
    select f.patients[1 + (b.n * ${APPOINTMENTS_PER_PRACTITIONER} + k) % cardinality(f.patients)],
           b.id, s.day, s.starts, s.starts + make_interval(mins => ${SLOT_MINUTES}),
           (case when s.day < f.today then 'completed' when k % 5 = 0 then 'pending' else 'confirmed' end)
             ::public.appointment_status,
           k % 3 = 0
    from bench b
    cross join fixed f
    cross join generate_series(0, ${APPOINTMENTS_PER_PRACTITIONER - 1}) k
    cross join lateral (
      select f.workdays[1 + k / 2] as day,
             case when k % 2 = 0 then time '08:00' + (b.n % 8) * make_interval(mins => ${SLOT_MINUTES})
                  else time '13:00' + ((b.n + k) % 8) * make_interval(mins => ${SLOT_MINUTES}) end as starts
    ) s
    where not exists (select from public.appointments x where x.practitioner_id = b.id)`;
  return result.count;
}

/** A review for every fourth completed appointment, so ratings have something to average. */
async function insertReviews(tx: Tx): Promise<number> {
  const result = await tx`
    with bench as (${benchPractitioners(tx)})
    insert into public.reviews (appointment_id, practitioner_id, patient_id, rating, comment, created_at)
    select a.id, a.practitioner_id, a.patient_id, 3 + a.rn % 3, 'Attentive, clear explanations, on time.',
           (a.appointment_date + a.end_time) at time zone ${TIME_ZONE}
    from (
      select x.*, row_number() over (partition by x.practitioner_id order by x.appointment_date, x.start_time) as rn
      from public.appointments x join bench b on b.id = x.practitioner_id
      where x.status = 'completed'
    ) a
    where a.rn % 4 = 1
    on conflict (appointment_id) do nothing`;
  return result.count;
}

/**
 * Makes sure `practitioners` generated practitioners exist with their schedules, overrides,
 * appointments and reviews. Idempotent: each step fills in only what is missing, so a second call
 * adds nothing. Set-based: a handful of statements whatever the count. Tables it filled are
 * analysed, so the plans measured afterwards are those of real use.
 */
export async function ensureBenchData(
  tx: Tx,
  options: { practitioners: number },
): Promise<DataSummary> {
  const added: Record<string, number> = {};
  added.users = (await insertUsers(tx, 'practitioner', options.practitioners)) +
    (await insertUsers(tx, 'patient', PATIENTS));
  added.practitioners = await makePractitioners(tx);
  // The planner must know the fresh rows: believing there is one practitioner, it would scan the
  // growing appointments table once per practitioner to find those without any.
  if (added.users + added.practitioners > 0) {
    await tx`analyze auth.users, public.profiles, public.practitioners`;
  }
  added.practitioner_details = await describePractitioners(tx);
  added.weekly_schedule = await insertWeeklySchedules(tx);
  added.overrides = await insertOverrides(tx);
  added.appointments = await insertAppointments(tx);
  if (added.appointments > 0) {
    await tx`analyze public.practitioners, public.practitioner_weekly_schedule,
      public.practitioner_schedule_overrides, public.appointments`;
  }
  added.reviews = await insertReviews(tx);
  if (added.reviews > 0) await tx`analyze public.reviews`;
  const [{ practitioners }] = await tx<{ practitioners: number }[]>`
    select count(*)::int as practitioners from (${benchPractitioners(tx)}) b`;
  return { practitioners, added };
}

/** The generator in one transaction: all or nothing. */
export async function loadBenchData(
  sql: postgres.Sql,
  practitioners: number,
  log: (line: string) => void,
): Promise<DataSummary> {
  const started = performance.now();
  const summary = await sql.begin((tx) => ensureBenchData(tx, { practitioners }));
  const added = Object.values(summary.added).reduce((a, b) => a + b, 0);
  // What autovacuum does to a table in use: without a visibility map, freshly loaded tables
  // cannot be read by index-only scans and the figures would describe a state nobody runs in.
  if (added > 0) {
    await sql`vacuum (analyze) public.practitioners, public.practitioner_weekly_schedule,
      public.practitioner_schedule_overrides, public.appointments, public.reviews, public.profiles,
      public.practitioner_review_stats`;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const detail = Object.entries(summary.added).map(([table, n]) => `${table} ${n}`).join(', ');
  log(
    added > 0
      ? `Bench data: ${summary.practitioners} practitioners; added ${detail} in ${seconds} s.`
      : `Bench data: ${summary.practitioners} practitioners, already complete (checked in ${seconds} s).`,
  );
  return summary;
}
