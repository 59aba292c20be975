import { app as crmApp } from '../../functions/crm/app.ts';
import { app as healthApp } from '../../functions/health/app.ts';
import { db } from '../helpers/db.ts';
import { call, type CallOptions } from '../helpers/http.ts';
import { createUser, type TestUser } from '../helpers/users.ts';

export { crmApp, healthApp };

export const patient = (firstName = 'Noa') => createUser({ firstName, lastName: 'Cohen' });
export const practitioner = (lastName = 'Levi') =>
  createUser({ role: 'practitioner', firstName: 'Dana', lastName });
export const admin = () => createUser({ role: 'admin', firstName: 'Ada', lastName: 'Admin' });

/** Calls the health app as `user` (anonymous without one). */
export const health = (
  user: TestUser | undefined,
  method: string,
  path: string,
  options: CallOptions = {},
) => call(healthApp, method, `/health${path}`, { token: user?.token, ...options });

/**
 * The patient's record with the practitioner (what GET /crm/patients/:id names since the CRM's
 * patients are records, migration 20261202009100), or `patientId` itself when there is none: an
 * id of nobody then, answered as such.
 */
export async function recordOf(practitionerId: string, patientId: string): Promise<string> {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (!UUID.test(practitionerId) || !UUID.test(patientId)) return patientId;
  const [record] = await db<{ id: string }[]>`
    select id from public.patient_records
    where practitioner_id = ${practitionerId} and auth_user_id = ${patientId}`;
  return record?.id ?? patientId;
}

/**
 * GET /crm/patients/:id as `user`, acting for `forPractitioner` when given, for the patient
 * whose user id is `patientId` (their record with the practitioner acted for).
 */
export const crmPatient = async (
  user: TestUser | undefined,
  patientId: string,
  forPractitioner?: string,
) =>
  call(
    crmApp,
    'GET',
    `/crm/patients/${await recordOf(forPractitioner ?? user?.id ?? '', patientId)}${
      forPractitioner ? `?practitioner_id=${forPractitioner}` : ''
    }`,
    { token: user?.token },
  );

export { validTeudatZehut } from '../../dev/lib/teudat-zehut.ts';

let day = 0;

/**
 * A past appointment of `patient` with `practitioner`, in person or for one of the patient's
 * relatives, as the platform writes history (no booking rules for a system insert). Each on a
 * day of its own, so none overlap.
 */
export async function shareAppointment(
  doctor: TestUser,
  person: TestUser,
  options: { relativeId?: string; status?: string; notes?: string; daysAgo?: number } = {},
): Promise<string> {
  const daysAgo = options.daysAgo ?? 400 + (day++ % 3000);
  const [{ id }] = await db<{ id: string }[]>`
    insert into public.appointments
      (patient_id, practitioner_id, relative_id, appointment_date, start_time, end_time, status,
       practitioner_notes)
    values (${person.id}, ${doctor.id}, ${
    options.relativeId ?? null
  }, current_date - ${daysAgo}::int,
            '09:00', '09:30', ${options.status ?? 'completed'}, ${options.notes ?? null})
    returning id`;
  return id;
}

/**
 * Every row the health endpoints and the CRM view may have written for these users, as text, to
 * compare before and after a refused request (other test files write their own users' rows at the
 * same time, so whole-table counts would not do).
 */
export async function healthState(...users: TestUser[]): Promise<Record<string, string[]>> {
  const ids = users.map((u) => u.id);
  const rows = (query: Promise<{ row: string }[]>) => query.then((r) => r.map((x) => x.row));
  return {
    health_profiles: await rows(db`select t::text as row from public.health_profiles t
      where user_id = any(${ids}::uuid[]) order by 1`),
    health_conditions: await rows(db`select t::text as row from public.health_conditions t
      where user_id = any(${ids}::uuid[]) order by 1`),
    health_medications: await rows(db`select t::text as row from public.health_medications t
      where user_id = any(${ids}::uuid[]) order by 1`),
    health_allergies: await rows(db`select t::text as row from public.health_allergies t
      where user_id = any(${ids}::uuid[]) order by 1`),
    health_vaccinations: await rows(db`select t::text as row from public.health_vaccinations t
      where user_id = any(${ids}::uuid[]) order by 1`),
    health_access_log: await rows(db`select t::text as row from public.health_access_log t
      where patient_id = any(${ids}::uuid[]) or actor_id = any(${ids}::uuid[]) order by 1`),
    relatives: await rows(db`select t::text as row from public.relatives t
      where user_id = any(${ids}::uuid[]) order by 1`),
    audit_log: await rows(db`select t::text as row from public.audit_log t
      where actor_id = any(${ids}::uuid[]) order by 1`),
  };
}

export { refusedTokens } from '../shared/tokens.ts';
