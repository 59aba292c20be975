import type { RouteHandler } from '@hono/zod-openapi';
import type { AppEnv } from '../../../shared/http/env.ts';
import { notFound } from '../../../shared/http/errors.ts';
import { auditWrite, forPractitioner } from '../acting-practitioner.ts';
import { sentFields } from '../sent-fields.ts';
import {
  findInstruction,
  insertInstruction,
  INSTRUCTIONS_TABLE,
  listInstructions,
  updateInstruction,
} from './queries.ts';
import type * as routes from './routes.ts';

const missing = () => notFound('We could not find this instruction.');

export const list: RouteHandler<typeof routes.listInstructions, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const rows = await forPractitioner(
    c,
    practitioner_id,
    (tx, a) => listInstructions(tx, a.practitionerId),
  );
  return c.json(rows, 200);
};

export const create: RouteHandler<typeof routes.createInstruction, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const input = c.req.valid('json');
  const row = await forPractitioner(c, practitioner_id, async (tx, acting) => {
    const added = await insertInstruction(tx, acting.practitionerId, input);
    await auditWrite(tx, acting, {
      action: 'instruction.create',
      entity: INSTRUCTIONS_TABLE,
      entityId: added.id,
    });
    return added;
  });
  return c.json(row, 201);
};

export const update: RouteHandler<typeof routes.updateInstruction, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const { id } = c.req.valid('param');
  const changes = c.req.valid('json');
  const columns = sentFields(changes);
  const row = await forPractitioner(c, practitioner_id, async (tx, acting) => {
    if (columns.length === 0) return findInstruction(tx, acting.practitionerId, id);
    const changed = await updateInstruction(tx, acting.practitionerId, id, changes, columns);
    if (changed) {
      await auditWrite(tx, acting, {
        action: 'instruction.update',
        entity: INSTRUCTIONS_TABLE,
        entityId: id,
        fields: columns,
      });
    }
    return changed;
  });
  if (!row) throw missing();
  return c.json(row, 200);
};
