import type { RouteHandler } from '@hono/zod-openapi';
import { asAnon } from '../../shared/db/as-user.ts';
import type { AppEnv } from '../../shared/http/env.ts';
import { readSpecialties } from './queries.ts';
import type { listSpecialties } from './routes.ts';

/**
 * The list changes only with the seed or an admin's data fix: an hour in a cache, then one
 * revalidation (the tag) that costs no body.
 */
const CACHE_CONTROL = 'public, max-age=3600';

/** Whether `If-None-Match` names `tag` (weak or strong, in a list, or `*`). */
function matches(ifNoneMatch: string | undefined, tag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((held) => {
    const candidate = held.trim().replace(/^W\//, '');
    return candidate === '*' || candidate === tag;
  });
}

export const list: RouteHandler<typeof listSpecialties, AppEnv> = async (c) => {
  const [{ body, tag }] = await asAnon((tx) => readSpecialties(tx));
  const etag = `"${tag}"`;
  c.header('ETag', etag);
  c.header('Cache-Control', CACHE_CONTROL);
  if (matches(c.req.header('if-none-match'), etag)) return c.body(null, 304);
  // The JSON the database built, byte for byte (as `sendJsonText`, whose typed answer cannot
  // share a handler with the untyped 304).
  return c.body(body, 200, { 'content-type': 'application/json' });
};
