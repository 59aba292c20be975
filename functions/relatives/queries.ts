import type { Tx } from '../../shared/db/client.ts';
import { isoTimestamp } from '../../shared/db/timestamps.ts';
import type { StoredTeudatZehut } from '../../shared/health/teudat-zehut.ts';
import type { Relative } from '../../shared/schemas/relative.ts';
import type { StoredAvatar } from '../../shared/storage/avatars.ts';
import { type NewRelative, type RelativeColumns, WRITABLE_COLUMNS } from './schemas.ts';

/** A relative as stored: the teudat zehut still sealed (the API holds the key). */
export type StoredRelative = Omit<Relative, 'teudat_zehut'> & {
  teudat_zehut_encrypted: string | null;
};

const relativeColumns = (tx: Tx) =>
  tx`r.id, r.first_name, r.last_name, r.relation, r.date_of_birth, r.teudat_zehut_encrypted,
  r.kupat_holim, r.insurance_provider, r.avatar_url,
  ${isoTimestamp(tx, tx`r.created_at`)} as created_at`;

/**
 * The list as rows, one statement handed back unsent (`asUser` sends it with its commit). Rows,
 * not JSON built by PostgreSQL: each teudat zehut is opened by the API. The owner filter stays
 * even though RLS already applies: a later policy that lets someone else see a relative (a
 * practitioner, an admin) must not put it in this user's own list.
 */
export function listRelatives(tx: Tx, userId: string) {
  return tx<StoredRelative[]>`
    select ${relativeColumns(tx)}
    from public.relatives r
    where r.user_id = ${userId}
    order by r.created_at, r.id`;
}

/** `id` is chosen by the caller: the sealed teudat zehut is bound to it. One statement, unsent. */
export function insertRelative(
  tx: Tx,
  userId: string,
  id: string,
  input: NewRelative,
  teudatZehut: StoredTeudatZehut | null,
) {
  return tx<StoredRelative[]>`
    with r as (
      insert into public.relatives
        (id, user_id, first_name, last_name, relation, date_of_birth, teudat_zehut_encrypted,
         teudat_zehut_hash, kupat_holim, insurance_provider)
      values (${id}, ${userId}, ${input.first_name}, ${input.last_name}, ${input.relation},
              ${input.date_of_birth ?? null}, ${teudatZehut?.encrypted ?? null},
              ${teudatZehut?.hash ?? null}, ${input.kupat_holim ?? null},
              ${input.insurance_provider ?? null})
      returning *
    )
    select ${relativeColumns(tx)} from r`;
}

export type ChangedRelative = StoredRelative & { picture_matches: boolean };

/**
 * Writes the columns given, when the relative is the user's and `picture` (the avatar URL sent,
 * undefined when none was) names its current picture: one statement, handed back unsent. No
 * row when the relative is not the user's; `picture_matches` false (nothing written) when the
 * picture named is not the current one. With no column to write, the relative as it is.
 */
export function updateRelative(
  tx: Tx,
  userId: string,
  id: string,
  changes: RelativeColumns,
  picture: string | null | undefined,
) {
  const columns = WRITABLE_COLUMNS.filter((column) => changes[column] !== undefined);
  const changed = columns.length === 0
    ? tx`select r.* from public.relatives r join target t on t.id = r.id where t.picture_matches`
    : tx`update public.relatives r set ${tx(changes, columns)}
         from target t where r.id = t.id and t.picture_matches
         returning r.*`;
  return tx<ChangedRelative[]>`
    with target as (
      select r.id,
             ${picture === undefined}::boolean
               or r.avatar_url is not distinct from ${picture ?? null}::text as picture_matches
      from public.relatives r
      where r.id = ${id} and r.user_id = ${userId}
      for update
    ), changed as (${changed})
    select t.picture_matches, ${relativeColumns(tx)}
    from target t left join changed r on r.id = t.id`;
}

/**
 * Points the relative at a new picture and hands back the key of the one it replaces; undefined
 * when the relative is not the user's. Privileged (the avatar columns are the server's): the
 * owner is checked here. The row is locked first, so two uploads at once each learn the key
 * the other one replaced.
 */
export async function setRelativeAvatar(
  tx: Tx,
  userId: string,
  id: string,
  avatar: StoredAvatar,
): Promise<{ avatarUrl: string; previousPath: string | null } | undefined> {
  const [row] = await tx<{ avatar_url: string; previous_path: string | null }[]>`
    with previous as (
      select avatar_path from public.relatives
      where id = ${id} and user_id = ${userId}
      for update
    )
    update public.relatives r set avatar_url = ${avatar.url}, avatar_path = ${avatar.path}
    from previous
    where r.id = ${id} and r.user_id = ${userId}
    returning r.avatar_url, previous.avatar_path as previous_path`;
  return row && { avatarUrl: row.avatar_url, previousPath: row.previous_path };
}

/**
 * Deletes the user's relative and answers the key of its picture (null when it had none), or
 * undefined when the relative does not exist or belongs to someone else: the caller cannot tell.
 */
export async function deleteRelative(
  tx: Tx,
  userId: string,
  id: string,
): Promise<{ avatarPath: string | null } | undefined> {
  const [row] = await tx<{ avatar_path: string | null }[]>`
    delete from public.relatives where id = ${id} and user_id = ${userId}
    returning avatar_path`;
  return row && { avatarPath: row.avatar_path };
}
