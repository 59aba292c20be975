import type { RouteHandler } from '@hono/zod-openapi';
import { currentUser } from '../../shared/auth/middleware.ts';
import { asUser } from '../../shared/db/as-user.ts';
import { openTeudatZehut, sealTeudatZehut } from '../../shared/health/teudat-zehut.ts';
import type { AppEnv } from '../../shared/http/env.ts';
import { notFound } from '../../shared/http/errors.ts';
import type { Relative } from '../../shared/schemas/relative.ts';
import { deleteRelative, insertRelative, listRelatives, type StoredRelative } from './queries.ts';
import type * as routes from './routes.ts';

/** The relative as the API returns it: the teudat zehut given in clear, or opened from the row. */
async function asRead(
  { teudat_zehut_encrypted, ...stored }: StoredRelative,
  clear?: string | null,
): Promise<Relative> {
  const teudat_zehut = clear !== undefined
    ? clear
    : teudat_zehut_encrypted === null
    ? null
    : await openTeudatZehut({ kind: 'relative', id: stored.id }, teudat_zehut_encrypted);
  const { created_at, ...fields } = stored;
  return { ...fields, teudat_zehut, created_at };
}

export const list: RouteHandler<typeof routes.listRelatives, AppEnv> = async (c) => {
  const user = currentUser(c);
  const stored = await asUser(user.claims, (tx) => listRelatives(tx, user.id));
  return c.json(await Promise.all(stored.map((relative) => asRead(relative))), 200);
};

export const create: RouteHandler<typeof routes.createRelative, AppEnv> = async (c) => {
  const user = currentUser(c);
  const input = c.req.valid('json');
  const id = crypto.randomUUID();
  // Sealed before the transaction, bound to the relative's id.
  const teudatZehut = input.teudat_zehut
    ? await sealTeudatZehut({ kind: 'relative', id }, input.teudat_zehut)
    : null;
  const [stored] = await asUser(
    user.claims,
    (tx) => insertRelative(tx, user.id, id, input, teudatZehut),
  );
  return c.json(await asRead(stored, input.teudat_zehut ?? null), 201);
};

export const remove: RouteHandler<typeof routes.deleteRelative, AppEnv> = async (c) => {
  const user = currentUser(c);
  const { id } = c.req.valid('param');
  const deleted = await asUser(user.claims, (tx) => deleteRelative(tx, user.id, id));
  if (!deleted) throw notFound('We could not find this relative.');
  return c.body(null, 204);
};
