import type { RouteHandler } from '@hono/zod-openapi';
import { systemDb } from '../../shared/db/client.ts';
import type { AppEnv } from '../../shared/http/env.ts';
import { runDaily, runForced } from './queries.ts';
import type * as routes from './routes.ts';

/**
 * The whole day's reminders are one statement, longer than a request's: 100,000 take a few
 * seconds. It stays within an Edge Function's wall-clock limit (150 s).
 */
const RUN_TIMEOUT = '120s';

/** Today on Israel's calendar. */
const israelToday = (now: Date) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jerusalem' }).format(now);

/**
 * The privileged path (no user owns this work): one transaction, so a failed run leaves the
 * day unclaimed and no reminder half made.
 */
export const run: RouteHandler<typeof routes.run, AppEnv> = async (c) => {
  const { date, force } = c.req.valid('json');
  const now = new Date();
  const [result] = await systemDb().begin(async (tx) => {
    await tx`select set_config('statement_timeout', ${RUN_TIMEOUT}, true)`;
    return force ? await runForced(tx, date ?? israelToday(now)) : await runDaily(tx, now);
  });
  return c.json(result, 200);
};
