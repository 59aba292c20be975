import type { RouteHandler } from '@hono/zod-openapi';
import type { AppEnv } from '../../../shared/http/env.ts';
import { forbidden, notFound } from '../../../shared/http/errors.ts';
import { auditWrite, forPractitioner } from '../acting-practitioner.ts';
import { sentFields } from '../sent-fields.ts';
import { findReason, insertReason, listReasons, REASONS_TABLE, updateReason } from './queries.ts';
import type * as routes from './routes.ts';

const missing = () => notFound('We could not find this consultation reason.');

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
  const row = await forPractitioner(c, practitioner_id, async (tx, acting) => {
    const added = await insertReason(tx, acting.practitionerId, input);
    await auditWrite(tx, acting, {
      action: 'reason.create',
      entity: REASONS_TABLE,
      entityId: added.id,
    });
    return added;
  });
  return c.json(row, 201);
};

export const update: RouteHandler<typeof routes.updateReason, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const { id } = c.req.valid('param');
  const changes = c.req.valid('json');
  const columns = sentFields(changes);
  const row = await forPractitioner(c, practitioner_id, async (tx, acting) => {
    const stored = await findReason(tx, acting.practitionerId, id);
    if (!stored) throw missing();
    if (stored.practitioner_id === null && !acting.isAdmin) {
      throw forbidden('Only an administrator can change a reason shared by all practitioners.');
    }
    if (columns.length === 0) return stored;
    const changed = await updateReason(tx, acting.practitionerId, id, changes, columns);
    if (!changed) throw missing();
    await auditWrite(tx, acting, {
      action: 'reason.update',
      entity: REASONS_TABLE,
      entityId: id,
      fields: columns,
    });
    return changed;
  });
  return c.json(row, 200);
};
