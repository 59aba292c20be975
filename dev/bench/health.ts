import { validTeudatZehut } from '../lib/teudat-zehut.ts';
import type postgres from 'postgres';
import { type HealthKeys, parseHealthKeys } from '../../shared/config.ts';
import { sealTeudatZehut } from '../../shared/health/teudat-zehut.ts';
import type { HealthKeyVariables } from '../lib/health-keys.ts';
import { type DevKeys, mintAccessToken } from '../lib/keys.ts';
import { ensureUser } from '../lib/users.ts';
import { BENCH_DOMAIN } from './data.ts';
import type { SignedInUser } from './fixtures.ts';
import type { Scenario } from './scenarios.ts';

/** The `health` group's load: each signed-in bench user has a health profile and this many conditions. */
export const CONDITIONS_PER_USER = 20;
/** The CRM's patients: each has this many appointments with one practitioner and these list rows. */
export const CRM_PATIENTS = 32;
export const CRM_PRACTITIONERS = 8;
export const APPOINTMENTS_PER_PATIENT = 30;
/** Conditions, medications, allergies and vaccinations: 5 each, 20 list rows. */
export const ROWS_PER_LIST = 5;

export interface HealthBench {
  users: SignedInUser[];
  /** Each CRM patient with the token of the practitioner they have appointments with. */
  /** `recordId`: the patient's record with the practitioner, what GET /crm/patients/:id names. */
  patients: Array<{ id: string; recordId: string; practitionerToken: string }>;
}

const FUNCTIONS = '/functions/v1';

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

/** A valid teudat zehut for the n-th bench person: 8 digits and their check digit. */
export const benchTeudatZehut = (n: number): string =>
  validTeudatZehut(String(30_000_000 + n * 7_919).padStart(8, '0').slice(-8));

/**
 * Health profiles with a teudat zehut for `ids`, sealed with this run's keys (the bench gateway
 * gets new keys each run, so the numbers are sealed again each run), and the other fields.
 */
async function sealProfiles(sql: postgres.Sql, ids: string[], keys: HealthKeys, first: number) {
  const rows = await Promise.all(ids.map(async (id, i) => {
    const sealed = await sealTeudatZehut(
      { kind: 'health_profile', id },
      benchTeudatZehut(first + i),
      keys,
    );
    return { id, encrypted: sealed.encrypted, hash: sealed.hash };
  }));
  await sql`
    insert into public.health_profiles
      (user_id, teudat_zehut_encrypted, teudat_zehut_hash, date_of_birth, sex, blood_type,
       kupat_holim, kupat_member_id, family_doctor_name, emergency_contact_name,
       emergency_contact_phone, insurance_provider)
    select r.id, r.encrypted, r.hash, date '1960-01-01' + ((r.n * 97) % 20000)::int, 'female', 'O+',
           'clalit', format('KM-%s', 100000 + r.n), 'Dr. Katz', 'Avi Cohen', '+972-50-1111111',
           'Harel'
    from unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.encrypted)}::text[],
                ${rows.map((r) => r.hash)}::text[]) with ordinality r(id, encrypted, hash, n)
    on conflict (user_id) do update set teudat_zehut_encrypted = excluded.teudat_zehut_encrypted,
                                        teudat_zehut_hash = excluded.teudat_zehut_hash`;
}

/** `count` rows of `table` for each of `ids` that has none yet; `fill` is the select list. */
async function fillList(
  sql: postgres.Sql,
  table: string,
  columns: string,
  select: string,
  ids: string[],
  count: number,
) {
  await sql.unsafe(
    `insert into public.${table} (user_id, ${columns}, created_at)
     select u.id, ${select}, now() - make_interval(days => k)
     from unnest($1::uuid[]) u(id)
     cross join generate_series(1, ${count}) k
     where not exists (select from public.${table} x where x.user_id = u.id)`,
    [ids],
  );
}

/**
 * The data of the `health` group, made once and kept (idempotent), except the sealed numbers:
 * the signed-in bench users' health profiles and conditions; CRM_PRACTITIONERS practitioners,
 * and CRM_PATIENTS patients, each with APPOINTMENTS_PER_PATIENT past appointments with one of
 * them, a health profile and 4 x ROWS_PER_LIST list rows. The patients' access log starts empty
 * each run, so it does not grow from run to run.
 */
export async function prepareHealthBench(
  sql: postgres.Sql,
  users: SignedInUser[],
  healthKeys: HealthKeyVariables,
  signingKeys: DevKeys,
  gatewayUrl: string,
): Promise<HealthBench> {
  const keys = parseHealthKeys(healthKeys);
  const userIds = users.map((u) => u.id);
  await sealProfiles(sql, userIds, keys, 0);
  await fillList(
    sql,
    'health_conditions',
    'name, severity, diagnosed_on, notes',
    `format('Condition %s', k), (array['mild', 'moderate', 'severe']::public.health_severity[])[1 + k % 3],
     date '2000-01-01' + k * 100, 'Followed by the family doctor'`,
    userIds,
    CONDITIONS_PER_USER,
  );

  const doctors: Array<{ id: string; token: string }> = [];
  for (let n = 1; n <= CRM_PRACTITIONERS; n++) {
    const email = `bench-health-doctor-${n}@${BENCH_DOMAIN}`;
    const id = await ensureUser(sql, {
      email,
      role: 'practitioner',
      firstName: 'Doctor',
      lastName: `Health ${n}`,
    });
    const token = await mintAccessToken(signingKeys, {
      sub: id,
      email,
      issuer: `${gatewayUrl}/auth/v1`,
    });
    doctors.push({ id, token });
  }
  const patients: HealthBench['patients'] = [];
  for (let n = 1; n <= CRM_PATIENTS; n++) {
    const id = await ensureUser(sql, {
      email: `bench-health-patient-${n}@${BENCH_DOMAIN}`,
      firstName: 'Patient',
      lastName: `Health ${n}`,
    });
    patients.push({
      id,
      recordId: '',
      practitionerToken: doctors[(n - 1) % CRM_PRACTITIONERS].token,
    });
  }
  const patientIds = patients.map((p) => p.id);
  const doctorOf = patientIds.map((_, i) => doctors[i % CRM_PRACTITIONERS].id);
  await sql`update public.profiles set phone = '+972-52-0000000', city = 'Haifa',
    date_of_birth = '1985-03-04', sex = 'male' where id = any(${patientIds}::uuid[])`;
  await sealProfiles(sql, patientIds, keys, CONDITIONS_PER_USER * 100);
  await fillList(
    sql,
    'health_conditions',
    'name, severity, diagnosed_on',
    `format('Condition %s', k), 'moderate', date '2010-01-01' + k * 30`,
    patientIds,
    ROWS_PER_LIST,
  );
  await fillList(
    sql,
    'health_medications',
    'name, dosage, frequency, started_on',
    `format('Medication %s', k), '500mg', 'twice a day', date '2015-01-01' + k * 30`,
    patientIds,
    ROWS_PER_LIST,
  );
  await fillList(
    sql,
    'health_allergies',
    'name, reaction, severity',
    `format('Allergy %s', k), 'Hives', 'severe'`,
    patientIds,
    ROWS_PER_LIST,
  );
  await fillList(
    sql,
    'health_vaccinations',
    'name, vaccinated_on, dose',
    `format('Vaccine %s', k), date '2020-01-01' + k * 30, 'booster'`,
    patientIds,
    ROWS_PER_LIST,
  );
  // Past and completed, each patient on days of their own: nothing overlaps.
  await sql`
    insert into public.appointments
      (patient_id, practitioner_id, appointment_date, start_time, end_time, status,
       practitioner_notes)
    select p.id, p.doctor, current_date - (1 + (p.n - 1) * ${APPOINTMENTS_PER_PATIENT} + k)::int,
           time '10:00', time '10:30', 'completed', format('Visit %s: all well.', k)
    from unnest(${patientIds}::uuid[], ${doctorOf}::uuid[]) with ordinality p(id, doctor, n)
    cross join generate_series(0, ${APPOINTMENTS_PER_PATIENT - 1}) k
    where not exists (
      select from public.appointments a where a.patient_id = p.id and a.practitioner_id = p.doctor
    )`;
  // The database made each patient's record with their practitioner on the first appointment.
  const records = await sql<{ auth_user_id: string; id: string }[]>`
    select auth_user_id, id from public.patient_records
    where auth_user_id = any(${patientIds}::uuid[])`;
  const recordOf = new Map(records.map((r) => [r.auth_user_id, r.id]));
  for (const p of patients) p.recordId = recordOf.get(p.id)!;
  await sql`delete from public.health_access_log where patient_id = any(${patientIds}::uuid[])`;
  await sql`analyze public.health_profiles, public.health_conditions, public.health_medications,
    public.health_allergies, public.health_vaccinations, public.appointments,
    public.health_access_log`;
  return { users, patients };
}

/** The routes of the `health` group, against the data of `prepareHealthBench`. */
export function healthScenarios({ users, patients }: HealthBench): Scenario[] {
  const signedIn = () => ({ authorization: `Bearer ${pick(users).token}` });
  // The issue states these targets as shares of the floor of the same run.
  const get = (name: string, target: number, path: string): Scenario => ({
    name,
    group: 'health',
    target,
    against: 'floor',
    method: 'GET',
    next: () => ({ path: `${FUNCTIONS}${path}`, headers: signedIn() }),
  });
  return [
    get('GET /health/profile (teudat zehut)', 0.6, '/health/profile'),
    get(`GET /health/conditions (${CONDITIONS_PER_USER} rows)`, 0.6, '/health/conditions'),
    {
      name: `GET /crm/patients/:id (${APPOINTMENTS_PER_PATIENT} appointments, ` +
        `${4 * ROWS_PER_LIST} list rows)`,
      group: 'health',
      target: 0.3,
      against: 'floor',
      method: 'GET',
      next: () => {
        const patient = pick(patients);
        return {
          path: `${FUNCTIONS}/crm/patients/${patient.recordId}`,
          headers: { authorization: `Bearer ${patient.practitionerToken}` },
        };
      },
    },
  ];
}
