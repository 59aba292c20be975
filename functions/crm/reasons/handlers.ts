import type { RouteHandler } from '@hono/zod-openapi';
import type { AppEnv } from '../../../shared/http/env.ts';
import { forbidden } from '../../../shared/http/errors.ts';
import { forPractitioner } from '../acting.ts';
import { createFor, type CrmTable, type Patchable, patchFor } from '../write.ts';
import { insertReason, listReasons, lockReason, REASONS_TABLE, updateReason } from './queries.ts';
import type * as routes from './routes.ts';
import type { AppointmentReason, ReasonChanges } from './schemas.ts';

const reasons: CrmTable = {
  table: REASONS_TABLE,
  resource: 'reason',
  missing: 'We could not find this consultation reason.',
};

const reasonPatch: Patchable<AppointmentReason, ReasonChanges> = {
  target: reasons,
  lock: lockReason,
  update: updateReason,
  check(merged, _changes, acting) {
    if (merged.practitioner_id === null && !acting.isAdmin) {
      throw forbidden('Only an administrator can change a reason shared by all practitioners.');
    }
  },
};

export const list: RouteHandler<typeof routes.listReasons, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  return c.json(
    await forPractitioner(c, practitioner_id, (tx, a) => listReasons(tx, a.practitionerId)),
    200,
  );
};

export const create: RouteHandler<typeof routes.createReason, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const input = c.req.valid('json');
  const row = await createFor(c, practitioner_id, reasons, (tx, p) => insertReason(tx, p, input));
  return c.json(row, 201);
};

export const update: RouteHandler<typeof routes.updateReason, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const { id } = c.req.valid('param');
  return c.json(await patchFor(c, practitioner_id, id, reasonPatch, c.req.valid('json')), 200);
};
