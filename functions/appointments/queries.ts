import type { Fragment, Tx } from '../../shared/db/client.ts';
import { isoTimestamp } from '../../shared/db/timestamps.ts';
import type { JsonText } from '../../shared/http/json-text.ts';
import type { PatientAppointment } from '../../shared/schemas/appointment.ts';
import type { AppointmentDetail, Booking, PastQuery, Reschedule } from './schemas.ts';

/**
 * The key-value pairs of appointment `a` as its patient sees it, nested objects included, for a
 * `json_build_object` (json, not jsonb: the keys keep this order, `id` first).
 */
const appointmentFields = (tx: Tx): Fragment =>
  tx`'id', a.id, 'practitioner_id', a.practitioner_id, 'relative_id', a.relative_id,
     'reason_id', a.reason_id, 'appointment_date', a.appointment_date,
     'start_time', a.start_time, 'end_time', a.end_time, 'status', a.status, 'source', a.source,
     'visited_before', a.visited_before, 'patient_address_line', a.patient_address_line,
     'patient_zip_code', a.patient_zip_code, 'patient_city', a.patient_city,
     'cancellation_reason', a.cancellation_reason, 'practitioner_notes', a.practitioner_notes,
     'confirmed_at', ${isoTimestamp(tx, tx`a.confirmed_at`)},
     'cancelled_at', ${isoTimestamp(tx, tx`a.cancelled_at`)},
     'completed_at', ${isoTimestamp(tx, tx`a.completed_at`)},
     'created_at', ${isoTimestamp(tx, tx`a.created_at`)},
     'practitioners', json_build_object(
       'id', a.practitioner_id, 'address_line', pr.address_line, 'zip_code', pr.zip_code,
       'city', pr.city,
       'profiles', case when pp.id is not null then json_build_object(
         'first_name', pp.first_name, 'last_name', pp.last_name, 'avatar_url', pp.avatar_url) end,
       'specialties', case when s.id is not null then json_build_object(
         'name', s.name, 'name_fr', s.name_fr, 'name_he', s.name_he, 'name_en', s.name_en,
         'name_ru', s.name_ru, 'name_am', s.name_am, 'name_es', s.name_es) end),
     'appointment_reasons', case when r.id is not null then json_build_object(
       'label', r.label, 'label_fr', r.label_fr, 'label_he', r.label_he) end,
     'relatives', case when rel.id is not null then json_build_object(
       'id', rel.id, 'first_name', rel.first_name, 'last_name', rel.last_name) end`;

/**
 * What the object of appointment `a` is read from, as the caller: the directory's public names
 * (profiles are closed), the caller's own relatives. An inactive practitioner or a retired
 * reason the caller can no longer read leaves nulls, not a missing appointment.
 */
const appointmentSources = (tx: Tx): Fragment =>
  tx`from public.appointments a
     left join public.practitioners pr on pr.id = a.practitioner_id
     -- Lateral, so the id reaches into the security-barrier view: a plain join would read the
     -- whole directory before matching.
     left join lateral (
       select v.id, v.first_name, v.last_name, v.avatar_url
       from public.practitioner_public_profiles v where v.id = a.practitioner_id
     ) pp on true
     left join public.specialties s on s.id = pr.specialty_id
     left join public.appointment_reasons r on r.id = a.reason_id
     left join public.relatives rel on rel.id = a.relative_id`;

/** Live and not yet over: what the patient still has ahead of them. */
const ahead = (tx: Tx): Fragment => tx`a.status in ('pending', 'confirmed') and a.ends_at > now()`;

export function listUpcoming(tx: Tx, userId: string) {
  return tx<[{ appointments: JsonText<PatientAppointment[]> }]>`
    select coalesce(json_agg(json_build_object(${appointmentFields(tx)})
                             order by a.starts_at, a.id), '[]')::text as appointments
    ${appointmentSources(tx)}
    where a.patient_id = ${userId} and ${ahead(tx)}`;
}

export function listPast(tx: Tx, userId: string, { limit, offset }: PastQuery) {
  return tx<[{ appointments: JsonText<PatientAppointment[]> }]>`
    select coalesce(json_agg(page.item order by page.starts_at desc, page.id desc), '[]')::text
             as appointments
    from (
      select json_build_object(${appointmentFields(tx)}) as item, a.starts_at, a.id
      ${appointmentSources(tx)}
      where a.patient_id = ${userId} and not (${ahead(tx)})
      order by a.starts_at desc, a.id desc
      limit ${limit} offset ${offset}
    ) page`;
}

/** One of the patient's appointments with the practitioner's active instructions. */
export function readDetail(tx: Tx, userId: string, id: string) {
  return tx<[{ appointment: JsonText<AppointmentDetail> }?]>`
    select json_build_object(${appointmentFields(tx)},
      'instructions', coalesce((
        select json_agg(json_build_object('id', i.id, 'title', i.title, 'content', i.content,
                                          'sort_order', i.sort_order)
                        order by i.sort_order, i.created_at)
        from public.appointment_instructions i
        where i.practitioner_id = a.practitioner_id and i.is_active
      ), '[]'::json),
      'appointment_questionnaires', null)::text as appointment
    ${appointmentSources(tx)}
    where a.id = ${id} and a.patient_id = ${userId}`;
}

/**
 * The booking, as the patient: RLS admits only their own pending app booking, and the
 * database's rules (migration 20261202000400) refuse anything but a free slot, in words the
 * error handler passes on.
 */
export async function insertBooking(
  tx: Tx,
  userId: string,
  input: Booking,
  idempotencyKey: string | undefined,
): Promise<string> {
  const [{ id }] = await tx<[{ id: string }]>`
    insert into public.appointments
      (patient_id, practitioner_id, relative_id, reason_id, appointment_date, start_time,
       end_time, visited_before, patient_address_line, patient_zip_code, patient_city,
       idempotency_key)
    values (${userId}, ${input.practitioner_id}, ${input.relative_id ?? null},
            ${input.reason_id ?? null}, ${input.appointment_date}, ${input.start_time},
            ${input.end_time}, ${input.visited_before ?? false},
            ${input.patient_address_line ?? null}, ${input.patient_zip_code ?? null},
            ${input.patient_city ?? null}, ${idempotencyKey ?? null})
    returning id`;
  return id;
}

/** The patient's booking made under this key, and whether it was a booking of the same slot. */
export function findByIdempotencyKey(tx: Tx, userId: string, key: string, input: Booking) {
  return tx<[{ id: string; same: boolean }?]>`
    select id,
           (practitioner_id, appointment_date, start_time, end_time, relative_id)
             is not distinct from
           (${input.practitioner_id}::uuid, ${input.appointment_date}::date,
            ${input.start_time}::time, ${input.end_time}::time, ${input.relative_id ?? null}::uuid)
             as same
    from public.appointments
    where patient_id = ${userId} and idempotency_key = ${key}`;
}

/** The patient's cancellation; the status machine refuses it once started or already over. */
export function cancelAsPatient(tx: Tx, userId: string, id: string, reason: string | null) {
  return tx<{ id: string }[]>`
    update public.appointments
    set status = 'cancelled_by_patient', cancellation_reason = ${reason}
    where id = ${id} and patient_id = ${userId}
    returning id`;
}

/**
 * The patient's move to another slot, one update: the database judges it (migration
 * 20261202009300: the patient's own live appointment not yet started, a free slot of the same
 * practitioner, back to pending), the exclusion constraints decide a race for the slot, and the
 * triggers tell the practitioner. No row when the appointment is not the caller's.
 */
export function moveAsPatient(tx: Tx, userId: string, id: string, slot: Reschedule) {
  return tx<{ id: string }[]>`
    update public.appointments
    set appointment_date = ${slot.appointment_date}, start_time = ${slot.start_time},
        end_time = ${slot.end_time}, status = 'pending'
    where id = ${id} and patient_id = ${userId}
    returning id`;
}

/**
 * Whether the appointment is the caller's (no row when not) and its alert is on: the alert
 * exists and the appointment is live and ahead.
 */
export function readEarlierAlert(tx: Tx, userId: string, id: string) {
  return tx<[{ enabled: boolean }?]>`
    select exists (select from public.earlier_slot_alerts e where e.appointment_id = a.id)
             and ${ahead(tx)} as enabled
    from public.appointments a
    where a.id = ${id} and a.patient_id = ${userId}`;
}

/**
 * Turns the alert on (the database refuses it for an appointment not live or over, DK400, or
 * not the caller's, DK404) or off, then reads it back: one statement.
 */
export function writeEarlierAlert(tx: Tx, userId: string, id: string, enabled: boolean) {
  const write = enabled
    ? tx`insert into public.earlier_slot_alerts (appointment_id) values (${id})
         on conflict (appointment_id) do nothing`
    : tx`delete from public.earlier_slot_alerts where appointment_id = ${id}
         and patient_id = ${userId}`;
  return tx<[{ enabled: boolean }?]>`
    with written as (${write})
    select ${enabled} and ${ahead(tx)} as enabled
    from public.appointments a
    where a.id = ${id} and a.patient_id = ${userId}`;
}
