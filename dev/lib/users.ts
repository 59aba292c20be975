import type postgres from 'postgres';
import type { UserRole as Role } from '../../shared/auth/user.ts';

export type { Role };

export interface UserSpec {
  email: string;
  role?: Role;
  firstName?: string;
  lastName?: string;
}

/**
 * Creates the auth user when the email is new (its profile follows through the trigger, as on
 * Supabase), then sets the requested role. Returns the user's id.
 */
export async function ensureUser(sql: postgres.Sql, spec: UserSpec): Promise<string> {
  const metadata = { first_name: spec.firstName ?? null, last_name: spec.lastName ?? null };
  const [{ id }] = await sql<{ id: string }[]>`
    insert into auth.users (email, raw_user_meta_data)
    values (${spec.email}, ${sql.json(metadata)})
    on conflict (email) do update set email = excluded.email
    returning id`;
  if (spec.role) await sql`update public.profiles set role = ${spec.role} where id = ${id}`;
  return id;
}
