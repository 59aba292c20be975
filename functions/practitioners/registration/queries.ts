import type { Tx } from '../../../shared/db/client.ts';
import { isoTimestamp } from '../../../shared/db/timestamps.ts';
import type { MyPractitioner, Registration } from './schemas.ts';

/** What the database builds of the answer; the API adds the masked teudat zehut. */
export interface StoredPractitioner {
  practitioner: Omit<MyPractitioner, 'teudat_zehut_masked'>;
  teudat_zehut_sealed: string | null;
}

/**
 * The caller's practitioner record (`p`) with their names and picture (`n`, their own profile),
 * specialty, review figures, completeness and the sealed teudat zehut of their health profile;
 * no row when they have none. One statement, handed back unsent. Read as the caller: RLS shows
 * a practitioner their own row even while it is inactive.
 */
export function readMyPractitioner(tx: Tx, userId: string) {
  return tx<[StoredPractitioner?]>`
    select json_build_object(
      'id', p.id,
      'created_at', ${isoTimestamp(tx, tx`p.created_at`)},
      'updated_at', ${isoTimestamp(tx, tx`p.updated_at`)},
      'profiles', json_build_object(
        'first_name', n.first_name, 'last_name', n.last_name, 'avatar_url', n.avatar_url),
      'email', p.email, 'phone', p.phone, 'city', p.city,
      'specialty_id', p.specialty_id,
      'specialties', case when s.id is not null then json_build_object(
        'id', s.id, 'name', s.name, 'name_fr', s.name_fr, 'name_he', s.name_he) end,
      'license_number', p.license_number, 'specialization_license', p.specialization_license,
      'organizations', null,
      'address_line', p.address_line, 'street_number', p.street_number, 'zip_code', p.zip_code,
      'latitude', p.latitude, 'longitude', p.longitude, 'sector', p.sector,
      'about', p.about, 'education', p.education, 'languages', p.languages,
      'years_of_experience', p.years_of_experience,
      'price_min_agorot', p.price_min_agorot, 'price_max_agorot', p.price_max_agorot,
      'consultation_duration_minutes', p.consultation_duration_minutes,
      'is_accepting_new_patients', p.is_accepting_new_patients,
      'website_url', null, 'facebook_url', null, 'instagram_url', null,
      'whatsapp_number', null, 'linkedin_url', null, 'tiktok_url', null, 'youtube_url', null,
      'waze_link', null, 'google_maps_link', null, 'card_slug', null, 'card_headline', null,
      'average_rating', st.average_rating, 'review_count', coalesce(st.review_count, 0),
      'is_active', p.is_active,
      -- The search lists exactly the active practitioners (app.search_practitioners).
      'is_published', p.is_active,
      'is_complete', cardinality(m.required) = 0,
      'missing_fields', to_json(m.required || m.recommended),
      'has_teudat_zehut', h.teudat_zehut_encrypted is not null
    ) as practitioner,
    h.teudat_zehut_encrypted as teudat_zehut_sealed
    from public.practitioners p
    join public.profiles n on n.id = p.id
    left join public.specialties s on s.id = p.specialty_id
    left join public.practitioner_review_stats st on st.practitioner_id = p.id
    left join public.health_profiles h on h.user_id = p.id
    -- A text is missing when it is null or blank.
    cross join lateral (
      select
        array_remove(array[
          case when nullif(btrim(n.first_name), '') is null then 'first_name' end,
          case when nullif(btrim(n.last_name), '') is null then 'last_name' end,
          case when nullif(btrim(p.email), '') is null then 'email' end,
          case when nullif(btrim(p.phone), '') is null then 'phone' end,
          case when nullif(btrim(p.city), '') is null then 'city' end,
          case when p.specialty_id is null then 'specialty_id' end,
          case when p.license_number is null then 'license_number' end,
          case when nullif(btrim(p.address_line), '') is null then 'address_line' end,
          case when nullif(btrim(p.street_number), '') is null then 'street_number' end
        ], null) as required,
        array_remove(array[
          case when nullif(btrim(p.about), '') is null then 'about' end,
          case when nullif(btrim(p.education), '') is null then 'education' end,
          case when cardinality(p.languages) = 0 then 'languages' end,
          case when n.avatar_url is null then 'avatar_url' end,
          case when p.price_min_agorot is null then 'price_min_agorot' end,
          case when p.price_max_agorot is null then 'price_max_agorot' end
        ], null) as recommended
    ) m
    where p.id = ${userId}`;
}

/**
 * The caller's registration (app.register_practitioner): the record, the names and the role in
 * one statement; true when the record is new. Left-out optional values keep what is stored.
 */
export function registerPractitioner(tx: Tx, r: Registration) {
  return tx<[{ created: boolean }]>`
    select app.register_practitioner(
      ${r.first_name}, ${r.last_name}, ${r.email}, ${r.phone}, ${r.city}, ${r.specialty_id},
      ${r.license_number}, ${r.specialization_license ?? null}, ${r.address_line},
      ${r.street_number}, ${r.zip_code ?? null}, ${r.latitude}::float8, ${r.longitude}::float8
    ) as created`;
}
