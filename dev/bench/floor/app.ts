import { Session } from 'node:inspector/promises';
import { currentUser } from '../../../shared/auth/middleware.ts';
import { asUser } from '../../../shared/db/as-user.ts';
import { addDriverOptions } from '../../../shared/db/client.ts';
import { createApp } from '../../../shared/http/create-app.ts';
import { conflict, notFound } from '../../../shared/http/errors.ts';
import { wireCounter } from '../../lib/round-trips.ts';
import * as routes from './routes.ts';

const wire = wireCounter();
// The gateway imports this app before any request opens the pool.
addDriverOptions(wire.options);

// The profiler of this very process, so the profile covers the measured load and nothing of
// the gateway's start or the warm-up.
let profiler: Session | undefined;

/**
 * Mounted only by the benchmark's gateway (GATEWAY_EXTRA_APPS), never deployed: the floor every
 * real route is compared with, the wire counter the benchmark reads, and the CPU profiler.
 */
export const app = createApp('bench', { auth: 'user' })
  .openapi(routes.floor, async (c) => {
    await asUser(currentUser(c).claims, (tx) => tx`select 1`);
    return c.json({ ok: true as const }, 200);
  })
  .openapi(routes.queries, (c) => c.json({ ...wire.counts }, 200))
  .openapi(routes.startProfile, async (c) => {
    if (profiler) throw conflict('A CPU profile is already running.');
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
    return c.json({ ok: true as const }, 200);
  })
  .openapi(routes.stopProfile, async (c) => {
    const session = profiler;
    profiler = undefined;
    if (!session) throw notFound('No CPU profile is running.');
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    return c.json(profile, 200);
  });
