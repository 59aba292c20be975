import type { RouteHandler } from '@hono/zod-openapi';
import { currentUser } from '../../../shared/auth/middleware.ts';
import { asUser } from '../../../shared/db/as-user.ts';
import { maskTeudatZehut, openTeudatZehut } from '../../../shared/health/teudat-zehut.ts';
import type { AppEnv } from '../../../shared/http/env.ts';
import { notFound } from '../../../shared/http/errors.ts';
import { readMyPractitioner, registerPractitioner, type StoredPractitioner } from './queries.ts';
import type * as routes from './routes.ts';
import type { MyPractitioner } from './schemas.ts';

/** Never kept by a cache: the CRM polls it right after registering (client-extras 2). */
const NOT_CACHED = { 'Cache-Control': 'no-store' };

/** The answer: the record with the masked teudat zehut, opened here (the database has no key). */
async function withMaskedTeudatZehut(
  userId: string,
  { practitioner, teudat_zehut_sealed }: StoredPractitioner,
): Promise<MyPractitioner> {
  const masked = teudat_zehut_sealed === null ? null : maskTeudatZehut(
    await openTeudatZehut({ kind: 'health_profile', id: userId }, teudat_zehut_sealed),
  );
  return { ...practitioner, teudat_zehut_masked: masked };
}

export const me: RouteHandler<typeof routes.getMyPractitioner, AppEnv> = async (c) => {
  const user = currentUser(c);
  const [stored] = await asUser(user.claims, (tx) => readMyPractitioner(tx, user.id));
  if (!stored) {
    throw notFound('You are not registered as a practitioner yet.').withHeaders(NOT_CACHED);
  }
  return c.json(await withMaskedTeudatZehut(user.id, stored), 200, NOT_CACHED);
};

export const register: RouteHandler<typeof routes.registerPractitioner, AppEnv> = async (c) => {
  const user = currentUser(c);
  const registration = c.req.valid('json');
  const { created, stored } = await asUser(user.claims, async (tx) => {
    const [{ created }] = await registerPractitioner(tx, registration);
    const [stored] = await readMyPractitioner(tx, user.id);
    return { created, stored: stored! };
  });
  const body = await withMaskedTeudatZehut(user.id, stored);
  return created ? c.json(body, 201, NOT_CACHED) : c.json(body, 200, NOT_CACHED);
};
