import type { RouteHandler } from '@hono/zod-openapi';
import { maskTeudatZehut, openTeudatZehut } from '../../../shared/health/teudat-zehut.ts';
import type { AppEnv } from '../../../shared/http/env.ts';
import { notFound } from '../../../shared/http/errors.ts';
import { sendJsonText } from '../../../shared/http/json-text.ts';
import { forPractitioner } from '../acting.ts';
import { openPatientRecord } from './queries.ts';
import type * as routes from './routes.ts';
import type { PatientRecord } from './schemas.ts';

export const show: RouteHandler<typeof routes.getPatient, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const { practitioner_id } = c.req.valid('query');
  const record = await forPractitioner(c, practitioner_id, async (tx, acting) => {
    const [found] = await openPatientRecord(tx, acting.practitionerId, id);
    if (!found) return undefined;
    // Opened before the commit: a number that does not open takes the access-log row with it.
    const masked = found.teudat_zehut_sealed === null ? null : maskTeudatZehut(
      await openTeudatZehut({ kind: 'health_profile', id }, found.teudat_zehut_sealed),
    );
    return { body: found.body, masked };
  });
  // Another practitioner's patient, or nobody: the same answer.
  if (!record) throw notFound('We could not find this patient.');
  if (record.masked === null) return sendJsonText(c, record.body, 200);
  const body = JSON.parse(record.body) as PatientRecord;
  body.patient.teudat_zehut_masked = record.masked;
  return c.json(body, 200);
};
