import type { Tx } from '../../shared/db/client.ts';
import { isoTimestamp } from '../../shared/db/timestamps.ts';
import type { StoredTeudatZehut } from '../../shared/health/teudat-zehut.ts';
import type { JsonText } from '../../shared/http/json-text.ts';
import type {
  HealthAllergy,
  HealthCondition,
  HealthMedication,
  HealthProfile,
  HealthVaccination,
} from '../../shared/schemas/health.ts';
import {
  type AccessLogEntry,
  COLUMNS_OF,
  type HealthList,
  type HealthProfileInput,
  type NewListRow,
} from './schemas.ts';

/** A health profile as stored: the teudat zehut still sealed. */
export type StoredHealthProfile = Omit<HealthProfile, 'teudat_zehut'> & {
  teudat_zehut_encrypted: string | null;
};

const profileColumns = (tx: Tx) =>
  tx`user_id, teudat_zehut_encrypted, date_of_birth, sex, blood_type, kupat_holim,
     kupat_member_id, family_doctor_name, emergency_contact_name, emergency_contact_phone,
     insurance_provider, ${isoTimestamp(tx, tx`updated_at`)} as updated_at`;

/**
 * Read as a row, not as JSON: the teudat zehut is opened by the API, which holds the key. One
 * statement, handed back unsent.
 */
export const readHealthProfile = (tx: Tx, userId: string) =>
  tx<StoredHealthProfile[]>`
    select ${profileColumns(tx)} from public.health_profiles where user_id = ${userId}`;

/** Creates or replaces the whole profile: what was not sent is null. One statement, unsent. */
export function replaceHealthProfile(
  tx: Tx,
  userId: string,
  input: HealthProfileInput,
  teudatZehut: StoredTeudatZehut | null,
) {
  const row = {
    user_id: userId,
    teudat_zehut_encrypted: teudatZehut?.encrypted ?? null,
    teudat_zehut_hash: teudatZehut?.hash ?? null,
    date_of_birth: input.date_of_birth ?? null,
    sex: input.sex ?? null,
    blood_type: input.blood_type ?? null,
    kupat_holim: input.kupat_holim ?? null,
    kupat_member_id: input.kupat_member_id ?? null,
    family_doctor_name: input.family_doctor_name ?? null,
    emergency_contact_name: input.emergency_contact_name ?? null,
    emergency_contact_phone: input.emergency_contact_phone ?? null,
    insurance_provider: input.insurance_provider ?? null,
  };
  return tx<StoredHealthProfile[]>`
    insert into public.health_profiles ${tx(row)}
    on conflict (user_id) do update set
      teudat_zehut_encrypted = excluded.teudat_zehut_encrypted,
      teudat_zehut_hash = excluded.teudat_zehut_hash,
      date_of_birth = excluded.date_of_birth, sex = excluded.sex,
      blood_type = excluded.blood_type, kupat_holim = excluded.kupat_holim,
      kupat_member_id = excluded.kupat_member_id,
      family_doctor_name = excluded.family_doctor_name,
      emergency_contact_name = excluded.emergency_contact_name,
      emergency_contact_phone = excluded.emergency_contact_phone,
      insurance_provider = excluded.insurance_provider
    returning ${profileColumns(tx)}`;
}

/** What each list holds and how its rows are returned. */
export interface RowOf {
  conditions: HealthCondition;
  medications: HealthMedication;
  allergies: HealthAllergy;
  vaccinations: HealthVaccination;
}

/** The table of each list, in schema public. */
const TABLE_OF: Record<HealthList, string> = {
  conditions: 'health_conditions',
  medications: 'health_medications',
  allergies: 'health_allergies',
  vaccinations: 'health_vaccinations',
};

const table = (tx: Tx, list: HealthList) => tx(`public.${TABLE_OF[list]}`);

/**
 * The list, newest first, as JSON built by PostgreSQL (each row by private.health_row_json, the
 * shape the CRM shows too). The owner filter stays though RLS applies: a practitioner's policy
 * must not bring a patient's rows into the practitioner's own list. One statement, unsent.
 */
export const listRows = (tx: Tx, list: HealthList, userId: string) =>
  tx<[{ rows: JsonText<RowOf[HealthList][]> }]>`
    select coalesce(json_agg(private.health_row_json(x) order by x.created_at desc, x.id desc),
                    '[]')::text as rows
    from ${table(tx, list)} x
    where x.user_id = ${userId}`;

/** Adds a row with the list's own fields only. One statement, unsent. */
export function insertRow(tx: Tx, list: HealthList, userId: string, input: NewListRow) {
  const row = Object.fromEntries([
    ['user_id', userId],
    ...COLUMNS_OF[list].map((column) => [column, input[column] ?? null]),
  ]);
  // No alias for the table: the driver's insert helper must follow `insert into <table>`. The
  // new row is named by its table.
  return tx<[{ row: JsonText<RowOf[HealthList]> }]>`
    insert into ${table(tx, list)} ${tx(row)}
    returning private.health_row_json(${tx(TABLE_OF[list])})::text as row`;
}

/** Nothing when the row does not exist or is someone else's: the caller cannot tell. */
export const deleteRow = (tx: Tx, list: HealthList, userId: string, id: string) =>
  tx<{ id: string }[]>`
    delete from ${table(tx, list)} where id = ${id} and user_id = ${userId} returning id`;

/** My access log, newest first, at most 100 entries. One statement, unsent. */
export const readAccessLog = (tx: Tx, userId: string) =>
  tx<[{ entries: JsonText<AccessLogEntry[]> }]>`
    select coalesce(json_agg(json_build_object(
             'id', e.id, 'accessed_at', ${isoTimestamp(tx, tx`e.created_at`)},
             'actor', e.actor, 'practitioner', e.practitioner, 'opened', e.opened)
           order by e.created_at desc, e.id desc), '[]')::text as entries
    from (
      select * from public.health_access_log_entries l
      where l.patient_id = ${userId}
      order by l.created_at desc, l.id desc
      limit 100
    ) e`;
