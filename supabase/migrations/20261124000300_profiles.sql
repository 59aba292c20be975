create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  first_name text check (char_length(first_name) <= 100),
  last_name text check (char_length(last_name) <= 100),
  email text,
  phone text check (char_length(phone) <= 32),
  date_of_birth date check (date_of_birth >= date '1900-01-01'),
  sex public.sex_type,
  city text check (char_length(city) <= 100),
  avatar_url text,
  -- Storage object key of the current avatar, so a replacement can delete the old object.
  avatar_path text,
  role public.user_role not null default 'patient',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create trigger profiles_touch before update on public.profiles
  for each row execute function private.touch_updated_at();

alter table public.profiles enable row level security;

create policy profiles_select_own on public.profiles
  for select to authenticated using (id = (select auth.uid()));
create policy profiles_update_own on public.profiles
  for update to authenticated using (id = (select auth.uid())) with check (id = (select auth.uid()));

-- Role and email are never editable by their owner: only these columns are.
revoke all on public.profiles from anon, authenticated;
grant select on public.profiles to authenticated;
grant update (first_name, last_name, phone, date_of_birth, sex, city, avatar_url, avatar_path)
  on public.profiles to authenticated;

-- The profile exists as soon as the auth user does (client-compat: GET /profile right after
-- sign-up), built from the sign-up metadata; the email follows auth.users.
create or replace function private.sync_profile_from_auth_user() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    insert into public.profiles (id, email, first_name, last_name)
    values (
      new.id,
      new.email,
      nullif(btrim(new.raw_user_meta_data ->> 'first_name'), ''),
      nullif(btrim(new.raw_user_meta_data ->> 'last_name'), '')
    );
  elsif new.email is distinct from old.email then
    update public.profiles set email = new.email where id = new.id;
  end if;
  return new;
end
$$;

create trigger on_auth_user_created after insert on auth.users
  for each row execute function private.sync_profile_from_auth_user();
create trigger on_auth_user_email_changed after update of email on auth.users
  for each row execute function private.sync_profile_from_auth_user();
