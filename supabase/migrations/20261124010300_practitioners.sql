create table public.practitioners (
  id uuid primary key references public.profiles (id) on delete cascade,
  specialty_id uuid references public.specialties (id) on delete set null,
  address_line text check (char_length(address_line) <= 200),
  street_number text check (char_length(street_number) <= 20),
  zip_code text check (char_length(zip_code) <= 20),
  city text check (char_length(city) <= 100),
  latitude double precision check (latitude between -90 and 90),
  longitude double precision check (longitude between -180 and 180),
  phone text check (char_length(phone) <= 32),
  email text check (char_length(email) <= 254),
  about text check (char_length(about) <= 5000),
  languages text[] not null default '{}',
  education text check (char_length(education) <= 2000),
  years_of_experience integer check (years_of_experience between 0 and 80),
  is_accepting_new_patients boolean not null default true,
  consultation_duration_minutes integer not null default 30
    check (consultation_duration_minutes between 5 and 240),
  price_min_agorot integer check (price_min_agorot >= 0),
  price_max_agorot integer check (price_max_agorot >= 0),
  sector public.sector,
  time_zone text not null default 'Asia/Jerusalem',
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (price_min_agorot <= price_max_agorot),
  check ((latitude is null) = (longitude is null))
);

create index practitioners_specialty_idx on public.practitioners (specialty_id) where is_active;

create trigger practitioners_touch before update on public.practitioners
  for each row execute function private.touch_updated_at();

alter table public.practitioners enable row level security;

-- The directory is public; a practitioner also sees and edits their own row while inactive.
create policy practitioners_read on public.practitioners for select to anon, authenticated
  using (is_active or id = (select auth.uid()) or (select private.is_admin()));
create policy practitioners_update_own on public.practitioners for update to authenticated
  using (id = (select auth.uid()) or (select private.is_admin()))
  with check (id = (select auth.uid()) or (select private.is_admin()));

revoke all on public.practitioners from anon, authenticated;
grant select on public.practitioners to anon, authenticated;
grant update (specialty_id, address_line, street_number, zip_code, city, latitude, longitude, phone,
  email, about, languages, education, years_of_experience, is_accepting_new_patients,
  consultation_duration_minutes, price_min_agorot, price_max_agorot, sector, time_zone)
  on public.practitioners to authenticated;

-- Becoming a practitioner (role set by an admin or the dev token tool) opens the directory row.
create or replace function private.ensure_practitioner_row() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.role = 'practitioner' then
    insert into public.practitioners (id) values (new.id) on conflict (id) do nothing;
  end if;
  return new;
end
$$;

create trigger profiles_practitioner_row after insert or update of role on public.profiles
  for each row execute function private.ensure_practitioner_row();

-- Names and avatar of practitioners are public; the rest of a profile (email, phone, birth date)
-- is not, so the directory reads them through this view instead of opening profiles to everyone.
create view public.practitioner_public_profiles with (security_barrier) as
  select p.id, p.first_name, p.last_name, p.avatar_url
  from public.profiles p
  join public.practitioners pr on pr.id = p.id;

revoke all on public.practitioner_public_profiles from anon, authenticated;
grant select on public.practitioner_public_profiles to anon, authenticated;
