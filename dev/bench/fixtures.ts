import type postgres from 'postgres';
import { type DevKeys, mintAccessToken } from '../lib/keys.ts';
import { ensureUser } from '../lib/users.ts';
import { BENCH_DOMAIN, PRACTITIONER_EMAILS } from './data.ts';

/**
 * Signed-in load comes from this many users taken in turn, as many patients at once would: one
 * user alone would queue every request on that user's own rows (rate-limit counter, settings).
 */
export const BENCH_USERS = 32;
export const RELATIVES_PER_USER = 10;

export interface SignedInUser {
  id: string;
  token: string;
}

/** The benchmark's patients, each with RELATIVES_PER_USER relatives, and a token for each. */
export async function benchUsers(
  sql: postgres.Sql,
  keys: DevKeys,
  gatewayUrl: string,
): Promise<SignedInUser[]> {
  const users: SignedInUser[] = [];
  for (let i = 1; i <= BENCH_USERS; i++) {
    const email = `bench-user-${i}@${BENCH_DOMAIN}`;
    const id = await ensureUser(sql, { email, firstName: 'Bench', lastName: `User ${i}` });
    const token = await mintAccessToken(keys, { sub: id, email, issuer: `${gatewayUrl}/auth/v1` });
    users.push({ id, token });
  }
  await sql`
    insert into public.relatives (user_id, first_name, last_name, relation, date_of_birth, kupat_holim)
    select u.id, format('Relative %s', r), 'Bench',
           (array['child', 'parent', 'spouse', 'sibling', 'other']::public.relation_type[])[1 + r % 5],
           date '1950-01-01' + r * 1000, 'clalit'
    from unnest(${users.map((u) => u.id)}::uuid[]) u(id)
    cross join generate_series(1, ${RELATIVES_PER_USER}) r
    where not exists (select from public.relatives x where x.user_id = u.id)`;
  return users;
}

/** Ids of the generated practitioners, for requests that pick one at random. */
export async function benchPractitionerIds(sql: postgres.Sql): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    select p.id from public.profiles p
    join public.practitioners pr on pr.id = p.id and pr.is_active
    where p.email like ${PRACTITIONER_EMAILS}`;
  return rows.map((r) => r.id);
}
