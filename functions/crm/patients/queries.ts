import type { Fragment, Tx } from '../../../shared/db/client.ts';
import { isoTimestamp } from '../../../shared/db/timestamps.ts';
import type { StoredTeudatZehut } from '../../../shared/health/teudat-zehut.ts';
import type { JsonText } from '../../../shared/http/json-text.ts';
import type {
  CreatePatient,
  PatientListItem,
  PatientListQuery,
  PatientPage,
  PatientRecord,
  PatientSearchQuery,
  UpdatePatient,
} from './schemas.ts';

export const PATIENT_RECORDS_TABLE = 'patient_records';

/** Whose sealed teudat zehut a record shows: the record's own, or the account's health profile. */
export interface SealedOf {
  id: string;
  owner: 'patient_record' | 'health_profile';
  owner_id: string;
  sealed: string;
}

/**
 * The record and the access-log row of this reading, in one statement (migrations
 * 20261202004300 and 20261202009200): nothing unless the record is the practitioner's, the
 * caller that practitioner or an admin acting for them, and, for a linked record, the two share
 * an appointment in person. The body comes with `teudat_zehut_masked` null; the sealed number
 * beside it, with its owner, is for the API to mask.
 */
export const openPatientRecord = (tx: Tx, practitionerId: string, recordId: string) =>
  tx<
    {
      body: JsonText<PatientRecord>;
      teudat_zehut_sealed: string | null;
      teudat_zehut_owner: SealedOf['owner'] | null;
      teudat_zehut_owner_id: string | null;
    }[]
  >`
    select body, teudat_zehut_sealed, teudat_zehut_owner, teudat_zehut_owner_id
    from app.open_patient_record(${practitionerId}, ${recordId})`;

/** One patient `v` of `practice_patients` as the lists show it, with `s` its appointments. */
const itemJson = (tx: Tx): Fragment =>
  tx`json_build_object(
    'id', v.id, 'auth_user_id', v.auth_user_id, 'status', v.status,
    'first_name', v.first_name, 'last_name', v.last_name, 'phone', v.phone, 'email', v.email,
    'city', v.city, 'date_of_birth', v.date_of_birth, 'sex', v.sex, 'avatar_url', v.avatar_url,
    'insurance_provider', v.insurance_provider,
    'is_incomplete', cardinality(v.missing_fields) > 0,
    'missing_fields', to_json(v.missing_fields),
    'has_teudat_zehut', v.has_teudat_zehut, 'teudat_zehut_masked', null, 'teudat_zehut', null,
    'appointments_count', s.appointments_count,
    'last_appointment', s.last_appointment,
    'created_at', ${isoTimestamp(tx, tx`v.created_at`)})`;

/** The appointments of record `v`: how many, and the latest (as the caller may read them). */
const appointmentsOf = (tx: Tx): Fragment =>
  tx`left join lateral (
    select count(*)::int as appointments_count,
           (array_agg(json_build_object('id', a.id, 'appointment_date', a.appointment_date,
                                        'start_time', a.start_time, 'end_time', a.end_time,
                                        'status', a.status)
                      order by a.starts_at desc, a.id desc))[1] as last_appointment
    from public.appointments a
    where a.patient_record_id = v.id
  ) s on true`;

/** The sealed numbers of the page's records `v`, for the API to mask. */
const sealedJson = (tx: Tx): Fragment =>
  tx`coalesce(json_agg(json_build_object('id', v.id, 'owner', v.teudat_zehut_owner,
                                         'owner_id', v.teudat_zehut_owner_id,
                                         'sealed', v.teudat_zehut_sealed))
              filter (where v.teudat_zehut_sealed is not null), '[]')`;

/** A phone number's digits as a person dials them in Israel (private.phone_digits). */
export function phoneDigits(text: string): string {
  const digits = text.replace(/\D/g, '');
  return digits.startsWith('972') ? `0${digits.slice(3)}` : digits;
}

/**
 * Records matching `q`: every word of it in the name or e-mail (private.search_normalize: any
 * case, no accents, Hebrew points ignored), or, for a search made of phone characters, its
 * digits in the phone's.
 */
function matching(tx: Tx, q: string | undefined): Fragment {
  if (q === undefined || q.trim() === '') return tx``;
  const digits = /^[+\d\s().-]+$/.test(q) ? phoneDigits(q) : '';
  return tx`and (
    (private.search_normalize(${q}) <> '' and not exists (
       select from unnest(string_to_array(private.search_normalize(${q}), ' ')) w
       where position(w in v.search_text) = 0))
    or (${digits} <> '' and position(${digits} in v.phone_digits) > 0))`;
}

/** The list's order: by name, then id; the id keeps pages stable. */
const order = (tx: Tx): Fragment =>
  tx`lower(v.last_name) nulls last, lower(v.first_name) nulls last, v.id`;

type PageRow = { page: JsonText<PatientPage>; sealed: SealedOf[] };

/**
 * A page of the practitioner's patients (their records) and how many match in all, with each
 * one's appointment count and latest appointment: one statement, handed back unsent.
 */
export function listPatients(tx: Tx, practitionerId: string, query: PatientListQuery) {
  const status = query.status !== undefined ? tx`and v.status = ${query.status}` : tx``;
  const incomplete = query.incomplete !== undefined
    ? tx`and (cardinality(v.missing_fields) > 0) = ${query.incomplete === 'true'}`
    : tx``;
  return tx<[PageRow]>`
    with matched as (
      select v.* from public.practice_patients v
      where v.practitioner_id = ${practitionerId} ${status} ${incomplete} ${matching(tx, query.q)}
    ),
    page as (
      select v.* from matched v order by ${order(tx)}
      limit ${query.limit} offset ${query.offset}
    )
    select json_build_object(
      'patients', coalesce((
        select json_agg(${itemJson(tx)} order by ${order(tx)})
        from page v ${appointmentsOf(tx)}), '[]'),
      'total', (select count(*) from matched)
    )::text as page,
    (select ${sealedJson(tx)} from page v) as sealed`;
}

/** `GET /crm/patients/search`: the first `limit` matches of at least 2 characters. */
export function searchPatients(tx: Tx, practitionerId: string, query: PatientSearchQuery) {
  const q = query.q.trim().length >= 2 ? query.q : undefined;
  return tx<[PageRow]>`
    with matched as (
      select v.* from public.practice_patients v
      where v.practitioner_id = ${practitionerId} and ${q !== undefined}
        ${matching(tx, q)}
    ),
    page as (select v.* from matched v order by ${order(tx)} limit ${query.limit})
    select json_build_object(
      'patients', coalesce((
        select json_agg(${itemJson(tx)} order by ${order(tx)})
        from page v ${appointmentsOf(tx)}), '[]'),
      'total', (select count(*) from matched)
    )::text as page,
    (select ${sealedJson(tx)} from page v) as sealed`;
}

/** One record of the practitioner as the lists show it; no row when they have none. */
export function readPatient(tx: Tx, practitionerId: string, id: string) {
  return tx<[{ item: JsonText<PatientListItem>; sealed: SealedOf[] }?]>`
    select ${itemJson(tx)}::text as item,
           case when v.teudat_zehut_sealed is null then '[]'::json
                else json_build_array(json_build_object(
                  'id', v.id, 'owner', v.teudat_zehut_owner,
                  'owner_id', v.teudat_zehut_owner_id, 'sealed', v.teudat_zehut_sealed)) end
             as sealed
    from public.practice_patients v ${appointmentsOf(tx)}
    where v.id = ${id} and v.practitioner_id = ${practitionerId}`;
}

/** A draft record of the practice (RLS: the practitioner acted for), as the caller. */
export async function insertDraft(
  tx: Tx,
  practitionerId: string,
  input: Pick<CreatePatient, 'first_name' | 'last_name' | 'phone'> & Partial<CreatePatient>,
): Promise<string> {
  const [{ id }] = await tx<[{ id: string }]>`
    insert into public.patient_records
      (practitioner_id, first_name, last_name, phone, email, city, sex, date_of_birth)
    values (${practitionerId}, ${input.first_name}, ${input.last_name}, ${input.phone ?? null},
            ${input.email ?? null}, ${input.city ?? null}, ${input.sex ?? null},
            ${input.date_of_birth ?? null})
    returning id`;
  return id;
}

/** Locks the practitioner's record for a change; false when they have none with this id. */
export async function lockRecord(tx: Tx, practitionerId: string, id: string): Promise<boolean> {
  const rows = await tx`
    select 1 from public.patient_records
    where id = ${id} and practitioner_id = ${practitionerId}
    for update`;
  return rows.length === 1;
}

/** The record's columns a PATCH writes: its fields, the teudat zehut sealed. */
export type RecordChanges = Partial<Omit<UpdatePatient, 'teudat_zehut'>> & {
  teudat_zehut_encrypted?: string | null;
  teudat_zehut_hash?: string | null;
};

export function recordChanges(
  input: UpdatePatient,
  sealed: StoredTeudatZehut | null | undefined,
): RecordChanges {
  const { teudat_zehut: _, ...fields } = input;
  const changes: RecordChanges = Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== undefined),
  );
  if (sealed !== undefined) {
    changes.teudat_zehut_encrypted = sealed?.encrypted ?? null;
    changes.teudat_zehut_hash = sealed?.hash ?? null;
  }
  return changes;
}

export async function updateRecord(
  tx: Tx,
  practitionerId: string,
  id: string,
  changes: RecordChanges,
): Promise<void> {
  await tx`
    update public.patient_records set ${tx(changes as Record<string, unknown>)}
    where id = ${id} and practitioner_id = ${practitionerId}`;
}
