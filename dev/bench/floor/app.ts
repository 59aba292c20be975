import { currentUser } from '../../../shared/auth/middleware.ts';
import { asUser } from '../../../shared/db/as-user.ts';
import { addDriverOptions } from '../../../shared/db/client.ts';
import { createApp } from '../../../shared/http/create-app.ts';
import * as routes from './routes.ts';

let sent = 0;
// The gateway imports this app before any request opens the pool.
addDriverOptions({ debug: () => void sent++ });

/**
 * Mounted only by the benchmark's gateway (GATEWAY_EXTRA_APPS), never deployed: the floor every
 * real route is compared with, and the statement counter the benchmark reads.
 */
export const app = createApp('bench', { auth: 'user' })
  .openapi(routes.floor, async (c) => {
    await asUser(currentUser(c).claims, (tx) => tx`select 1`);
    return c.json({ ok: true as const }, 200);
  })
  .openapi(routes.queries, (c) => c.json({ sent }, 200));
