import type { Tx } from '../../../shared/db/client.ts';
import type { DashboardStats } from './schemas.ts';

/**
 * The practitioner's appointments of the period (dates included) counted by status, in one
 * statement handed back unsent; the two cancelled statuses count as one (client-compat).
 */
export function countByStatus(tx: Tx, practitionerId: string, from: string, to: string) {
  return tx<[DashboardStats]>`
    select count(*) filter (where a.status = 'pending')::int as pending,
           count(*) filter (where a.status = 'confirmed')::int as confirmed,
           count(*) filter (
             where a.status in ('cancelled_by_patient', 'cancelled_by_practitioner')
           )::int as cancelled,
           count(*) filter (where a.status = 'completed')::int as completed,
           count(*) filter (where a.status = 'no_show')::int as no_show
    from public.appointments a
    where a.practitioner_id = ${practitionerId}
      and a.appointment_date between ${from}::date and ${to}::date`;
}
