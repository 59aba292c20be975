import type postgres from 'postgres';
import type { Tx } from '../../shared/db/client.ts';
import { type DevKeys, mintAccessToken } from '../lib/keys.ts';
import { israelDate } from '../lib/israel-date.ts';
import { ensureUser } from '../lib/users.ts';
import {
  BENCH_DOMAIN,
  BOOKER_EMAILS,
  BUSY_MONTH_DAYS,
  PRACTITIONER_EMAILS,
  REGULAR_EMAILS,
} from './data.ts';
import type { AppointmentFixtures, FreeSlot } from './scenarios.ts';

/**
 * Signed-in load comes from this many users taken in turn, as many patients at once would: one
 * user alone would queue every request on that user's own rows (rate-limit counter, settings).
 */
export const BENCH_USERS = 32;
export const RELATIVES_PER_USER = 10;

export interface SignedInUser {
  id: string;
  token: string;
}

/** The benchmark's patients, each with RELATIVES_PER_USER relatives, and a token for each. */
export async function benchUsers(
  sql: postgres.Sql,
  keys: DevKeys,
  gatewayUrl: string,
): Promise<SignedInUser[]> {
  const users: SignedInUser[] = [];
  for (let i = 1; i <= BENCH_USERS; i++) {
    const email = `bench-user-${i}@${BENCH_DOMAIN}`;
    const id = await ensureUser(sql, { email, firstName: 'Bench', lastName: `User ${i}` });
    const token = await mintAccessToken(keys, { sub: id, email, issuer: `${gatewayUrl}/auth/v1` });
    users.push({ id, token });
  }
  await sql`
    insert into public.relatives (user_id, first_name, last_name, relation, date_of_birth, kupat_holim)
    select u.id, format('Relative %s', r), 'Bench',
           (array['child', 'parent', 'spouse', 'sibling', 'other']::public.relation_type[])[1 + r % 5],
           date '1950-01-01' + r * 1000, 'clalit'
    from unnest(${users.map((u) => u.id)}::uuid[]) u(id)
    cross join generate_series(1, ${RELATIVES_PER_USER}) r
    where not exists (select from public.relatives x where x.user_id = u.id)`;
  return users;
}

/** Ids of the generated practitioners, for requests that pick one at random. */
export async function benchPractitionerIds(sql: postgres.Sql): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    select p.id from public.profiles p
    join public.practitioners pr on pr.id = p.id and pr.is_active
    where p.email like ${PRACTITIONER_EMAILS}`;
  return rows.map((r) => r.id);
}

/** A token for each of these users, in their order. */
async function signIn(
  keys: DevKeys,
  gatewayUrl: string,
  rows: Array<{ id: string; email: string }>,
): Promise<SignedInUser[]> {
  return await Promise.all(rows.map(async ({ id, email }) => ({
    id,
    token: await mintAccessToken(keys, { sub: id, email, issuer: `${gatewayUrl}/auth/v1` }),
  })));
}

/** Generated practitioners the free slot pool draws from, at random each run. */
const POOL_PRACTITIONERS = 400;
/**
 * More bookings per second than this machine's gateway could answer: the pool holds this many
 * for each second of load (warm-up included), so a run never runs out of free slots.
 */
export const BOOKINGS_PER_SECOND = 1000;

/** How many bookings a run may send: the sequential sample, then `loadRuns` warm-up and load runs. */
export const bookingsNeeded = (
  options: { sample: number; warmup: number; duration: number },
  loadRuns = 1,
) => options.sample + BOOKINGS_PER_SECOND * (options.warmup + options.duration) * loadRuns;

/**
 * Up to `size` free slots of generated practitioners (not the busy ones), from tomorrow on, as
 * the one availability implementation offers them (app.practitioner_free_slots), each paired
 * with a booker: at one time the practitioners free then are dealt to distinct bookers, so no
 * booker gets two slots at once (the generated slots are the same half hours for everyone, in
 * one time zone) and no slot is handed out twice. In random order, so that concurrent bookings
 * go to different practitioners as they would.
 */
export async function freeSlotPool(
  sql: Tx,
  bookerIds: string[],
  size: number,
): Promise<FreeSlot[]> {
  if (size <= 0) return [];
  // The ~12 bookable half hours a day times the bookers, at most, fit in a day of the window.
  const days = Math.min(366, Math.max(30, Math.ceil(size / (12 * Math.max(bookerIds.length, 1)))));
  const rows = await sql<
    { patient_id: string; practitioner_id: string; date: string; start: string; end: string }[]
  >`
    with practitioner as (
      select p.id from public.profiles p
      join public.practitioners pr on pr.id = p.id and pr.is_active
      where p.email like ${PRACTITIONER_EMAILS}
        and not exists (
          select from public.appointments x where x.practitioner_id = p.id and x.source = 'dokal_crm')
      order by random()
      limit ${POOL_PRACTITIONERS}
    ),
    booker as (
      select id, row_number() over (order by id) as b from unnest(${bookerIds}::uuid[]) id
    ),
    free as (
      select s.practitioner_id, s.slot_date, s.slot_start, s.slot_end,
             row_number() over (partition by s.slot_date, s.slot_start order by random()) as b
      from app.practitioner_free_slots(array(select id from practitioner),
                                       ${israelDate(1)}::date, ${israelDate(days)}::date) s
    )
    select k.id as patient_id, f.practitioner_id, f.slot_date::text as date,
           to_char(f.slot_start, 'HH24:MI') as start, to_char(f.slot_end, 'HH24:MI') as end
    from free f join booker k on k.b = f.b
    order by random()
    limit ${size}`;
  return rows.map((r) => ({
    patientId: r.patient_id,
    practitionerId: r.practitioner_id,
    date: r.date,
    start: r.start,
    end: r.end,
  }));
}

/**
 * What the appointments group needs, from the generated data: the regular patients and the busy
 * practitioners signed in, the busy month (the period from the first day of their CRM
 * appointments), and a pool of `bookings` free slots for the bookers. The bookers' bookings of
 * earlier runs are deleted first, so every run books into the same data (the notifications and
 * events those bookings wrote stay; nothing measured reads them).
 */
export async function appointmentFixtures(
  sql: Tx,
  keys: DevKeys,
  gatewayUrl: string,
  bookings: number,
  log: (line: string) => void,
): Promise<AppointmentFixtures> {
  const generated = (pattern: string) =>
    sql<{ id: string; email: string }[]>`
      select id, email from public.profiles where email like ${pattern} order by email`;
  const patients = await generated(REGULAR_EMAILS);
  const busy = await sql<{ id: string; email: string }[]>`
    select p.id, p.email from public.profiles p
    where p.email like ${PRACTITIONER_EMAILS}
      and exists (
        select from public.appointments x where x.practitioner_id = p.id and x.source = 'dokal_crm')
    order by p.email`;
  const bookers = await generated(BOOKER_EMAILS);
  if (patients.length === 0 || busy.length === 0 || bookers.length === 0) {
    throw new Error(
      'The appointments group needs the generated patients, busy practitioners and bookers ' +
        '(npm run bench:data).',
    );
  }
  const busyIds = busy.map((p) => p.id);
  const lastDay = BUSY_MONTH_DAYS - 1;
  const [month] = await sql<{ from: string; to: string; fewest: number; most: number }[]>`
    with period as (
      select min(appointment_date) as first_day from public.appointments
      where practitioner_id = any (${busyIds}::uuid[]) and source = 'dokal_crm'
    ),
    counted as (
      select count(a.id)::int as n
      from unnest(${busyIds}::uuid[]) b(id)
      cross join period
      left join public.appointments a on a.practitioner_id = b.id
        and a.appointment_date between period.first_day and period.first_day + ${lastDay}::int
      group by b.id
    )
    select period.first_day::text as from, (period.first_day + ${lastDay}::int)::text as to,
           min(n) as fewest, max(n) as most
    from period, counted group by period.first_day`;
  const bookerIds = bookers.map((b) => b.id);
  const removed =
    await sql`delete from public.appointments where patient_id = any (${bookerIds}::uuid[])`;
  const slots = await freeSlotPool(sql, bookerIds, bookings);
  log(
    `Appointments: ${patients.length} patients with their lists; ${busy.length} busy ` +
      `practitioners with ${month.fewest}-${month.most} appointments from ${month.from} to ` +
      `${month.to}; ${slots.length} free slots for ${bookers.length} bookers` +
      (slots.length < bookings ? ` (fewer than the ${bookings} a run may book)` : '') +
      `; ${removed.count} bookings of earlier runs removed.`,
  );
  return {
    patients: await signIn(keys, gatewayUrl, patients),
    busy: await signIn(keys, gatewayUrl, busy),
    month: { from: month.from, to: month.to },
    bookers: new Map((await signIn(keys, gatewayUrl, bookers)).map((b) => [b.id, b.token])),
    slots,
  };
}
