import type postgres from 'postgres';
import type { Fragment, Tx } from '../../shared/db/client.ts';
import { CITIES } from './cities.ts';

/** Generated users are recognisable by this domain, which can never receive mail. */
export const BENCH_DOMAIN = 'bench.dokal.invalid';
export const PRACTITIONER_EMAILS = `bench-practitioner-%@${BENCH_DOMAIN}`;
export const PATIENT_EMAILS = `bench-patient-%@${BENCH_DOMAIN}`;
/** Patients with a list of their own, APPOINTMENTS_PER_PATIENT each (the patient's routes). */
export const REGULAR_EMAILS = `bench-regular-%@${BENCH_DOMAIN}`;
/** The patients of the busy practitioners' month, who have no other appointment. */
export const CLIENT_EMAILS = `bench-client-%@${BENCH_DOMAIN}`;
/** Patients who book during the benchmark (POST /appointments) and have no other appointment. */
export const BOOKER_EMAILS = `bench-booker-%@${BENCH_DOMAIN}`;

export const APPOINTMENTS_PER_PRACTITIONER = 50;
/**
 * The fewest patients of those appointments. One practitioner in eight shares each appointment
 * time (see insertAppointments), so there are more with more practitioners: a person is never
 * booked twice at once (the exclusion constraint appointments_person_no_overlap).
 */
const PATIENTS = 500;
export const patientsFor = (practitioners: number) =>
  Math.max(PATIENTS, Math.floor(practitioners / 8) + 1);

export const REGULAR_PATIENTS = 500;
/** Each regular patient's appointments: completed, cancelled or missed ones, then ones ahead. */
export const PAST_APPOINTMENTS_PER_PATIENT = 12;
export const APPOINTMENTS_AHEAD_PER_PATIENT = 8;
export const APPOINTMENTS_PER_PATIENT = PAST_APPOINTMENTS_PER_PATIENT +
  APPOINTMENTS_AHEAD_PER_PATIENT;

/** Practitioners 1..BUSY_PRACTITIONERS hold about BUSY_MONTH_APPOINTMENTS in BUSY_MONTH_DAYS. */
export const BUSY_PRACTITIONERS = 32;
export const BUSY_MONTH_APPOINTMENTS = 200;
export const BUSY_MONTH_DAYS = 30;
const CLIENTS = 400;
export const BOOKERS = 200;
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
  kind: 'practitioner' | 'patient' | 'regular' | 'client' | 'booker',
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
 * never overlap, so the practitioner's exclusion constraint holds by construction. Past ones are
 * completed.
 *
 * The practitioners booked at one time all have the same k and the same n modulo 8 (the slot of
 * the range is n % 8 in the morning, (n + k) % 8 in the afternoon), so their n / 8 differ: the
 * patient at position (n / 8 + 37 k) modulo the number of patients (patientsFor, more than the
 * largest n / 8) is a different person for each, and the person's exclusion constraint holds too.
 *
 * These half million rows are the one bulk insert made with the triggers off (replication role
 * `replica`, where the connection may set it): with them on, each row writes a notification
 * rendered from its template, three events and its conversation, and the load took over ten
 * minutes instead of about one (the regular patients' and the busy practices' appointments, which
 * the appointments group reads, keep them on). What the triggers would have done that matters is
 * done here in the same statement: the instants (by the clock trigger's own functions) and the
 * status times that the BEFORE triggers set, the conversation of each pair of patient and
 * practitioner (about the pair's latest appointment), and the practitioners' first free slots
 * marked stale. Their notifications and events are not written: nothing measured reads them, and
 * the relay would have consumed the events long ago. The exclusion constraints are no triggers:
 * they hold either way.
 */
async function insertAppointments(tx: Tx): Promise<number> {
  const [{ replica }] = await tx<{ replica: boolean }[]>`
    select current_setting('is_superuser') = 'on'
           or has_parameter_privilege(current_user, 'session_replication_role', 'SET') as replica`;
  if (replica) await tx`set local session_replication_role = replica`;
  // Days and patients are looked up by position in arrays, not joined: the row counts of this
  // transaction's fresh rows are unknown to the planner, and a join on a computed key would let it
  // pick a nested loop over half a million rows.
  const slot = tx`make_interval(mins => ${SLOT_MINUTES})`;
  const [{ inserted }] = await tx<{ inserted: number }[]>`
    with bench as (${benchPractitioners(tx)}),
    anchor as (select (now() at time zone ${TIME_ZONE})::date as today),
    fixed as (
      select a.today,
             array(select d::date from generate_series(a.today - 17, a.today + 17, interval '1 day') d
                   where extract(dow from d) between 0 and 4 order by d) as workdays,
             array(select id from public.profiles where email like ${PATIENT_EMAILS} order by email) as patients
      from anchor a
    ),
    inserted as (
      insert into public.appointments
        (patient_id, practitioner_id, appointment_date, start_time, end_time, starts_at, ends_at,
         status, visited_before, confirmed_at, completed_at)
      select f.patients[1 + (b.n / 8 + 37 * k) % cardinality(f.patients)],
             b.id, s.day, s.starts, s.starts + ${slot},
             i.starts_at,
             private.wall_clock_end(i.starts_at, s.day, s.starts, s.starts + ${slot}, pr.time_zone),
             st.status, k % 3 = 0,
             case when st.status in ('confirmed', 'completed') then now() end,
             case when st.status = 'completed' then now() end
      from bench b
      join public.practitioners pr on pr.id = b.id
      cross join fixed f
      cross join generate_series(0, ${APPOINTMENTS_PER_PRACTITIONER - 1}) k
      cross join lateral (
        select f.workdays[1 + k / 2] as day,
               case when k % 2 = 0 then time '08:00' + (b.n % 8) * ${slot}
                    else time '13:00' + ((b.n + k) % 8) * ${slot} end as starts
      ) s
      cross join lateral (
        select private.wall_clock_instant(s.day, s.starts, pr.time_zone) as starts_at
      ) i
      cross join lateral (
        select (case when s.day < f.today then 'completed' when k % 5 = 0 then 'pending'
                     else 'confirmed' end)::public.appointment_status as status
      ) st
      where not exists (select from public.appointments x where x.practitioner_id = b.id)
      returning id, patient_id, practitioner_id, starts_at
    ),
    conversation as (
      insert into public.conversations (patient_id, practitioner_id, appointment_id)
      select distinct on (patient_id, practitioner_id) patient_id, practitioner_id, id
      from inserted
      order by patient_id, practitioner_id, starts_at desc
      on conflict on constraint conversations_one_per_pair do nothing
    )
    select (select count(*) from inserted)::int as inserted,
           (select private.invalidate_first_free_slots(array_agg(distinct practitioner_id))
            from inserted) is null as invalidated`;
  if (replica) await tx`set local session_replication_role = origin`;
  return inserted;
}

/** A half hour of a working day's opening (0-7 in the morning range, 8-15 in the afternoon). */
const halfHour = (tx: Tx, index: Fragment): Fragment =>
  tx`case when ${index} < 8 then time '08:00' + ${index} * make_interval(mins => ${SLOT_MINUTES})
          else time '13:00' + (${index} - 8) * make_interval(mins => ${SLOT_MINUTES}) end`;

/**
 * APPOINTMENTS_PER_PATIENT appointments for each regular patient who has none, outside the five
 * weeks of insertAppointments so that they meet none of those: PAST_APPOINTMENTS_PER_PATIENT on
 * the working days before them (most recent first; completed, a few cancelled or missed), then
 * APPOINTMENTS_AHEAD_PER_PATIENT on the working days after them (pending or confirmed, the last
 * one cancelled). The half hours of those days are numbered u, from the five weeks outwards.
 *
 * Patient i (position among all regular patients) has appointment m of each side at
 * u = m * q + i % q, so the patient's own times differ. The patients at one time share m and
 * i % q, so their i / q differ, and the practitioner at position i / q + c (c the same for all of
 * them) modulo the practitioners is a different one for each, while there are no more patients
 * at one time (regular patients / q) than practitioners: q is 80 (five working days, one
 * appointment a week) or more when there are few practitioners. No live appointment of a
 * practitioner or of a patient overlaps another, by construction.
 */
async function insertRegularAppointments(tx: Tx): Promise<number> {
  const result = await tx`
    with bench as (${benchPractitioners(tx)}),
    regular as (
      select p.id, (row_number() over (order by p.email) - 1)::int as i
      from public.profiles p where p.email like ${REGULAR_EMAILS}
    ),
    sized as (
      select (now() at time zone ${TIME_ZONE})::date as today,
             array(select id from bench order by n) as practitioners,
             greatest(80, ceil((select count(*) from regular) /
                               greatest((select count(*) from bench), 1)::numeric))::int as q
    ),
    fixed as (
      select s.*,
             array(select d::date from generate_series(s.today + 18, s.today + 18 + 2 * s.q, interval '1 day') d
                   where extract(dow from d) between 0 and 4 order by d) as ahead,
             array(select d::date from generate_series(s.today - 18 - 2 * s.q, s.today - 18, interval '1 day') d
                   where extract(dow from d) between 0 and 4 order by d desc) as behind
      from sized s
    ),
    slot as (
      select r.id, r.i, f.q, f.practitioners, j >= ${PAST_APPOINTMENTS_PER_PATIENT} as ahead,
             j % ${PAST_APPOINTMENTS_PER_PATIENT} as m,
             (j % ${PAST_APPOINTMENTS_PER_PATIENT}) * f.q + r.i % f.q as u,
             case when j >= ${PAST_APPOINTMENTS_PER_PATIENT} then f.ahead else f.behind end as days
      from regular r
      cross join fixed f
      cross join generate_series(0, ${APPOINTMENTS_PER_PATIENT - 1}) j
      where cardinality(f.practitioners) > 0
        and not exists (select from public.appointments x where x.patient_id = r.id)
    )
    insert into public.appointments
      (patient_id, practitioner_id, appointment_date, start_time, end_time, status, visited_before,
       cancellation_reason)
    select s.id,
           s.practitioners[1 + (s.i / s.q + s.m * 613 + (s.i % s.q) * 127 + s.ahead::int * 7)
                               % cardinality(s.practitioners)],
           s.days[1 + s.u / 16], t.starts, t.starts + make_interval(mins => ${SLOT_MINUTES}),
           st.status, s.m % 3 <> 0,
           case when st.status in ('cancelled_by_patient', 'cancelled_by_practitioner')
                then 'Something came up.' end
    from slot s
    cross join lateral (select ${halfHour(tx, tx`s.u % 16`)} as starts) t
    cross join lateral (
      select (case
        when s.ahead and s.m = ${APPOINTMENTS_AHEAD_PER_PATIENT - 1} then 'cancelled_by_patient'
        when s.ahead and s.m % 3 = 0 then 'pending'
        when s.ahead then 'confirmed'
        when s.m % 6 = 2 then 'cancelled_by_patient'
        when s.m % 6 = 5 then 'no_show'
        when s.m = 9 then 'cancelled_by_practitioner'
        else 'completed'
      end)::public.appointment_status as status
    ) st`;
  return result.count;
}

/**
 * Busy practices, for the CRM's month: each of practitioners 1..`busy` (at most
 * BUSY_PRACTITIONERS) without an appointment of the CRM's own (source dokal_crm, which marks
 * these) gets enough of them to hold BUSY_MONTH_APPOINTMENTS in the BUSY_MONTH_DAYS from two
 * weeks ago (a working day), at free half hours of its working days, spread over the period (past ones
 * completed, a few missed or cancelled; then pending or confirmed, a few cancelled). Their
 * patients are the clients, who have no other appointment: at half hour t (counted from
 * 2000-01-01) practitioner n sees client t * BUSY_PRACTITIONERS + n - 1 modulo the clients, a
 * different one for each practitioner booked at t, and none twice at one time.
 */
async function insertBusyMonths(tx: Tx, busy: number): Promise<number> {
  const slot = tx`make_interval(mins => ${SLOT_MINUTES})`;
  const result = await tx`
    with bench as (${benchPractitioners(tx)}),
    fixed as (
      -- Two weeks ago, or the Sunday after when that is a Friday or a Saturday: the period
      -- starts with its first appointments, so fixtures.ts finds it again.
      select a.today,
             a.today - 14 + case extract(dow from a.today - 14) when 5 then 2 when 6 then 1 else 0 end
               as first_day,
             array(select id from public.profiles where email like ${CLIENT_EMAILS} order by email)
               as clients
      from (select (now() at time zone ${TIME_ZONE})::date as today) a
    ),
    busy as (
      select b.id, b.n, f.today, f.first_day, f.clients,
             ${BUSY_MONTH_APPOINTMENTS} - (
               select count(*) from public.appointments x
               where x.practitioner_id = b.id
                 and x.appointment_date between f.first_day and f.first_day + ${
    BUSY_MONTH_DAYS - 1
  }::int
             ) as missing
      from bench b cross join fixed f
      where b.n <= ${busy} and cardinality(f.clients) >= ${BUSY_PRACTITIONERS}
        and not exists (
          select from public.appointments x where x.practitioner_id = b.id and x.source = 'dokal_crm')
    ),
    candidate as (
      select b.id, b.n, b.today, b.clients, d.day, h.starts,
             row_number() over (partition by b.id
                                order by (d.day - b.first_day + h.i) % 2, d.day, h.starts) as pick,
             b.missing
      from busy b
      cross join lateral (
        select b.first_day + g as day from generate_series(0, ${BUSY_MONTH_DAYS - 1}) g
      ) d
      cross join lateral (
        select g as i, ${halfHour(tx, tx`g`)} as starts from generate_series(0, 15) g
      ) h
      where extract(dow from d.day) between 0 and 4
        and not exists (
          select from public.appointments x
          where x.practitioner_id = b.id and x.appointment_date = d.day
            and x.start_time < h.starts + ${slot} and h.starts < x.end_time)
    )
    insert into public.appointments
      (patient_id, practitioner_id, appointment_date, start_time, end_time, status, source,
       visited_before, cancellation_reason)
    select c.clients[1 + (((c.day - date '2000-01-01') * 48
                           + extract(epoch from c.starts)::int / 1800) * ${BUSY_PRACTITIONERS}
                          + c.n - 1) % cardinality(c.clients)],
           c.id, c.day, c.starts, c.starts + ${slot}, st.status, 'dokal_crm', c.pick % 3 <> 0,
           case when st.status in ('cancelled_by_patient', 'cancelled_by_practitioner')
                then 'Something came up.' end
    from candidate c
    cross join lateral (
      select (case
        when c.day < c.today and c.pick % 10 = 3 then 'no_show'
        when c.day < c.today and c.pick % 10 = 7 then 'cancelled_by_patient'
        when c.day < c.today then 'completed'
        when c.pick % 10 = 7 then 'cancelled_by_practitioner'
        when c.pick % 4 = 0 then 'pending'
        else 'confirmed'
      end)::public.appointment_status as status
    ) st
    where c.pick <= c.missing`;
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

export interface DataOptions {
  practitioners: number;
  /** REGULAR_PATIENTS unless given (the tests make fewer). */
  regularPatients?: number;
  /** BUSY_PRACTITIONERS unless given; never more. */
  busyPractitioners?: number;
}

/**
 * Makes sure `practitioners` generated practitioners exist with their schedules, overrides,
 * appointments and reviews; the regular patients with their appointments; the busy
 * practitioners' month; the bookers. Idempotent: each step fills in only what is missing, so a
 * second call adds nothing. Set-based: a handful of statements whatever the count. Tables it
 * filled are analysed, so the plans measured afterwards are those of real use.
 *
 * Every appointment is inserted as the platform would, with the triggers on: each one also writes
 * its notification, its events and its pair's conversation, the real cost of real data.
 */
export async function ensureBenchData(tx: Tx, options: DataOptions): Promise<DataSummary> {
  const busy = Math.min(options.busyPractitioners ?? BUSY_PRACTITIONERS, BUSY_PRACTITIONERS);
  const added: Record<string, number> = {};
  added.users = (await insertUsers(tx, 'practitioner', options.practitioners)) +
    (await insertUsers(tx, 'patient', patientsFor(options.practitioners))) +
    (await insertUsers(tx, 'regular', options.regularPatients ?? REGULAR_PATIENTS)) +
    (await insertUsers(tx, 'client', CLIENTS)) +
    (await insertUsers(tx, 'booker', BOOKERS));
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
  // The next steps look for each practitioner's and each patient's appointments.
  if (added.appointments > 0) await tx`analyze public.appointments`;
  added.regular_appointments = await insertRegularAppointments(tx);
  added.busy_appointments = await insertBusyMonths(tx, busy);
  if (added.appointments + added.regular_appointments + added.busy_appointments > 0) {
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
      public.practitioner_review_stats, public.notifications, public.conversations,
      private.events`;
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
