-- A practitioner's own registration from the CRM (POST /practitioners/register), and the admin's
-- activation of the record it creates (PATCH /crm/profile?practitioner_id=, field is_active).
--
-- Anyone signed in may register; the record starts inactive, out of the directory and of
-- booking, until an admin activates it. A role set by the platform (an admin's update of
-- profiles.role, the dev token tool) still opens an active row through
-- private.ensure_practitioner_row (20261124010300): that is an admin's decision already.

-- The licences the CRM asks for: the practice licence (required to be complete) and the
-- specialist's, each 1 to 6 digits.
alter table public.practitioners
  add column license_number text check (license_number ~ '^[0-9]{1,6}$'),
  add column specialization_license text check (specialization_license ~ '^[0-9]{1,6}$');

-- Only an admin publishes or withdraws a practitioner. The column is granted so that an admin
-- acting through the CRM writes it as themself (RLS: practitioners_update_own lets admins
-- update any row); this trigger refuses everyone else who is signed in. The platform (no
-- signed-in user) is not refused.
grant update (is_active) on public.practitioners to authenticated;

create function private.practitioner_activation_rules() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.is_active is distinct from old.is_active
     and (select auth.uid()) is not null
     and not (select private.is_admin()) then
    raise exception using errcode = '42501',
      message = 'Only an administrator can publish or withdraw a practitioner.';
  end if;
  return new;
end
$$;

create trigger practitioners_activation_rules before update of is_active on public.practitioners
  for each row execute function private.practitioner_activation_rules();

-- The caller's registration, in one transaction with the caller's request: the practitioner
-- record (created inactive, or updated when it exists: the CRM submits again for a record that
-- is still incomplete, and may retry), the names on the profile and the role. The record is
-- written before the role changes, so private.ensure_practitioner_row finds it and keeps it as
-- it is. The profile row is locked first: two registrations at once are decided one after the
-- other. An optional value left out (null) keeps what is stored. True when the record is new.
create function app.register_practitioner(
  p_first_name text,
  p_last_name text,
  p_email text,
  p_phone text,
  p_city text,
  p_specialty_id uuid,
  p_license_number text,
  p_specialization_license text,
  p_address_line text,
  p_street_number text,
  p_zip_code text,
  p_latitude double precision,
  p_longitude double precision
) returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  me uuid := private.caller();
  caller_role public.user_role;
  created boolean;
begin
  select p.role into caller_role from public.profiles p where p.id = me for update;
  if not found then
    raise exception using errcode = 'DK404', message = 'Your account no longer exists.';
  end if;
  if caller_role = 'admin' then
    raise exception using errcode = 'DK409',
      message = 'An administrator account cannot be registered as a practitioner.';
  end if;
  created := not exists (select from public.practitioners pr where pr.id = me);
  insert into public.practitioners as pr
    (id, is_active, email, phone, city, specialty_id, license_number, specialization_license,
     address_line, street_number, zip_code, latitude, longitude)
  values (me, false, p_email, p_phone, p_city, p_specialty_id, p_license_number,
          p_specialization_license, p_address_line, p_street_number, p_zip_code, p_latitude,
          p_longitude)
  on conflict (id) do update set
    email = excluded.email,
    phone = excluded.phone,
    city = excluded.city,
    specialty_id = excluded.specialty_id,
    license_number = excluded.license_number,
    specialization_license = coalesce(excluded.specialization_license, pr.specialization_license),
    address_line = excluded.address_line,
    street_number = excluded.street_number,
    zip_code = coalesce(excluded.zip_code, pr.zip_code),
    latitude = excluded.latitude,
    longitude = excluded.longitude;
  update public.profiles
  set first_name = p_first_name, last_name = p_last_name, role = 'practitioner'
  where id = me;
  return created;
end
$$;

revoke all on function app.register_practitioner(text, text, text, text, text, uuid, text, text,
  text, text, text, double precision, double precision) from public;
grant execute on function app.register_practitioner(text, text, text, text, text, uuid, text,
  text, text, text, text, double precision, double precision) to authenticated;
