import { db } from './db.ts';
import type { TestUser } from './users.ts';

/** A completed appointment of `patient` with `practitionerId`, `daysAgo` in the past. */
export async function pastAppointment(
  patient: TestUser,
  practitionerId: string,
  options: { daysAgo?: number; status?: string; relativeId?: string } = {},
): Promise<string> {
  const [row] = await db<{ id: string }[]>`
    insert into public.appointments
      (patient_id, practitioner_id, relative_id, appointment_date, start_time, end_time, status)
    values (${patient.id}, ${practitionerId}, ${options.relativeId ?? null},
            current_date - ${options.daysAgo ?? 3}::int, '09:00', '09:30',
            ${options.status ?? 'completed'})
    returning id`;
  return row.id;
}
