import { APPOINTMENT_STATUSES } from '../../shared/schemas/appointment.ts';
import type { JwtClaims } from '../../shared/auth/user.ts';
import { asUser } from '../../shared/db/as-user.ts';
import type { Tx } from '../../shared/db/client.ts';
import { db } from './db.ts';
import { createUser, type TestUser } from './users.ts';

/** The claims the API hands to the database for a signed-in user (as in tests/shared/rls.test.ts). */
export const claimsOf = (user: { id: string }): JwtClaims => ({
  sub: user.id,
  role: 'authenticated',
  aud: 'authenticated',
});

/** Runs `work` in one transaction as the signed-in `user`: role authenticated, RLS applies. */
export const signedIn = <T>(user: { id: string }, work: (tx: Tx) => Promise<T>): Promise<T> =>
  asUser(claimsOf(user), work);

export const STATUSES = APPOINTMENT_STATUSES;
export type Status = (typeof STATUSES)[number];

export interface PractitionerOptions {
  firstName?: string;
  lastName?: string;
  timeZone?: string;
  accepting?: boolean;
  active?: boolean;
  /** Weekly hours on every day of the week; none when null. */
  hours?: { start: string; end: string; minutes: number } | null;
}

/** A practitioner open every day 09:00-12:00 in 30-minute slots unless told otherwise. */
export async function practitioner(options: PractitionerOptions = {}): Promise<TestUser> {
  const user = await createUser({
    role: 'practitioner',
    firstName: options.firstName ?? 'Dov',
    lastName: options.lastName ?? 'Levi',
  });
  await db`update public.practitioners set
    time_zone = ${options.timeZone ?? 'Asia/Jerusalem'},
    is_accepting_new_patients = ${options.accepting ?? true},
    is_active = ${options.active ?? true}
    where id = ${user.id}`;
  const hours = options.hours === undefined
    ? { start: '09:00', end: '12:00', minutes: 30 }
    : options.hours;
  if (hours) {
    await db`insert into public.practitioner_weekly_schedule
        (practitioner_id, day_of_week, start_time, end_time, slot_duration_minutes)
      select ${user.id}, d, ${hours.start}, ${hours.end}, ${hours.minutes}
      from generate_series(0, 6) d`;
  }
  return user;
}

export const patient = (firstName = 'Pat', lastName = 'Cohen') =>
  createUser({ firstName, lastName });

export async function relativeOf(user: { id: string }, firstName = 'Noa', lastName = 'Cohen') {
  const [{ id }] = await db<{ id: string }[]>`
    insert into public.relatives (user_id, first_name, last_name, relation)
    values (${user.id}, ${firstName}, ${lastName}, 'child') returning id`;
  return id;
}

/**
 * The date `days` days from today (UTC), YYYY-MM-DD. Two days or more away it is in the future
 * (or the past) in every practitioner's zone.
 */
export function daysFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

export interface Arranged {
  patientId: string;
  practitionerId: string;
  date: string;
  start: string;
  end: string;
  status?: Status;
  relativeId?: string | null;
  source?: 'dokal_app' | 'dokal_crm';
}

/** An appointment written by the platform (superuser): no booking rules, no actor rules. */
export async function arrange(a: Arranged, sql: Tx = db): Promise<string> {
  const [{ id }] = await sql<{ id: string }[]>`
    insert into public.appointments
      (patient_id, practitioner_id, relative_id, appointment_date, start_time, end_time, status, source)
    values (${a.patientId}, ${a.practitionerId}, ${a.relativeId ?? null}, ${a.date}, ${a.start},
            ${a.end}, ${a.status ?? 'pending'}, ${a.source ?? 'dokal_app'})
    returning id`;
  return id;
}

export interface Booking {
  practitioner_id: string;
  appointment_date: string;
  start_time: string;
  end_time: string;
  relative_id?: string | null;
  reason_id?: string | null;
  visited_before?: boolean;
  idempotency_key?: string | null;
}

/** What the API's booking does: an insert of the signed-in patient's own row. */
export function book(user: { id: string }, b: Booking): Promise<string> {
  return signedIn(user, async (tx) => {
    const [{ id }] = await tx<{ id: string }[]>`
      insert into public.appointments
        (patient_id, practitioner_id, relative_id, reason_id, appointment_date, start_time,
         end_time, visited_before, idempotency_key)
      values (${user.id}, ${b.practitioner_id}, ${b.relative_id ?? null}, ${b.reason_id ?? null},
              ${b.appointment_date}, ${b.start_time}, ${b.end_time}, ${b.visited_before ?? false},
              ${b.idempotency_key ?? null})
      returning id`;
    return id;
  });
}

/** The last event id: what an action wrote is what comes after it. */
export async function lastEventId(sql: Tx = db): Promise<number> {
  const [{ id }] = await sql<
    { id: string }[]
  >`select coalesce(max(id), 0) as id from private.events`;
  return Number(id);
}

export interface EventRow {
  id: string;
  user_id: string;
  event: string;
  payload: Record<string, unknown> & { data?: Record<string, unknown> };
}

/** The events written after `after` about one appointment or its notifications, in order. */
export function eventsAbout(appointmentId: string, after: number, sql: Tx = db) {
  return sql<EventRow[]>`
    select id::text, user_id, event, payload from private.events
    where id > ${after}
      and (payload ->> 'id' = ${appointmentId}
           or payload -> 'data' ->> 'appointment_id' = ${appointmentId})
    order by id`;
}

export interface NotificationRow {
  id: string;
  user_id: string;
  type: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  is_read: boolean;
}

/** The notifications about one appointment, oldest first. */
export function notificationsAbout(appointmentId: string, sql: Tx = db) {
  return sql<NotificationRow[]>`
    select id, user_id, type::text, title, body, data, is_read from public.notifications
    where data ->> 'appointment_id' = ${appointmentId}
    order by created_at, id`;
}

/** Everything a booking may write, counted for a set of people: a refusal leaves it as it was. */
export async function footprint(userIds: string[]) {
  const [counts] = await db<
    { appointments: number; notifications: number; conversations: number; events: number }[]
  >`
    select
      (select count(*)::int from public.appointments
       where patient_id = any (${userIds}::uuid[]) or practitioner_id = any (${userIds}::uuid[]))
        as appointments,
      (select count(*)::int from public.notifications where user_id = any (${userIds}::uuid[]))
        as notifications,
      (select count(*)::int from public.conversations
       where patient_id = any (${userIds}::uuid[]) or practitioner_id = any (${userIds}::uuid[]))
        as conversations,
      (select count(*)::int from private.events where user_id = any (${userIds}::uuid[]))
        as events`;
  return counts;
}
