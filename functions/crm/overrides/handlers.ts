import type { RouteHandler } from '@hono/zod-openapi';
import type { AppEnv } from '../../../shared/http/env.ts';
import { forPractitioner } from '../acting.ts';
import { type CrmTable, deleteFor, writeFor } from '../write.ts';
import { deleteOverride, listOverrides, OVERRIDES_TABLE, upsertOverride } from './queries.ts';
import type * as routes from './routes.ts';

const overridesTable: CrmTable = {
  table: OVERRIDES_TABLE,
  resource: 'override',
  missing: 'We could not find this date exception.',
};

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
  const row = await writeFor(c, practitioner_id, overridesTable, async (tx, acting) => {
    const { override, created } = await upsertOverride(tx, acting.practitionerId, input);
    return {
      result: override,
      audit: { verb: created ? 'create' : 'update', entityId: override.id },
    };
  });
  return c.json(row, 200);
};

export const remove: RouteHandler<typeof routes.deleteOverride, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const { id } = c.req.valid('param');
  await deleteFor(c, practitioner_id, overridesTable, id, deleteOverride);
  return c.body(null, 204);
};
