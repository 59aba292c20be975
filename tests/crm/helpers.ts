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
