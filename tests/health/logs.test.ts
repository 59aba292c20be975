import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { app as relativesApp } from '../../functions/relatives/app.ts';
import { call } from '../helpers/http.ts';
import { crmPatient, health, patient, practitioner, shareAppointment } from './helpers.ts';

// Every log line, the request log included, at the most talkative level.
vi.hoisted(() => {
  process.env.LOG_LEVEL = 'debug';
});

/** What must never reach a log line. */
const SECRETS = {
  teudatZehut: '332796184',
  written: '3327-96184',
  relativeTeudatZehut: '039337423',
  wrongTeudatZehut: '332796185',
  condition: 'Xeroderma-pigmentosum-7f3a',
  conditionNotes: 'Diagnosed-at-Hadassah-91c2',
  medication: 'Zolgensma-44b1',
  dosage: '777mg-nightly',
  allergy: 'Peanut-anaphylaxis-5e0d',
  reaction: 'Throat-swelling-a8f2',
  vaccination: 'Yellow-fever-c3d9',
  doctor: 'Dr-Shapiro-0e6b',
  emergencyContact: 'Rivka-Golan-2d77',
  phone: '+972-54-7770001',
  memberId: 'KM-998877',
};

let lines: string[];

beforeEach(() => {
  lines = [];
  const keep = (...args: unknown[]) => {
    lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  };
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    vi.spyOn(console, method).mockImplementation(keep);
  }
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
      lines.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('logs during a full health workflow', () => {
  it('hold no teudat zehut and no condition, medication or allergy', async () => {
    const noa = await patient();
    const doctor = await practitioner();
    await shareAppointment(doctor, noa);

    const steps: Array<[string, Promise<{ status: number }>, number]> = [];
    const step = async (what: string, request: Promise<{ status: number }>, status: number) => {
      const res = await request;
      expect(res.status, what).toBe(status);
      steps.push([what, request, status]);
    };

    await step(
      'PUT /health/profile',
      health(noa, 'PUT', '/profile', {
        json: {
          teudat_zehut: SECRETS.written,
          blood_type: 'AB-',
          kupat_holim: 'Clalit',
          kupat_member_id: SECRETS.memberId,
          family_doctor_name: SECRETS.doctor,
          emergency_contact_name: SECRETS.emergencyContact,
          emergency_contact_phone: SECRETS.phone,
        },
      }),
      200,
    );
    await step('GET /health/profile', health(noa, 'GET', '/profile'), 200);
    await step(
      'POST /health/conditions',
      health(noa, 'POST', '/conditions', {
        json: { name: SECRETS.condition, severity: 'severe', notes: SECRETS.conditionNotes },
      }),
      201,
    );
    await step(
      'POST /health/medications',
      health(noa, 'POST', '/medications', {
        json: { name: SECRETS.medication, dosage: SECRETS.dosage },
      }),
      201,
    );
    await step(
      'POST /health/allergies',
      health(noa, 'POST', '/allergies', {
        json: { name: SECRETS.allergy, reaction: SECRETS.reaction },
      }),
      201,
    );
    await step(
      'POST /health/vaccinations',
      health(noa, 'POST', '/vaccinations', { json: { name: SECRETS.vaccination } }),
      201,
    );
    for (const list of ['conditions', 'medications', 'allergies', 'vaccinations']) {
      await step(`GET /health/${list}`, health(noa, 'GET', `/${list}`), 200);
    }
    await step('GET /crm/patients/:id', crmPatient(doctor, noa.id), 200);
    await step('GET /health/access-log', health(noa, 'GET', '/access-log'), 200);
    await step(
      'POST /relatives',
      call(relativesApp, 'POST', '/relatives', {
        token: noa.token,
        json: {
          first_name: 'Tom',
          last_name: 'Cohen',
          relation: 'child',
          teudat_zehut: SECRETS.relativeTeudatZehut,
        },
      }),
      201,
    );
    await step(
      'GET /relatives',
      call(relativesApp, 'GET', '/relatives', { token: noa.token }),
      200,
    );
    // Refusals log too: a wrong check digit, a field of another list, a duplicate delete.
    await step(
      'PUT /health/profile with a wrong check digit',
      health(noa, 'PUT', '/profile', { json: { teudat_zehut: SECRETS.wrongTeudatZehut } }),
      400,
    );
    await step(
      'POST /health/conditions with a dosage',
      health(noa, 'POST', '/conditions', {
        json: { name: SECRETS.condition, dosage: SECRETS.dosage },
      }),
      400,
    );
    await step(
      'GET /crm/patients/:id for another practitioner',
      crmPatient(await practitioner(), noa.id),
      404,
    );

    // The request log did run: one line per request, the route but never a body.
    const requests = lines.filter((l) => l.includes('"event":"request"'));
    expect(requests.length).toBeGreaterThanOrEqual(steps.length);
    expect(requests.some((l) => l.includes('"route":"/crm/patients/:id"'))).toBe(true);

    const everything = lines.join('\n');
    for (const [what, value] of Object.entries(SECRETS)) {
      expect(everything, what).not.toContain(value);
    }
    // Nor the digits of a teudat zehut in any other form.
    expect(everything).not.toMatch(/3327\D?96184|039337423|39337423/);
  });
});
