import type { Tx } from '../../../shared/db/client.ts';
import { isoTimestamp } from '../../../shared/db/timestamps.ts';
import type { JsonText } from '../../../shared/http/json-text.ts';
import type {
  AppointmentListQuery,
  AppointmentStatus,
  CreateAppointment,
  CrmAppointment,
  CrmAppointmentPage,
} from './schemas.ts';

export const APPOINTMENTS_TABLE = 'appointments';

/**
 * One appointment as the CRM lists it, from a row `a` of `practice_appointments` (the view
 * that opens the patient's card and the relative's name to the practice) and its reason `r`.
 */
const appointmentJson = (tx: Tx) =>
  tx`json_build_object(
    'id', a.id,
    'appointment_date', a.appointment_date,
    'start_time', a.start_time,
    'end_time', a.end_time,
    'status', a.status,
    'profiles', a.patient,
    'appointment_reasons', case when r.id is not null then
      json_build_object('label', r.label, 'label_fr', r.label_fr, 'label_he', r.label_he) end,
    'relatives', a.relative,
    'patient_id', a.patient_id,
    'patient_record_id', a.patient_record_id,
    'patient_record', a.patient_record,
    'source', a.source,
    'visited_before', a.visited_before,
    'patient_address_line', a.patient_address_line,
    'patient_zip_code', a.patient_zip_code,
    'patient_city', a.patient_city,
    'practitioner_notes', a.practitioner_notes,
    'cancellation_reason', a.cancellation_reason,
    'reason_id', a.reason_id,
    'relative_id', a.relative_id,
    'confirmed_at', ${isoTimestamp(tx, tx`a.confirmed_at`)},
    'cancelled_at', ${isoTimestamp(tx, tx`a.cancelled_at`)},
    'completed_at', ${isoTimestamp(tx, tx`a.completed_at`)},
    'created_at', ${isoTimestamp(tx, tx`a.created_at`)}
  )`;

/** The list's order: by date, then start time; the id keeps pages stable. */
const listOrder = (tx: Tx) => tx`a.appointment_date, a.start_time, a.id`;

function filters(tx: Tx, query: AppointmentListQuery) {
  const { date, from, to, status } = query;
  const period = date !== undefined
    ? tx`and a.appointment_date = ${date}::date`
    : from !== undefined && to !== undefined
    ? tx`and a.appointment_date between ${from}::date and ${to}::date`
    : tx``;
  const inStatus = status !== undefined
    ? tx`and a.status = ${status}::public.appointment_status`
    : tx``;
  return tx`${period} ${inStatus}`;
}

/**
 * A page of the practitioner's appointments by date and start time, and how many match in all:
 * one statement, handed back unsent, whose JSON is built by PostgreSQL.
 */
export function listAppointments(tx: Tx, practitionerId: string, query: AppointmentListQuery) {
  return tx<[{ page: JsonText<CrmAppointmentPage> }]>`
    with matching as (
      select a.* from public.practice_appointments a
      where a.practitioner_id = ${practitionerId} ${filters(tx, query)}
    )
    select json_build_object(
      'appointments', coalesce((
        select json_agg(${appointmentJson(tx)} order by ${listOrder(tx)})
        from (
          select * from matching a order by ${listOrder(tx)}
          limit ${query.limit} offset ${query.offset}
        ) a
        left join public.appointment_reasons r on r.id = a.reason_id
      ), '[]'),
      'total', (select count(*) from matching)
    )::text as page`;
}

/** One appointment of the practitioner; no row when they have none with this id. */
export function readAppointment(tx: Tx, practitionerId: string, id: string) {
  return tx<[{ appointment: JsonText<CrmAppointment> }?]>`
    select ${appointmentJson(tx)}::text as appointment
    from public.practice_appointments a
    left join public.appointment_reasons r on r.id = a.reason_id
    where a.id = ${id} and a.practitioner_id = ${practitionerId}`;
}

/** What a step writes besides the status: the columns sent, `null` clearing one. */
export type StepFields = {
  cancellation_reason?: string | null;
  practitioner_notes?: string | null;
};

/**
 * One step of the lifecycle as one update: the database refuses an impossible one (SQLSTATE
 * DK409 with its reason), sets the step's timestamp and writes the notification and the events.
 * False when the practitioner has no appointment with this id.
 */
export async function stepAppointment(
  tx: Tx,
  practitionerId: string,
  id: string,
  status: AppointmentStatus,
  fields: StepFields,
): Promise<boolean> {
  const changes = { status, ...fields };
  const rows = await tx`
    update public.appointments set ${tx(changes)}
    where id = ${id} and practitioner_id = ${practitionerId}
    returning id`;
  return rows.length === 1;
}

/**
 * The practice's booking, as the caller: RLS admits a confirmed `dokal_crm` booking of the
 * practitioner acted for; the database takes the patient's account from the record, refuses a
 * record of another practice (DK404) and an overlap (the exclusion constraints), and tells a
 * patient who has an account (`appointment_created`).
 */
export async function insertPracticeBooking(
  tx: Tx,
  practitionerId: string,
  recordId: string,
  input: CreateAppointment,
): Promise<string> {
  const [{ id }] = await tx<[{ id: string }]>`
    insert into public.appointments
      (practitioner_id, patient_record_id, reason_id, appointment_date, start_time, end_time,
       visited_before, status, source, practitioner_notes)
    values (${practitionerId}, ${recordId}, ${input.reason_id ?? null}, ${input.appointment_date},
            ${input.start_time}, ${input.end_time}, ${input.visited_before ?? false},
            'confirmed', 'dokal_crm', ${input.notes ?? null})
    returning id`;
  return id;
}
