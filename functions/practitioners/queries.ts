import type { Fragment, Tx } from '../../shared/db/client.ts';
import {
  firstFreeSlots,
  type Slot,
  SLOT_WINDOW_DAYS,
  slotsJson,
} from '../../shared/availability/free-slots.ts';
import { isoTimestamp } from '../../shared/db/timestamps.ts';
import type { JsonText } from '../../shared/http/json-text.ts';
import {
  MAX_SLOT_RANGE_DAYS,
  type PractitionerProfile,
  type ReviewPage,
  type ReviewsQuery,
  type SearchQuery,
  type SearchResult,
} from './schemas.ts';

/** How many reviews the profile shows; the reviews endpoint pages through the rest. */
const PROFILE_REVIEWS = 10;

/**
 * The summary fields of practitioner `p`, with its specialty `s`, review figures `st` and public
 * names `v` joined by `summaryJoins`: shared by the search and the profile. Each response is the
 * JSON of one row (`row_to_json`, `json_agg`) built from these columns, which PostgreSQL
 * serialises faster than one `json_build_object` call per object.
 */
const summaryColumns = (tx: Tx) =>
  tx`p.id, p.address_line, p.zip_code, p.city, p.sector, p.latitude, p.longitude, p.about,
     p.languages, p.education, p.years_of_experience, p.is_accepting_new_patients,
     v.profiles,
     case when s.id is not null then
       json_build_object('name', s.name, 'name_fr', s.name_fr, 'name_he', s.name_he)
     end as specialties,
     st.average_rating, coalesce(st.review_count, 0) as review_count`;

const summaryJoins = (tx: Tx, ids: Fragment) =>
  tx`left join public.specialties s on s.id = p.specialty_id
     left join public.practitioner_review_stats st on st.practitioner_id = p.id
     -- The view is a security barrier: joined on p.id alone it would be built whole, so it is
     -- read for the ids of the response only (one index scan for a whole page).
     left join (
       select v.id, json_build_object('first_name', v.first_name, 'last_name', v.last_name,
                                      'avatar_url', v.avatar_url) as profiles
       from public.practitioner_public_profiles v where v.id = any (${ids}::uuid[])
     ) v on v.id = p.id`;

/** Reviews of practitioner `p`, newest first, as a JSON array: the profile's and the pages'. */
const reviewsJson = (tx: Tx, limit: number, offset = 0) =>
  tx`coalesce((
    select json_agg(json_build_object('id', r.id, 'rating', r.rating, 'comment', r.comment,
                      'practitioner_reply', r.practitioner_reply,
                      'created_at', ${isoTimestamp(tx, tx`r.created_at`)},
                      'profiles', r.profiles)
                    order by r.created_at desc, r.id)
    from (
      select * from public.public_reviews r where r.practitioner_id = p.id
      order by r.created_at desc, r.id limit ${limit} offset ${offset}
    ) r
  ), '[]'::json)`;

// The reads below are one statement each, handed back unsent: `asAnon` sends it with its commit
// in one write.

/** One page of search results with their first free slot, as JSON built in one statement. */
export function searchPractitioners(tx: Tx, query: SearchQuery) {
  const { q = null, specialty = null, city = null, lat = null, lng = null, limit } = query;
  const page = tx`app.search_practitioners(${q}, ${specialty}, ${city}, ${lat}, ${lng}, ${limit})`;
  const ids = tx`(select array_agg(practitioner_id) from hit)`;
  const firstSlot = firstFreeSlots(tx, ids);
  // distance_km is part of a result only when the search had a position.
  const distance = lat === null
    ? tx``
    : tx`round(hit.distance_km::numeric, 2)::float8 as distance_km,`;
  return tx<[{ results: JsonText<SearchResult[]> }]>`
    with hit as materialized (
      select h.practitioner_id, h.distance_km, h.rank
      from ${page} with ordinality as h(practitioner_id, distance_km, rank)
    )
    select coalesce(json_agg(result order by hit.rank), '[]')::text as results
    from hit
    join public.practitioners p on p.id = hit.practitioner_id
    ${summaryJoins(tx, ids)}
    left join ${firstSlot} fs on fs.practitioner_id = p.id
    cross join lateral (
      select ${summaryColumns(tx)}, ${distance}
             case when fs.practitioner_id is not null then
               json_build_object('slot_date', fs.slot_date, 'slot_start', fs.slot_start,
                                 'slot_end', fs.slot_end)
             end as first_slot
    ) result`;
}

/** The public profile with everything the profile screen shows; no row when there is none. */
export function readProfile(tx: Tx, id: string) {
  const lastDay = tx`local.today + ${SLOT_WINDOW_DAYS - 1}::int`;
  return tx<[{ profile: JsonText<PractitionerProfile> }?]>`
    select row_to_json(profile)::text as profile
    from public.practitioners p
    cross join lateral (select (now() at time zone p.time_zone)::date as today) local
    ${summaryJoins(tx, tx`array[${id}::uuid]`)}
    cross join lateral (
      select ${summaryColumns(tx)},
             p.phone, p.email, p.consultation_duration_minutes,
             coalesce((
               select json_agg(json_build_object('id', i.id, 'title', i.title,
                                 'content', i.content, 'sort_order', i.sort_order)
                               order by i.sort_order, i.created_at)
               from public.appointment_instructions i
               where i.practitioner_id = p.id and i.is_active
             ), '[]'::json) as instructions,
             coalesce((
               select json_agg(json_build_object('id', a.id, 'label', a.label,
                                 'label_fr', a.label_fr, 'label_he', a.label_he)
                               order by a.practitioner_id nulls first, a.sort_order, a.label)
               from public.appointment_reasons a
               where (a.practitioner_id = p.id or a.practitioner_id is null) and a.is_active
             ), '[]'::json) as reasons,
             ${slotsJson(tx, tx`p.id`, tx`local.today`, lastDay)} as slots,
             ${reviewsJson(tx, PROFILE_REVIEWS)} as reviews
    ) profile
    where p.id = ${id}`;
}

export interface SlotRange {
  from: string;
  to: string;
  /** Null when the range is reversed or too long: nothing was computed. */
  slots: JsonText<Slot[]> | null;
}

/**
 * The free slots of a practitioner between `from` and `to`, defaulting to the practitioner's
 * own today and the end of the SLOT_WINDOW_DAYS window; no row when there is no such (active)
 * practitioner.
 */
export function readSlots(tx: Tx, id: string, from: string | undefined, to: string | undefined) {
  const today = tx`(now() at time zone p.time_zone)::date`;
  const windowEnd = tx`f.from_date + ${SLOT_WINDOW_DAYS - 1}::int`;
  return tx<[SlotRange?]>`
    select r.from_date as from, r.to_date as to,
           case when r.to_date >= r.from_date and r.to_date - r.from_date < ${MAX_SLOT_RANGE_DAYS}
             then ${slotsJson(tx, tx`p.id`, tx`r.from_date`, tx`r.to_date`)}::text
           end as slots
    from public.practitioners p
    cross join lateral (select coalesce(${from ?? null}::date, ${today}) as from_date) f
    cross join lateral (
      select f.from_date, coalesce(${to ?? null}::date, ${windowEnd}) as to_date
    ) r
    where p.id = ${id}`;
}

/** A page of a practitioner's reviews, newest first; no row when there is no such practitioner. */
export function readReviews(tx: Tx, id: string, page: ReviewsQuery) {
  return tx<[{ page: JsonText<ReviewPage> }?]>`
    select json_build_object(
             'reviews', ${reviewsJson(tx, page.limit, page.offset)},
             'total', (select count(*)::int from public.public_reviews r where r.practitioner_id = p.id)
           )::text as page
    from public.practitioners p
    where p.id = ${id}`;
}
