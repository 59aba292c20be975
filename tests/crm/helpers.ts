import { app } from '../../functions/crm/app.ts';
import { db } from '../helpers/db.ts';
import { call, type CallOptions } from '../helpers/http.ts';
import { createUser, type TestUser } from '../helpers/users.ts';

export { app };

export const practitioner = () =>
  createUser({ role: 'practitioner', firstName: 'Dana', lastName: 'Levi' });
export const admin = () => createUser({ role: 'admin', firstName: 'Ada', lastName: 'Admin' });
export const patient = () => createUser({ role: 'patient', firstName: 'Noa', lastName: 'Cohen' });

/** Calls the CRM app as `user`. */
export const crm = (
  user: TestUser | undefined,
  method: string,
  path: string,
  options: CallOptions = {},
) => call(app, method, `/crm${path}`, { token: user?.token, ...options });

/** The audit rows written by one actor, oldest first. */
export function auditOf(actorId: string) {
  return db<
    { action: string; entity: string; entity_id: string | null; details: Record<string, unknown> }[]
  >`
    select action, entity, entity_id, details from public.audit_log
    where actor_id = ${actorId} order by id`;
}

/** Every table a CRM write may touch, for "nothing changed" snapshots. */
export const CRM_TABLES = [
  'public.practitioner_weekly_schedule',
  'public.practitioner_schedule_overrides',
  'public.appointment_reasons',
  'public.appointment_instructions',
  'public.audit_log',
];

export type AppointmentStatus =
  | 'pending'
  | 'confirmed'
  | 'cancelled_by_patient'
  | 'cancelled_by_practitioner'
  | 'completed'
  | 'no_show';

export interface AppointmentFixture {
  practitionerId: string;
  patientId: string;
  date: string;
  start: string;
  end: string;
  status?: AppointmentStatus;
  relativeId?: string | null;
  reasonId?: string | null;
  source?: 'dokal_app' | 'dokal_crm';
}

/**
 * An appointment inserted as the superuser: no booking rules (any date, past ones too, any
 * status), but the database's constraints and triggers still apply, so one practitioner's and
 * one person's live appointments must not overlap.
 */
export async function insertAppointment(f: AppointmentFixture): Promise<string> {
  const [{ id }] = await db<{ id: string }[]>`
    insert into public.appointments
      (practitioner_id, patient_id, relative_id, reason_id, appointment_date, start_time, end_time,
       status, source)
    values (${f.practitionerId}, ${f.patientId}, ${f.relativeId ?? null}, ${f.reasonId ?? null},
            ${f.date}, ${f.start}, ${f.end}, ${f.status ?? 'pending'}, ${f.source ?? 'dokal_app'})
    returning id`;
  return id;
}

/**
 * Rows that concern these users in the tables an appointment step writes: their appointments,
 * notifications, events and the audit rows they wrote. Scoped to the users so that test files
 * running at the same time do not disturb a "nothing was written" comparison.
 */
export async function footprint(userIds: string[]) {
  const [counts] = await db<Record<string, number>[]>`
    select
      (select count(*)::int from public.appointments
        where patient_id = any (${userIds}::uuid[]) or practitioner_id = any (${userIds}::uuid[]))
        as appointments,
      (select count(*)::int from public.notifications where user_id = any (${userIds}::uuid[]))
        as notifications,
      (select count(*)::int from private.events where user_id = any (${userIds}::uuid[])) as events,
      (select count(*)::int from public.audit_log where actor_id = any (${userIds}::uuid[]))
        as audit_log,
      (select coalesce(max(updated_at)::text, '') from public.appointments
        where patient_id = any (${userIds}::uuid[]) or practitioner_id = any (${userIds}::uuid[]))
        as last_update`;
  return { ...counts };
}
