import type { RouteHandler } from '@hono/zod-openapi';
import type { AppEnv } from '../../../shared/http/env.ts';
import { forPractitioner } from '../acting.ts';
import { createFor, type CrmTable, type Patchable, patchFor } from '../write.ts';
import {
  insertInstruction,
  INSTRUCTIONS_TABLE,
  listInstructions,
  lockInstruction,
  updateInstruction,
} from './queries.ts';
import type * as routes from './routes.ts';
import type { AppointmentInstruction, InstructionChanges } from './schemas.ts';

const instructions: CrmTable = {
  table: INSTRUCTIONS_TABLE,
  resource: 'instruction',
  missing: 'We could not find this instruction.',
};

const instructionPatch: Patchable<AppointmentInstruction, InstructionChanges> = {
  target: instructions,
  lock: lockInstruction,
  update: updateInstruction,
};

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
  const row = await createFor(
    c,
    practitioner_id,
    instructions,
    (tx, p) => insertInstruction(tx, p, input),
  );
  return c.json(row, 201);
};

export const update: RouteHandler<typeof routes.updateInstruction, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const { id } = c.req.valid('param');
  return c.json(
    await patchFor(c, practitioner_id, id, instructionPatch, c.req.valid('json')),
    200,
  );
};
