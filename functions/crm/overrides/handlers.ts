import type { RouteHandler } from '@hono/zod-openapi';
import type { AppEnv } from '../../../shared/http/env.ts';
import { notFound } from '../../../shared/http/errors.ts';
import { auditWrite, forPractitioner } from '../acting-practitioner.ts';
import { deleteOverride, listOverrides, OVERRIDES_TABLE, upsertOverride } from './queries.ts';
import type * as routes from './routes.ts';

export const list: RouteHandler<typeof routes.listOverrides, AppEnv> = async (c) => {
  const { practitioner_id, ...period } = c.req.valid('query');
  const rows = await forPractitioner(
    c,
    practitioner_id,
    (tx, a) => listOverrides(tx, a.practitionerId, period),
  );
  return c.json(rows, 200);
};

export const save: RouteHandler<typeof routes.saveOverride, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const input = c.req.valid('json');
  const row = await forPractitioner(c, practitioner_id, async (tx, acting) => {
    const { override, created } = await upsertOverride(tx, acting.practitionerId, input);
    await auditWrite(tx, acting, {
      action: created ? 'override.create' : 'override.update',
      entity: OVERRIDES_TABLE,
      entityId: override.id,
    });
    return override;
  });
  return c.json(row, 200);
};

export const remove: RouteHandler<typeof routes.deleteOverride, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const { id } = c.req.valid('param');
  await forPractitioner(c, practitioner_id, async (tx, acting) => {
    if (!(await deleteOverride(tx, acting.practitionerId, id))) {
      throw notFound('We could not find this date exception.');
    }
    await auditWrite(tx, acting, {
      action: 'override.delete',
      entity: OVERRIDES_TABLE,
      entityId: id,
    });
  });
  return c.body(null, 204);
};
