import type { Tx } from '../../../shared/db/client.ts';
import type { PractitionerProfile, ProfileChanges } from './routes.ts';

export const PRACTITIONERS_TABLE = 'practitioners';

export async function specialtyExists(tx: Tx, id: string): Promise<boolean> {
  const rows = await tx`select 1 from public.specialties where id = ${id}`;
  return rows.length === 1;
}

/** The stored price range, locked so a change of one end is judged against the current other. */
export async function lockPrices(
  tx: Tx,
  practitionerId: string,
): Promise<{ price_min_agorot: number | null; price_max_agorot: number | null } | undefined> {
  const [row] = await tx<{ price_min_agorot: number | null; price_max_agorot: number | null }[]>`
    select price_min_agorot, price_max_agorot from public.practitioners
    where id = ${practitionerId}
    for update`;
  return row;
}

/** The practitioner's names live in `profiles`, shared with the rest of the app. */
export async function updateNames(
  tx: Tx,
  practitionerId: string,
  changes: ProfileChanges,
  columns: Array<keyof ProfileChanges>,
): Promise<void> {
  await tx`update public.profiles set ${tx(changes, columns)} where id = ${practitionerId}`;
}

export async function updatePractice(
  tx: Tx,
  practitionerId: string,
  changes: ProfileChanges,
  columns: Array<keyof ProfileChanges>,
): Promise<void> {
  await tx`update public.practitioners set ${tx(changes, columns)} where id = ${practitionerId}`;
}

/** The profile with its names and specialty nested, built in one query. */
export async function readPractitionerProfile(
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
    where p.id = ${practitionerId}`;
  return row?.profile;
}
