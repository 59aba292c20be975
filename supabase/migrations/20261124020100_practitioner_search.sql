-- Search of the practitioner directory: a text document per practitioner kept by triggers, a
-- normalised city, and a point on the earth for nearest-first ordering, each with its index.

create extension if not exists cube with schema extensions;

-- One normal form for documents and queries alike: Hebrew points and cantillation stripped
-- (unaccent's rules have no Hebrew), Latin accents removed, lower case, punctuation and runs of
-- spaces turned into one space, so "Tel-Aviv", "tel  aviv" and "TEL AVIV" are the same words.
-- unaccent() is only stable (its dictionary is looked up by name); naming the dictionary makes
-- this wrapper safe to declare immutable for indexes and generated columns.
create or replace function private.search_normalize(value text) returns text
language sql immutable parallel safe strict set search_path = ''
as $$
  select btrim(regexp_replace(
    lower(extensions.unaccent(
      'extensions.unaccent'::regdictionary,
      regexp_replace(value, '[\u0591-\u05BD\u05BF-\u05C7]', '', 'g')
    )),
    '[[:punct:][:space:]\u05BE]+', ' ', 'g'))
$$;

-- A point on a sphere of the earth's radius in km. The straight-line (chord) distance between two
-- such points grows with the great-circle distance, so a GiST index on the cube orders by true
-- distance (k-nearest-neighbour scan), where a latitude/longitude box would only prefilter.
create or replace function private.earth_point(latitude double precision, longitude double precision)
returns extensions.cube
language sql immutable parallel safe strict set search_path = ''
as $$
  select extensions.cube(array[
    6371.0088 * cos(radians(latitude)) * cos(radians(longitude)),
    6371.0088 * cos(radians(latitude)) * sin(radians(longitude)),
    6371.0088 * sin(radians(latitude))
  ])
$$;

-- Great-circle distance in km (haversine), the figure shown to patients. Inlinable, so the
-- search computes it within its own statement instead of calling it once per result: no
-- `set search_path` (it names only pg_catalog functions and operators, always searched first)
-- and not declared strict (least() would keep the planner from proving the body strict). Rounding
-- overshoot of the haversine term h is capped with 1 - abs(1 - h) instead: equal to h up to 1,
-- and still null whenever a coordinate is null.
create or replace function private.distance_km(
  lat1 double precision, lng1 double precision, lat2 double precision, lng2 double precision
) returns double precision
language sql immutable parallel safe
as $$
  select 2 * 6371.0088 * asin(1 - abs(1 - sqrt(
    sin(radians(lat2 - lat1) / 2) ^ 2
    + cos(radians(lat1)) * cos(radians(lat2)) * sin(radians(lng2 - lng1) / 2) ^ 2
  )))
$$;

-- The fields in order of importance (names, specialty in every language, city, about): where a
-- query word first occurs in the document is the search's relevance.
create or replace function private.practitioner_search_document(
  practitioner_id uuid, city text, about text, specialty_id uuid
) returns text
language sql stable set search_path = ''
as $$
  select private.search_normalize(concat_ws(' ',
    (select concat_ws(' ', p.first_name, p.last_name) from public.profiles p where p.id = practitioner_id),
    (select concat_ws(' ', s.name, s.name_fr, s.name_he, s.name_en, s.name_ru, s.name_am, s.name_es)
     from public.specialties s where s.id = specialty_id),
    city,
    about
  ))
$$;

alter table public.practitioners
  add column search_document text not null default '',
  add column city_key text generated always as (private.search_normalize(city)) stored,
  add column earth_point extensions.cube
    generated always as (private.earth_point(latitude, longitude)) stored;

create or replace function private.practitioner_search_on_write() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  new.search_document := private.practitioner_search_document(new.id, new.city, new.about, new.specialty_id);
  return new;
end
$$;

create trigger practitioners_search_document
  before insert or update of city, about, specialty_id on public.practitioners
  for each row execute function private.practitioner_search_on_write();

-- A profile's names or a specialty's names changed: rebuild the documents that quote them.
-- TG_ARGV[0] is the practitioners column that points at the changed row (id or specialty_id).
create or replace function private.practitioner_search_refresh() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  execute format(
    'update public.practitioners pr
     set search_document = private.practitioner_search_document(pr.id, pr.city, pr.about, pr.specialty_id)
     where pr.%I = $1',
    tg_argv[0]) using new.id;
  return null;
end
$$;

create trigger profiles_practitioner_search
  after update of first_name, last_name on public.profiles
  for each row when (old.first_name is distinct from new.first_name or old.last_name is distinct from new.last_name)
  execute function private.practitioner_search_refresh('id');

create trigger specialties_practitioner_search
  after update of name, name_fr, name_he, name_en, name_ru, name_am, name_es on public.specialties
  for each row execute function private.practitioner_search_refresh('specialty_id');

revoke all on function private.practitioner_search_on_write(), private.practitioner_search_refresh()
  from public;

update public.practitioners
set search_document = private.practitioner_search_document(id, city, about, specialty_id);

-- No statistics on the documents: each one is a practitioner's own text, so they estimate nothing,
-- while the planner would match every query word against a hundred sampled documents per search.
alter table public.practitioners alter column search_document set statistics 0;

create index practitioners_search_trgm_idx on public.practitioners
  using gin (search_document extensions.gin_trgm_ops) where is_active;
create index practitioners_city_key_idx on public.practitioners (city_key) where is_active;
create index practitioners_earth_point_idx on public.practitioners using gist (earth_point) where is_active;

-- The page of search results: ids (and distances) of active practitioners, best first.
-- * q: every word must occur in the document (substring, after normalisation), so "levi cardio"
--   and "cardiologie tel aviv" find across fields; the GIN trigram index serves each LIKE.
--   Words are normalised first, so they hold no LIKE wildcards.
-- * city: equality on the normalised city (btree); specialty: equality (btree).
-- * latitude and longitude: nearest first through the GiST index on earth_point; practitioners
--   without a position are left out, they have no distance to sort by.
-- * without a position, relevance: the earliest first occurrence of the words (names, then
--   specialty, then city, then about); without q, a stable order.
-- Security definer: under row-level security the planner may not use the trigram index for the
-- caller's (non-leakproof) LIKE, so the search runs as the owner and returns only active rows,
-- which are public anyway. The query is built per call, so each plan sees only the filters given;
-- seq scans are discouraged because trigram selectivity estimates are poor and a full scan of the
-- directory on every keystroke is what the indexes are there to avoid.
create or replace function app.search_practitioners(
  p_query text default null,
  p_specialty_id uuid default null,
  p_city text default null,
  p_latitude double precision default null,
  p_longitude double precision default null,
  p_limit integer default 50
) returns table (practitioner_id uuid, distance_km double precision)
language plpgsql stable rows 50 security definer set search_path = '' set enable_seqscan = off
as $$
declare
  words text[] := array(
    select w from unnest(string_to_array(private.search_normalize(p_query), ' ')) w
    where w <> '' limit 10);
  city text := nullif(private.search_normalize(p_city), '');
  origin extensions.cube := private.earth_point(p_latitude, p_longitude);
  filters text := '';
  ranking text[] := '{}';
  word text;
begin
  foreach word in array words loop
    filters := filters || format(' and p.search_document like %L', '%' || word || '%');
    ranking := ranking || format('strpos(p.search_document, %L)', word);
  end loop;
  if p_specialty_id is not null then
    filters := filters || ' and p.specialty_id = $1';
  end if;
  if city is not null then
    filters := filters || ' and p.city_key = $2';
  end if;
  if origin is not null then
    filters := filters || ' and p.earth_point is not null';
  end if;
  return query execute format(
    'select p.id, private.distance_km($4, $5, p.latitude, p.longitude)
     from public.practitioners p
     where p.is_active %s
     order by %s, p.id
     limit $6',
    filters,
    case
      when origin is not null then 'p.earth_point operator(extensions.<->) $3'
      when cardinality(ranking) > 0 then array_to_string(ranking, ' + ')
      else 'p.id'
    end
  ) using p_specialty_id, city, origin, p_latitude, p_longitude, least(greatest(p_limit, 0), 100);
end
$$;

revoke all on function app.search_practitioners(text, uuid, text, double precision, double precision, integer)
  from public;
grant execute on function app.search_practitioners(text, uuid, text, double precision, double precision, integer)
  to anon, authenticated, service_role;
