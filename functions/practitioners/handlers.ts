import type { RouteHandler } from '@hono/zod-openapi';
import { asAnon } from '../../shared/db/as-user.ts';
import type { AppEnv } from '../../shared/http/env.ts';
import { notFound, validationFailed } from '../../shared/http/errors.ts';
import { sendJsonText } from '../../shared/http/json-text.ts';
import { readProfile, readReviews, readSlots, searchPractitioners } from './queries.ts';
import type {
  getPractitioner,
  getReviews,
  getSlots,
  searchPractitioners as searchRoute,
} from './routes.ts';
import { MAX_SLOT_RANGE_DAYS } from './schemas.ts';

const missing = () => notFound('We could not find this practitioner.');

export const search: RouteHandler<typeof searchRoute, AppEnv> = async (c) => {
  const query = c.req.valid('query');
  const [{ results }] = await asAnon((tx) => searchPractitioners(tx, query));
  return sendJsonText(c, results, 200);
};

export const show: RouteHandler<typeof getPractitioner, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const [found] = await asAnon((tx) => readProfile(tx, id));
  if (!found) throw missing();
  return sendJsonText(c, found.profile, 200);
};

export const slots: RouteHandler<typeof getSlots, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const { from, to } = c.req.valid('query');
  const [range] = await asAnon((tx) => readSlots(tx, id, from, to));
  if (!range) throw missing();
  if (range.to < range.from) {
    throw validationFailed(
      { to: ['The end date must not be before the start date.'] },
      'The end date must not be before the start date.',
    );
  }
  if (!range.slots) {
    const message = `Ask for at most ${MAX_SLOT_RANGE_DAYS} days at a time.`;
    throw validationFailed({ to: [message] }, message);
  }
  return sendJsonText(c, range.slots, 200);
};

export const reviews: RouteHandler<typeof getReviews, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const page = c.req.valid('query');
  const [found] = await asAnon((tx) => readReviews(tx, id, page));
  if (!found) throw missing();
  return sendJsonText(c, found.page, 200);
};
