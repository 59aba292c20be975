import type { Tx } from '../../shared/db/client.ts';
import {
  firstFreeSlots,
  type Slot,
  SLOT_WINDOW_DAYS,
  slotsJson,
} from '../../shared/availability/free-slots.ts';
import type { PublicReview } from '../../shared/schemas/practitioner.ts';
import type {
  practitionerProfileSchema,
  ReviewsQuery,
  SearchQuery,
  searchResultSchema,
} from './routes.ts';
import type { z } from '@hono/zod-openapi';
import { MAX_SLOT_RANGE_DAYS } from './routes.ts';

type SearchResult = z.infer<typeof searchResultSchema>;
type PractitionerProfile = z.infer<typeof practitionerProfileSchema>;

/** How many reviews the profile shows; the reviews endpoint pages through the rest. */
const PROFILE_REVIEWS = 10;

/**
 * The summary fields of practitioner `p`, with its specialty `s` and review figures `rv` joined
 * by `summaryJoins`: shared by the search and the profile.
 */
const summaryColumns = (tx: Tx) =>
  tx`p.id, p.address_line, p.zip_code, p.city, p.sector, p.latitude, p.longitude, p.about,
     p.languages, p.education, p.years_of_experience, p.is_accepting_new_patients,
     -- A subquery per row: the view is a security barrier, and joined it would be built whole.
     (select json_build_object('first_name', v.first_name, 'last_name', v.last_name,
                               'avatar_url', v.avatar_url)
      from public.practitioner_public_profiles v where v.id = p.id) as profiles,
     case when s.id is not null then
       json_build_object('name', s.name, 'name_fr', s.name_fr, 'name_he', s.name_he)
     end as specialties,
     rv.average_rating, rv.review_count`;

const summaryJoins = (tx: Tx) =>
  tx`left join public.specialties s on s.id = p.specialty_id
     -- An aggregate over the view keeps one row per practitioner and keeps the plan a nested
     -- loop through the reviews index, rather than grouping every review of every practitioner.
     cross join lateral (
       select max(st.average_rating) as average_rating,
              coalesce(max(st.review_count), 0) as review_count
       from public.practitioner_review_stats st where st.practitioner_id = p.id
     ) rv`;

/** Reviews of practitioner `p`, newest first, as a JSON array: the profile's and the pages'. */
const reviewsJson = (tx: Tx, limit: number, offset = 0) =>
  tx`coalesce((
    select json_agg(json_build_object('id', r.id, 'rating', r.rating, 'comment', r.comment,
                      'practitioner_reply', r.practitioner_reply, 'created_at', r.created_at,
                      'profiles', r.profiles)
                    order by r.created_at desc, r.id)
    from (
      select * from public.public_reviews r where r.practitioner_id = p.id
      order by r.created_at desc, r.id limit ${limit} offset ${offset}
    ) r
  ), '[]'::json)`;

/** One page of search results with their first free slot, in one statement. */
export async function searchPractitioners(tx: Tx, query: SearchQuery): Promise<SearchResult[]> {
  const { q = null, specialty = null, city = null, lat = null, lng = null, limit } = query;
  const page = tx`app.search_practitioners(${q}, ${specialty}, ${city}, ${lat}, ${lng}, ${limit})`;
  const firstSlot = firstFreeSlots(tx, tx`(select array_agg(practitioner_id) from hit)`);
  const rows = await tx<(SearchResult & { distance_km: number | null })[]>`
    with hit as materialized (
      select h.practitioner_id, h.distance_km, h.rank
      from ${page} with ordinality as h(practitioner_id, distance_km, rank)
    )
    select ${summaryColumns(tx)},
           round(hit.distance_km::numeric, 2)::float8 as distance_km,
           case when fs.practitioner_id is not null then
             json_build_object('slot_date', fs.slot_date, 'slot_start', fs.slot_start,
                               'slot_end', fs.slot_end)
           end as first_slot
    from hit
    join public.practitioners p on p.id = hit.practitioner_id
    ${summaryJoins(tx)}
    left join ${firstSlot} fs on fs.practitioner_id = p.id
    order by hit.rank`;
  // distance_km is part of a result only when the search had a position.
  return rows.map(({ distance_km, ...row }) =>
    lat === null ? row : { ...row, distance_km: distance_km as number }
  );
}

/** The public profile with everything the profile screen shows, or undefined. */
export async function readProfile(tx: Tx, id: string): Promise<PractitionerProfile | undefined> {
  const lastDay = tx`local.today + ${SLOT_WINDOW_DAYS - 1}::int`;
  const [row] = await tx<PractitionerProfile[]>`
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
    from public.practitioners p
    cross join lateral (select (now() at time zone p.time_zone)::date as today) local
    ${summaryJoins(tx)}
    where p.id = ${id}`;
  return row;
}

export interface SlotRange {
  from: string;
  to: string;
  /** Null when the range is reversed or too long: nothing was computed. */
  slots: Slot[] | null;
}

/**
 * The free slots of a practitioner between `from` and `to`, defaulting to the practitioner's
 * own today and the end of the SLOT_WINDOW_DAYS window, or undefined when there is no such
 * (active) practitioner.
 */
export async function readSlots(
  tx: Tx,
  id: string,
  from: string | undefined,
  to: string | undefined,
): Promise<SlotRange | undefined> {
  const today = tx`(now() at time zone p.time_zone)::date`;
  const windowEnd = tx`f.from_date + ${SLOT_WINDOW_DAYS - 1}::int`;
  const [row] = await tx<SlotRange[]>`
    select r.from_date as from, r.to_date as to,
           case when r.to_date >= r.from_date and r.to_date - r.from_date < ${MAX_SLOT_RANGE_DAYS}
             then ${slotsJson(tx, tx`p.id`, tx`r.from_date`, tx`r.to_date`)}
           end as slots
    from public.practitioners p
    cross join lateral (select coalesce(${from ?? null}::date, ${today}) as from_date) f
    cross join lateral (
      select f.from_date, coalesce(${to ?? null}::date, ${windowEnd}) as to_date
    ) r
    where p.id = ${id}`;
  return row;
}

export interface ReviewPage {
  reviews: PublicReview[];
  total: number;
}

/** A page of a practitioner's reviews, newest first, or undefined when there is no such practitioner. */
export async function readReviews(
  tx: Tx,
  id: string,
  page: ReviewsQuery,
): Promise<ReviewPage | undefined> {
  const [row] = await tx<ReviewPage[]>`
    select ${reviewsJson(tx, page.limit, page.offset)} as reviews,
           (select count(*)::int from public.public_reviews r where r.practitioner_id = p.id) as total
    from public.practitioners p
    where p.id = ${id}`;
  return row;
}
