import type { Tx } from '../../shared/db/client.ts';
import { profileJson, readProfile } from '../../shared/profile/queries.ts';
import type { Profile } from '../../shared/schemas/profile.ts';
import { CHANGEABLE_FIELDS, type ProfileChanges } from './schemas.ts';

/** Changes only the fields sent; a request with none changes nothing, not even updated_at. */
export async function updateProfile(
  tx: Tx,
  userId: string,
  changes: ProfileChanges,
): Promise<Profile> {
  const columns = CHANGEABLE_FIELDS.filter((field) => changes[field] !== undefined);
  if (columns.length === 0) return (await readProfile(tx, userId))[0].profile;
  const [row] = await tx<{ profile: Profile }[]>`
    update public.profiles p set ${tx(changes, columns)}
    where p.id = ${userId}
    returning ${profileJson(tx)} as profile`;
  return row.profile;
}

/**
 * Points the profile at a new avatar object and hands back the key of the one it replaces. The
 * row is locked first, so two uploads at once each learn the key the other one replaced.
 */
export async function setAvatar(
  tx: Tx,
  userId: string,
  avatar: { path: string; url: string },
): Promise<{ profile: Profile; previousPath: string | null }> {
  const [row] = await tx<{ profile: Profile; previous_path: string | null }[]>`
    with previous as (
      select avatar_path from public.profiles where id = ${userId} for update
    )
    update public.profiles p set avatar_url = ${avatar.url}, avatar_path = ${avatar.path}
    from previous
    where p.id = ${userId}
    returning ${profileJson(tx)} as profile, previous.avatar_path as previous_path`;
  return { profile: row.profile, previousPath: row.previous_path };
}
