import type { Tx } from '../../shared/db/client.ts';
import { isoTimestamp } from '../../shared/db/timestamps.ts';
import type { StoredTeudatZehut } from '../../shared/health/teudat-zehut.ts';
import type { Relative } from '../../shared/schemas/relative.ts';
import type { NewRelative } from './schemas.ts';

/** A relative as stored: the teudat zehut still sealed (the API holds the key). */
export type StoredRelative = Omit<Relative, 'teudat_zehut'> & {
  teudat_zehut_encrypted: string | null;
};

const relativeColumns = (tx: Tx) =>
  tx`r.id, r.first_name, r.last_name, r.relation, r.date_of_birth, r.teudat_zehut_encrypted,
  r.kupat_holim, r.insurance_provider, ${isoTimestamp(tx, tx`r.created_at`)} as created_at`;

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

/** False when the relative does not exist or belongs to someone else: the caller cannot tell. */
export async function deleteRelative(tx: Tx, userId: string, id: string): Promise<boolean> {
  const rows =
    await tx`delete from public.relatives where id = ${id} and user_id = ${userId} returning id`;
  return rows.length === 1;
}
