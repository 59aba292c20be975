import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../../shared/http/env.ts';
import { notFound } from '../../../shared/http/errors.ts';
import { sendJsonText } from '../../../shared/http/json-text.ts';
import { forPractitioner } from '../acting.ts';
import { type AuditVerb, type CrmTable, writeFor } from '../write.ts';
import {
  APPOINTMENTS_TABLE,
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
