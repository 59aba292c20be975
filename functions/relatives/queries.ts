import type { Tx } from '../../shared/db/client.ts';
import type { JsonText } from '../../shared/http/json-text.ts';
import { isoTimestamp } from '../../shared/db/timestamps.ts';
import type { Relative } from '../../shared/schemas/relative.ts';
import type { NewRelative } from './schemas.ts';

const relativeColumns = (tx: Tx) =>
  tx`r.id, r.first_name, r.last_name, r.relation, r.date_of_birth, r.kupat_holim, r.insurance_provider,
  ${isoTimestamp(tx, tx`r.created_at`)} as created_at`;

/**
 * The list as JSON built by PostgreSQL, one statement handed back unsent (`asUser` sends it with
 * its commit). The owner filter stays even though RLS already applies: a later policy that lets
 * someone else see a relative (a practitioner, an admin) must not put it in this user's own list.
 */
export function listRelatives(tx: Tx, userId: string) {
  return tx<[{ relatives: JsonText<Relative[]> }]>`
    select coalesce(json_agg(relative order by r.created_at, r.id), '[]')::text as relatives
    from public.relatives r
    cross join lateral (select ${relativeColumns(tx)}) relative
    where r.user_id = ${userId}`;
}

export async function insertRelative(
  tx: Tx,
  userId: string,
  input: NewRelative,
): Promise<Relative> {
  const [row] = await tx<Relative[]>`
    with r as (
      insert into public.relatives
        (user_id, first_name, last_name, relation, date_of_birth, kupat_holim, insurance_provider)
      values (${userId}, ${input.first_name}, ${input.last_name}, ${input.relation},
              ${input.date_of_birth ?? null}, ${input.kupat_holim ?? null},
              ${input.insurance_provider ?? null})
      returning *
    )
    select ${relativeColumns(tx)} from r`;
  return row;
}

/** False when the relative does not exist or belongs to someone else: the caller cannot tell. */
export async function deleteRelative(tx: Tx, userId: string, id: string): Promise<boolean> {
  const rows =
    await tx`delete from public.relatives where id = ${id} and user_id = ${userId} returning id`;
  return rows.length === 1;
}
