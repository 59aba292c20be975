import type { RouteHandler } from '@hono/zod-openapi';
import { currentUser } from '../../shared/auth/middleware.ts';
import { asUser } from '../../shared/db/as-user.ts';
import type { AppEnv } from '../../shared/http/env.ts';
import { conflict, notFound } from '../../shared/http/errors.ts';
import { sendJsonText } from '../../shared/http/json-text.ts';
import {
  cancelAsPatient,
  findByIdempotencyKey,
  insertBooking,
  listPast,
  listUpcoming,
  moveAsPatient,
  readDetail,
  readEarlierAlert,
  writeEarlierAlert,
} from './queries.ts';
import type * as routes from './routes.ts';

const missing = () => notFound('We could not find this appointment.');

/**
 * Refusals a retry of a booking that already went through runs into: the slot or the key is
 * taken (by that first booking), or the status machine refuses.
 */
const RETRY_REFUSALS = new Set(['23505', '23P01', 'DK409']);
const isRetryRefusal = (e: unknown) => RETRY_REFUSALS.has((e as { code?: string })?.code ?? '');

export const book: RouteHandler<typeof routes.book, AppEnv> = async (c) => {
  const user = currentUser(c);
  const input = c.req.valid('json');
  const key = c.req.valid('header')['idempotency-key'];
  try {
    const [booked] = await asUser(user.claims, async (tx) => {
      const id = await insertBooking(tx, user.id, input, key);
      return readDetail(tx, user.id, id);
    });
    return sendJsonText(c, booked!.appointment, 201);
  } catch (refusal) {
    if (key === undefined || !isRetryRefusal(refusal)) throw refusal;
    // Looked up after the refused transaction, so a first attempt committed meanwhile is seen.
    const first = await asUser(user.claims, async (tx) => {
      const [earlier] = await findByIdempotencyKey(tx, user.id, key, input);
      if (!earlier) return undefined;
      if (!earlier.same) {
        throw conflict('This Idempotency-Key was already used for another booking.');
      }
      const [detail] = await readDetail(tx, user.id, earlier.id);
      return detail;
    });
    if (!first) throw refusal;
    return sendJsonText(c, first.appointment, 201);
  }
};

export const upcoming: RouteHandler<typeof routes.listUpcoming, AppEnv> = async (c) => {
  const user = currentUser(c);
  const [{ appointments }] = await asUser(user.claims, (tx) => listUpcoming(tx, user.id));
  return sendJsonText(c, appointments, 200);
};

export const past: RouteHandler<typeof routes.listPast, AppEnv> = async (c) => {
  const user = currentUser(c);
  const page = c.req.valid('query');
  const [{ appointments }] = await asUser(user.claims, (tx) => listPast(tx, user.id, page));
  return sendJsonText(c, appointments, 200);
};

export const detail: RouteHandler<typeof routes.getAppointment, AppEnv> = async (c) => {
  const user = currentUser(c);
  const { id } = c.req.valid('param');
  const [found] = await asUser(user.claims, (tx) => readDetail(tx, user.id, id));
  if (!found) throw missing();
  return sendJsonText(c, found.appointment, 200);
};

export const cancel: RouteHandler<typeof routes.cancel, AppEnv> = async (c) => {
  const user = currentUser(c);
  const { id } = c.req.valid('param');
  const { cancellation_reason } = c.req.valid('json');
  const cancelled = await asUser(
    user.claims,
    (tx) => cancelAsPatient(tx, user.id, id, cancellation_reason ?? null),
  );
  if (cancelled.length === 0) throw missing();
  return c.body(null, 204);
};

export const reschedule: RouteHandler<typeof routes.reschedule, AppEnv> = async (c) => {
  const user = currentUser(c);
  const { id } = c.req.valid('param');
  const slot = c.req.valid('json');
  const [moved] = await asUser(user.claims, async (tx) => {
    const rows = await moveAsPatient(tx, user.id, id, slot);
    if (rows.length === 0) return [];
    return await readDetail(tx, user.id, id);
  });
  if (!moved) throw missing();
  return sendJsonText(c, moved.appointment, 200);
};

export const earlierAlert: RouteHandler<typeof routes.getEarlierAlert, AppEnv> = async (c) => {
  const user = currentUser(c);
  const { id } = c.req.valid('param');
  const [alert] = await asUser(user.claims, (tx) => readEarlierAlert(tx, user.id, id));
  if (!alert) throw missing();
  return c.json({ enabled: alert.enabled }, 200);
};

export const setEarlierAlert: RouteHandler<typeof routes.setEarlierAlert, AppEnv> = async (
  c,
) => {
  const user = currentUser(c);
  const { id } = c.req.valid('param');
  const { enabled } = c.req.valid('json');
  const [alert] = await asUser(user.claims, (tx) => writeEarlierAlert(tx, user.id, id, enabled));
  if (!alert) throw missing();
  return c.json({ enabled: alert.enabled }, 200);
};
