import { describe, expect, inject, it } from 'vitest';
import {
  APPOINTMENTS_PER_PATIENT,
  benchTeudatZehut,
  CONDITIONS_PER_USER,
  CRM_PATIENTS,
  healthScenarios,
  prepareHealthBench,
} from '../../dev/bench/health.ts';
import { GROUPS } from '../../dev/bench/scenarios.ts';
import { hasValidCheckDigit } from '../../shared/health/teudat-zehut.ts';
import { db } from '../helpers/db.ts';
import { call } from '../helpers/http.ts';
import { TEST_SUPABASE_URL } from '../setup.ts';
import { crmApp, healthApp, patient } from './helpers.ts';

describe('the health bench group', () => {
  it('is a group of its own, with the targets of the issue', () => {
    expect(GROUPS).toContain('health');
    const scenarios = healthScenarios({
      users: [{ id: crypto.randomUUID(), token: 't' }],
      patients: [{
        id: crypto.randomUUID(),
        recordId: crypto.randomUUID(),
        practitionerToken: 'p',
      }],
    });
    expect(scenarios.map((s) => [s.name, s.group, s.target, s.against])).toEqual([
      ['GET /health/profile (teudat zehut)', 'health', 0.6, 'floor'],
      ['GET /health/conditions (20 rows)', 'health', 0.6, 'floor'],
      ['GET /crm/patients/:id (30 appointments, 20 list rows)', 'health', 0.3, 'floor'],
    ]);
    expect(scenarios[2].next()).toEqual({
      path: expect.stringMatching(/^\/functions\/v1\/crm\/patients\/[0-9a-f-]{36}$/),
      headers: { authorization: 'Bearer p' },
    });
  });

  it('numbers its people with valid teudat zehut', () => {
    for (let n = 0; n < 3000; n += 7) expect(hasValidCheckDigit(benchTeudatZehut(n))).toBe(true);
  });

  it('makes the data the routes read, and makes it only once', async () => {
    const users = await Promise.all([patient(), patient()]);
    const healthKeys = {
      HEALTH_ENCRYPTION_KEYS: process.env.HEALTH_ENCRYPTION_KEYS!,
      HEALTH_HMAC_KEY: process.env.HEALTH_HMAC_KEY!,
    };
    const prepare = () =>
      prepareHealthBench(db, users, healthKeys, inject('keys'), TEST_SUPABASE_URL);
    const first = await prepare();
    const count = async () => {
      const [row] = await db`select
        (select count(*) from public.appointments
         where patient_id = any(${first.patients.map((p) => p.id)}::uuid[]))::int as appointments,
        (select count(*) from public.health_conditions
         where user_id = any(${users.map((u) => u.id)}::uuid[]))::int as conditions`;
      return row;
    };
    const counted = await count();
    expect(counted).toEqual({
      appointments: CRM_PATIENTS * APPOINTMENTS_PER_PATIENT,
      conditions: 2 * CONDITIONS_PER_USER,
    });

    const [user] = users;
    const profile = await call(healthApp, 'GET', '/health/profile', { token: user.token });
    expect(profile.body.teudat_zehut).toBe(benchTeudatZehut(0));
    const conditions = await call(healthApp, 'GET', '/health/conditions', { token: user.token });
    expect(conditions.body).toHaveLength(CONDITIONS_PER_USER);
    const [crmPatient] = first.patients;
    const record = await call(crmApp, 'GET', `/crm/patients/${crmPatient.recordId}`, {
      token: crmPatient.practitionerToken,
    });
    expect(record.status).toBe(200);
    expect(record.body.appointment_history).toHaveLength(APPOINTMENTS_PER_PATIENT);
    const listRows = ['conditions', 'medications', 'allergies', 'vaccinations']
      .reduce((n, list) => n + record.body[list].length, 0);
    expect(listRows).toBe(20);
    expect(record.body.patient.teudat_zehut_masked).toMatch(/^\*{5}\d{4}$/);

    // Again: nothing added, the access log of the bench patients emptied.
    await prepare();
    expect(await count()).toEqual(counted);
    const [{ n }] = await db`select count(*)::int as n from public.health_access_log
      where patient_id = any(${first.patients.map((p) => p.id)}::uuid[])`;
    expect(n).toBe(0);
  });
});
