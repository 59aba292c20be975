import type { RouteHandler } from '@hono/zod-openapi';
import type { AppEnv } from '../../../shared/http/env.ts';
import { notFound, validationFailed } from '../../../shared/http/errors.ts';
import { auditWrite, forPractitioner } from '../acting-practitioner.ts';
import { sentFields } from '../sent-fields.ts';
import {
  deleteRange,
  insertRange,
  listRanges,
  lockRange,
  SCHEDULE_TABLE,
  updateRange,
} from './queries.ts';
import { END_AFTER_START } from './routes.ts';
import type * as routes from './routes.ts';

const missing = () => notFound('We could not find this time range.');

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
  const row = await forPractitioner(c, practitioner_id, async (tx, acting) => {
    const added = await insertRange(tx, acting.practitionerId, input);
    await auditWrite(tx, acting, {
      action: 'schedule.create',
      entity: SCHEDULE_TABLE,
      entityId: added.id,
    });
    return added;
  });
  return c.json(row, 201);
};

export const update: RouteHandler<typeof routes.updateScheduleRange, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const { id } = c.req.valid('param');
  const changes = c.req.valid('json');
  const columns = sentFields(changes);
  const row = await forPractitioner(c, practitioner_id, async (tx, acting) => {
    const stored = await lockRange(tx, acting.practitionerId, id);
    if (!stored) throw missing();
    const start = changes.start_time ?? stored.start_time;
    const end = changes.end_time ?? stored.end_time;
    if (end <= start) {
      throw validationFailed(
        { [changes.end_time ? 'end_time' : 'start_time']: [END_AFTER_START] },
        END_AFTER_START,
      );
    }
    if (columns.length === 0) return stored;
    const changed = await updateRange(tx, acting.practitionerId, id, changes, columns);
    await auditWrite(tx, acting, {
      action: 'schedule.update',
      entity: SCHEDULE_TABLE,
      entityId: id,
      fields: columns,
    });
    return changed;
  });
  return c.json(row, 200);
};

export const remove: RouteHandler<typeof routes.deleteScheduleRange, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const { id } = c.req.valid('param');
  await forPractitioner(c, practitioner_id, async (tx, acting) => {
    if (!(await deleteRange(tx, acting.practitionerId, id))) throw missing();
    await auditWrite(tx, acting, {
      action: 'schedule.delete',
      entity: SCHEDULE_TABLE,
      entityId: id,
    });
  });
  return c.body(null, 204);
};
