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

-- Great-circle distance in km (haversine), the figure shown to patients.
create or replace function private.distance_km(
  lat1 double precision, lng1 double precision, lat2 double precision, lng2 double precision
) returns double precision
language sql immutable parallel safe strict set search_path = ''
as $$
  select 2 * 6371.0088 * asin(least(1, sqrt(
    sin(radians(lat2 - lat1) / 2) ^ 2
    + cos(radians(lat1)) * cos(radians(lat2)) * sin(radians(lng2 - lng1) / 2) ^ 2
  )))
$$;

create or replace function private.practitioner_search_document(
  practitioner_id uuid, city text, about text, specialty_id uuid
) returns text
language sql stable set search_path = ''
as $$
  select private.search_normalize(concat_ws(' ',
    (select concat_ws(' ', p.first_name, p.last_name) from public.profiles p where p.id = practitioner_id),
    city,
    (select concat_ws(' ', s.name, s.name_fr, s.name_he, s.name_en, s.name_ru, s.name_am, s.name_es)
     from public.specialties s where s.id = specialty_id),
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

create or replace function private.practitioner_search_on_name_change() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.practitioners pr
  set search_document = private.practitioner_search_document(pr.id, pr.city, pr.about, pr.specialty_id)
  where pr.id = new.id;
  return null;
end
$$;

create trigger profiles_practitioner_search
  after update of first_name, last_name on public.profiles
  for each row when (old.first_name is distinct from new.first_name or old.last_name is distinct from new.last_name)
  execute function private.practitioner_search_on_name_change();

create or replace function private.practitioner_search_on_specialty_change() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.practitioners pr
  set search_document = private.practitioner_search_document(pr.id, pr.city, pr.about, pr.specialty_id)
  where pr.specialty_id = new.id;
  return null;
end
$$;

create trigger specialties_practitioner_search
  after update of name, name_fr, name_he, name_en, name_ru, name_am, name_es on public.specialties
  for each row execute function private.practitioner_search_on_specialty_change();

revoke all on function private.practitioner_search_on_write(), private.practitioner_search_on_name_change(),
  private.practitioner_search_on_specialty_change() from public;

update public.practitioners
set search_document = private.practitioner_search_document(id, city, about, specialty_id);

create index practitioners_search_trgm_idx on public.practitioners
  using gin (search_document extensions.gin_trgm_ops) where is_active;
create index practitioners_city_key_idx on public.practitioners (city_key) where is_active;
create index practitioners_earth_point_idx on public.practitioners using gist (earth_point) where is_active;
