import type { RouteHandler } from '@hono/zod-openapi';
import { currentUser } from '../../shared/auth/middleware.ts';
import { asUser } from '../../shared/db/as-user.ts';
import { systemDb } from '../../shared/db/client.ts';
import { openTeudatZehut, sealTeudatZehut } from '../../shared/health/teudat-zehut.ts';
import type { AppEnv } from '../../shared/http/env.ts';
import { notFound, validationFailed } from '../../shared/http/errors.ts';
import type { Relative } from '../../shared/schemas/relative.ts';
import { discardAvatars, replaceAvatar } from '../../shared/storage/avatars.ts';
import {
  deleteRelative,
  insertRelative,
  listRelatives,
  setRelativeAvatar,
  type StoredRelative,
  updateRelative,
} from './queries.ts';
import type * as routes from './routes.ts';
import { PICTURE_IS_UPLOADED, type RelativeColumns } from './schemas.ts';

const missing = () => notFound('We could not find this relative.');

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

export const update: RouteHandler<typeof routes.patchRelative, AppEnv> = async (c) => {
  const user = currentUser(c);
  const { id } = c.req.valid('param');
  const { teudat_zehut, avatar_url, ...fields } = c.req.valid('json');
  const changes: RelativeColumns = { ...fields };
  if (teudat_zehut !== undefined) {
    // Sealed before the transaction, bound to the relative's id; null clears it.
    const sealed = teudat_zehut === null
      ? null
      : await sealTeudatZehut({ kind: 'relative', id }, teudat_zehut);
    changes.teudat_zehut_encrypted = sealed?.encrypted ?? null;
    changes.teudat_zehut_hash = sealed?.hash ?? null;
  }
  const [changed] = await asUser(
    user.claims,
    (tx) => updateRelative(tx, user.id, id, changes, avatar_url),
  );
  if (!changed) throw missing();
  if (!changed.picture_matches) {
    throw validationFailed({ avatar_url: [PICTURE_IS_UPLOADED] }, PICTURE_IS_UPLOADED);
  }
  const { picture_matches: _, ...stored } = changed;
  return c.json(await asRead(stored, teudat_zehut), 200);
};

export const changeAvatar: RouteHandler<typeof routes.uploadRelativeAvatar, AppEnv> = async (
  c,
) => {
  const user = currentUser(c);
  const { id } = c.req.valid('param');
  const { avatar } = c.req.valid('form');
  const avatar_url = await replaceAvatar(user.id, `relatives/${id}`, avatar, async (stored) => {
    // Privileged write, as for the profile's picture: the owner is checked in the statement.
    const saved = await systemDb().begin((tx) => setRelativeAvatar(tx, user.id, id, stored));
    if (!saved) throw missing();
    return { result: saved.avatarUrl, previousPath: saved.previousPath };
  });
  return c.json({ avatar_url }, 200);
};

export const remove: RouteHandler<typeof routes.deleteRelative, AppEnv> = async (c) => {
  const user = currentUser(c);
  const { id } = c.req.valid('param');
  const deleted = await asUser(user.claims, (tx) => deleteRelative(tx, user.id, id));
  if (!deleted) throw missing();
  await discardAvatars(user.id, [deleted.avatarPath], 'removed');
  return c.body(null, 204);
};
