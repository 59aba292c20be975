import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { currentUser } from '../../shared/auth/middleware.ts';
import { asUser } from '../../shared/db/as-user.ts';
import { openTeudatZehut, sealTeudatZehut } from '../../shared/health/teudat-zehut.ts';
import type { AppEnv } from '../../shared/http/env.ts';
import { notFound } from '../../shared/http/errors.ts';
import { type JsonText, sendJsonText } from '../../shared/http/json-text.ts';
import type { HealthProfile } from '../../shared/schemas/health.ts';
import {
  deleteRow,
  insertRow,
  listRows,
  readAccessLog,
  readHealthProfile,
  replaceHealthProfile,
  type RowOf,
  type StoredHealthProfile,
} from './queries.ts';
import type * as routes from './routes.ts';
import type { HealthList, NewListRow } from './schemas.ts';

/** The profile as its owner reads it, `teudat_zehut` given in clear or opened from the row. */
async function asRead(
  { teudat_zehut_encrypted, ...stored }: StoredHealthProfile,
  clear?: string | null,
): Promise<HealthProfile> {
  const teudat_zehut = clear !== undefined
    ? clear
    : teudat_zehut_encrypted === null
    ? null
    : await openTeudatZehut({ kind: 'health_profile', id: stored.user_id }, teudat_zehut_encrypted);
  const { user_id, updated_at, ...fields } = stored;
  return { user_id, teudat_zehut, ...fields, updated_at };
}

export const getProfile: RouteHandler<typeof routes.getProfile, AppEnv> = async (c) => {
  const user = currentUser(c);
  const [stored] = await asUser(user.claims, (tx) => readHealthProfile(tx, user.id));
  return c.json(stored ? await asRead(stored) : null, 200);
};

export const putProfile: RouteHandler<typeof routes.putProfile, AppEnv> = async (c) => {
  const user = currentUser(c);
  const input = c.req.valid('json');
  // Sealed before the transaction: no connection waits on the cipher.
  const teudatZehut = input.teudat_zehut
    ? await sealTeudatZehut({ kind: 'health_profile', id: user.id }, input.teudat_zehut)
    : null;
  const [stored] = await asUser(
    user.claims,
    (tx) => replaceHealthProfile(tx, user.id, input, teudatZehut),
  );
  return c.json(await asRead(stored, input.teudat_zehut ?? null), 200);
};

export const getAccessLog: RouteHandler<typeof routes.getAccessLog, AppEnv> = async (c) => {
  const user = currentUser(c);
  const [{ entries }] = await asUser(user.claims, (tx) => readAccessLog(tx, user.id));
  return sendJsonText(c, entries, 200);
};

async function listOf<L extends HealthList>(c: Context<AppEnv>, list: L) {
  const user = currentUser(c);
  const [{ rows }] = await asUser(user.claims, (tx) => listRows(tx, list, user.id));
  // The rows of list L, by construction of the query.
  return sendJsonText(c, rows as JsonText<RowOf[L][]>, 200);
}

async function addTo<L extends HealthList>(c: Context<AppEnv>, list: L, input: NewListRow) {
  const user = currentUser(c);
  const [{ row }] = await asUser(user.claims, (tx) => insertRow(tx, list, user.id, input));
  return sendJsonText(c, row as JsonText<RowOf[L]>, 201);
}

const MISSING: Record<HealthList, string> = {
  conditions: 'We could not find this condition.',
  medications: 'We could not find this medication.',
  allergies: 'We could not find this allergy.',
  vaccinations: 'We could not find this vaccination.',
};

async function removeFrom(c: Context<AppEnv>, list: HealthList, id: string) {
  const user = currentUser(c);
  const deleted = await asUser(user.claims, (tx) => deleteRow(tx, list, user.id, id));
  if (deleted.length === 0) throw notFound(MISSING[list]);
  return c.body(null, 204);
}

type Routes = typeof routes;
type Handler<L extends HealthList, R extends 'list' | 'create' | 'remove'> = RouteHandler<
  Routes[L][R],
  AppEnv
>;

/** The handlers of one list's routes, by route. */
interface ListHandlers<L extends HealthList> {
  list: Handler<L, 'list'>;
  create: Handler<L, 'create'>;
  remove: Handler<L, 'remove'>;
}

export const conditions: ListHandlers<'conditions'> = {
  list: (c) => listOf(c, 'conditions'),
  create: (c) => addTo(c, 'conditions', c.req.valid('json')),
  remove: (c) => removeFrom(c, 'conditions', c.req.valid('param').id),
};

export const medications: ListHandlers<'medications'> = {
  list: (c) => listOf(c, 'medications'),
  create: (c) => addTo(c, 'medications', c.req.valid('json')),
  remove: (c) => removeFrom(c, 'medications', c.req.valid('param').id),
};

export const allergies: ListHandlers<'allergies'> = {
  list: (c) => listOf(c, 'allergies'),
  create: (c) => addTo(c, 'allergies', c.req.valid('json')),
  remove: (c) => removeFrom(c, 'allergies', c.req.valid('param').id),
};

export const vaccinations: ListHandlers<'vaccinations'> = {
  list: (c) => listOf(c, 'vaccinations'),
  create: (c) => addTo(c, 'vaccinations', c.req.valid('json')),
  remove: (c) => removeFrom(c, 'vaccinations', c.req.valid('param').id),
};
