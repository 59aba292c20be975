import type { Tx } from '../../../shared/db/client.ts';
import {
  NAME_FIELDS,
  PRACTICE_FIELDS,
  type PractitionerProfile,
  type ProfileChanges,
} from './schemas.ts';

export const PRACTITIONERS_TABLE = 'practitioners';

/**
 * The profile with its names and specialty nested, built in one query. Only writes read it, so
 * it locks the practitioner's row: a change of one price is judged against the current other.
 */
export async function lockPractitionerProfile(
  tx: Tx,
  practitionerId: string,
): Promise<PractitionerProfile | undefined> {
  const [row] = await tx<{ profile: PractitionerProfile }[]>`
    select json_build_object(
      'id', p.id, 'specialty_id', p.specialty_id, 'about', p.about, 'languages', p.languages,
      'education', p.education, 'phone', p.phone, 'email', p.email,
      'is_accepting_new_patients', p.is_accepting_new_patients, 'address_line', p.address_line,
      'street_number', p.street_number, 'zip_code', p.zip_code, 'city', p.city,
      'latitude', p.latitude, 'longitude', p.longitude, 'price_min_agorot', p.price_min_agorot,
      'price_max_agorot', p.price_max_agorot,
      'consultation_duration_minutes', p.consultation_duration_minutes, 'sector', p.sector,
      'years_of_experience', p.years_of_experience, 'is_active', p.is_active,
      'profiles', json_build_object(
        'first_name', n.first_name, 'last_name', n.last_name, 'avatar_url', n.avatar_url),
      'specialties', case when s.id is not null then json_build_object(
        'id', s.id, 'name', s.name, 'name_fr', s.name_fr, 'name_he', s.name_he) end
    ) as profile
    from public.practitioners p
    join public.practitioner_public_profiles n on n.id = p.id
    left join public.specialties s on s.id = p.specialty_id
    where p.id = ${practitionerId}
    for update of p`;
  return row?.profile;
}

/**
 * Writes the sent fields: the names in `profiles` (shared with the rest of the app), the rest
 * in `practitioners`. An unknown specialty fails on the foreign key.
 */
export async function updatePractitionerProfile(
  tx: Tx,
  practitionerId: string,
  changes: ProfileChanges,
  fields: Array<keyof ProfileChanges>,
): Promise<PractitionerProfile> {
  const names = NAME_FIELDS.filter((f) => fields.includes(f));
  const practice = PRACTICE_FIELDS.filter((f) => fields.includes(f));
  if (names.length > 0) {
    await tx`update public.profiles set ${tx(changes, names)} where id = ${practitionerId}`;
  }
  if (practice.length > 0) {
    await tx`update public.practitioners set ${tx(changes, practice)} where id = ${practitionerId}`;
  }
  return (await lockPractitionerProfile(tx, practitionerId))!;
}
