import type { Tx } from '../db/client.ts';
import { isoTimestamp } from '../db/timestamps.ts';
import type { Profile } from '../schemas/profile.ts';

/** A user's own profile `p` as every endpoint returns it (`profileSchema`), built by Postgres. */
export const profileJson = (tx: Tx) =>
  tx`json_build_object(
    'id', p.id, 'first_name', p.first_name, 'last_name', p.last_name, 'email', p.email,
    'phone', p.phone, 'date_of_birth', p.date_of_birth, 'sex', p.sex, 'city', p.city,
    'avatar_url', p.avatar_url, 'role', p.role, 'created_at', ${isoTimestamp(tx, tx`p.created_at`)},
    'updated_at', ${isoTimestamp(tx, tx`p.updated_at`)})`;

/**
 * The caller's profile (GET /profile, the CRM's bootstrap): one statement, handed back unsent,
 * so `asUser` sends it with its commit in one write.
 */
export const readProfile = (tx: Tx, userId: string) =>
  tx<[{ profile: Profile }]>`
    select ${profileJson(tx)} as profile from public.profiles p where p.id = ${userId}`;
