import type { RouteHandler } from '@hono/zod-openapi';
import type { AppEnv } from '../../../shared/http/env.ts';
import { validationFailed } from '../../../shared/http/errors.ts';
import { forPractitioner } from '../acting.ts';
import { END_AFTER_START } from '../schemas.ts';
import { createFor, type CrmTable, deleteFor, type Patchable, patchFor } from '../write.ts';
import {
  deleteRange,
  insertRange,
  listRanges,
  lockRange,
  SCHEDULE_TABLE,
  updateRange,
} from './queries.ts';
import type * as routes from './routes.ts';
import type { RangeChanges, ScheduleRange } from './schemas.ts';

const ranges: CrmTable = {
  table: SCHEDULE_TABLE,
  resource: 'schedule',
  missing: 'We could not find this time range.',
};

const rangePatch: Patchable<ScheduleRange, RangeChanges> = {
  target: ranges,
  lock: lockRange,
  update: updateRange,
  // A lone start or end is judged against the stored other end.
  check(merged, changes) {
    if (merged.end_time <= merged.start_time) {
      const field = changes.end_time ? 'end_time' : 'start_time';
      throw validationFailed({ [field]: [END_AFTER_START] }, END_AFTER_START);
    }
  },
};

export const list: RouteHandler<typeof routes.listSchedule, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  return c.json(
    await forPractitioner(c, practitioner_id, (tx, a) => listRanges(tx, a.practitionerId)),
    200,
  );
};

export const create: RouteHandler<typeof routes.createScheduleRange, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const input = c.req.valid('json');
  const row = await createFor(c, practitioner_id, ranges, (tx, p) => insertRange(tx, p, input));
  return c.json(row, 201);
};

export const update: RouteHandler<typeof routes.updateScheduleRange, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const { id } = c.req.valid('param');
  return c.json(await patchFor(c, practitioner_id, id, rangePatch, c.req.valid('json')), 200);
};

export const remove: RouteHandler<typeof routes.deleteScheduleRange, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const { id } = c.req.valid('param');
  await deleteFor(c, practitioner_id, ranges, id, deleteRange);
  return c.body(null, 204);
};
