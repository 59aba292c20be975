import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { recordAudit } from '../../../shared/audit.ts';
import type { AppEnv } from '../../../shared/http/env.ts';
import { notFound, validationFailed } from '../../../shared/http/errors.ts';
import { sendJsonText } from '../../../shared/http/json-text.ts';
import { forPractitioner } from '../acting.ts';
import { type AuditVerb, type CrmTable, writeFor } from '../write.ts';
import { patientRecords } from '../patients/handlers.ts';
import { insertDraft } from '../patients/queries.ts';
import {
  APPOINTMENTS_TABLE,
  insertPracticeBooking,
  listAppointments,
  readAppointment,
  stepAppointment,
  type StepFields,
} from './queries.ts';
import type * as routes from './routes.ts';
import type { AppointmentStatus } from './schemas.ts';

const appointments: CrmTable = {
  table: APPOINTMENTS_TABLE,
  resource: 'appointment',
  missing: 'We could not find this appointment.',
};

export const list: RouteHandler<typeof routes.listAppointments, AppEnv> = async (c) => {
  const query = c.req.valid('query');
  const [{ page }] = await forPractitioner(
    c,
    query.practitioner_id,
    (tx, a) => listAppointments(tx, a.practitionerId, query),
  );
  return sendJsonText(c, page, 200);
};

export const show: RouteHandler<typeof routes.getAppointment, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const { id } = c.req.valid('param');
  const [found] = await forPractitioner(
    c,
    practitioner_id,
    (tx, a) => readAppointment(tx, a.practitionerId, id),
  );
  if (!found) throw notFound(appointments.missing);
  return sendJsonText(c, found.appointment, 200);
};

/**
 * Takes one step for the practitioner: the update (which the database refuses when the step
 * is impossible now) and its audit row (`appointment.<verb>`, the columns written).
 */
async function takeStep(
  c: Context<AppEnv>,
  requested: string | undefined,
  id: string,
  verb: AuditVerb,
  status: AppointmentStatus,
  sent: StepFields = {},
): Promise<Response> {
  const fields = Object.fromEntries(Object.entries(sent).filter(([, v]) => v !== undefined));
  await writeFor(c, requested, appointments, async (tx, acting) => {
    if (!(await stepAppointment(tx, acting.practitionerId, id, status, fields))) {
      throw notFound(appointments.missing);
    }
    return {
      result: undefined,
      audit: { verb, entityId: id, fields: ['status', ...Object.keys(fields)] },
    };
  });
  return c.body(null, 204);
}

export const confirm: RouteHandler<typeof routes.confirmAppointment, AppEnv> = (c) =>
  takeStep(
    c,
    c.req.valid('query').practitioner_id,
    c.req.valid('param').id,
    'confirm',
    'confirmed',
  );

export const cancel: RouteHandler<typeof routes.cancelAppointment, AppEnv> = (c) =>
  takeStep(
    c,
    c.req.valid('query').practitioner_id,
    c.req.valid('param').id,
    'cancel',
    'cancelled_by_practitioner',
    { cancellation_reason: c.req.valid('json').cancellation_reason },
  );

export const complete: RouteHandler<typeof routes.completeAppointment, AppEnv> = (c) =>
  takeStep(
    c,
    c.req.valid('query').practitioner_id,
    c.req.valid('param').id,
    'complete',
    'completed',
    { practitioner_notes: c.req.valid('json').practitioner_notes },
  );

export const noShow: RouteHandler<typeof routes.markNoShow, AppEnv> = (c) =>
  takeStep(c, c.req.valid('query').practitioner_id, c.req.valid('param').id, 'no_show', 'no_show');

export const create: RouteHandler<typeof routes.createAppointment, AppEnv> = async (c) => {
  const query = c.req.valid('query');
  const input = c.req.valid('json');
  const named = [query.practitioner_id, input.practitioner_id]
    .filter((v) => v !== undefined)
    .map((v) => v!.toLowerCase());
  if (new Set(named).size > 1) {
    throw validationFailed(
      { practitioner_id: ['Name the same practitioner in the query and the body.'] },
      'Please choose one practitioner to book with.',
    );
  }
  const booked = await writeFor(c, named[0], appointments, async (tx, acting) => {
    let recordId = input.patient_record_id;
    if (recordId === undefined) {
      const walkIn = input.patient!;
      recordId = await insertDraft(tx, acting.practitionerId, walkIn);
      await recordAudit(tx, {
        actorId: acting.actorId,
        action: `${patientRecords.resource}.create`,
        entity: patientRecords.table,
        entityId: recordId,
        details: {
          practitioner_id: acting.practitionerId,
          fields: ['first_name', 'last_name', 'phone'],
        },
      });
    }
    const id = await insertPracticeBooking(tx, acting.practitionerId, recordId, input);
    const [found] = await readAppointment(tx, acting.practitionerId, id);
    const fields = Object.keys(input).filter((k) =>
      k !== 'practitioner_id' && k !== 'patient' && input[k as keyof typeof input] != null
    );
    return {
      result: found!.appointment,
      audit: {
        verb: 'create',
        entityId: id,
        fields: [...new Set(['patient_record_id', ...fields])],
      },
    };
  });
  return sendJsonText(c, booked, 201);
};
