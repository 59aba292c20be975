-- The practice's patient records (client-extras 8 and 9): the CRM names every patient by a
-- record of its own, `patient_records.id`, never by a user id, because a practice also sees
-- people who have no account (walk-ins the practice books itself, "draft" records).
--
-- - One record per practitioner and account ("linked", `auth_user_id` set): made by the
--   database on the first appointment of the account holder in person with the practitioner
--   (trigger appointments_2_patient_record), or found again on the next ones. Appointments made
--   for a relative do not make one: the practice treats the relative, and the account holder's
--   records stay closed to it (private.shares_appointment).
-- - Drafts (`auth_user_id` null) are created by the practice (POST /crm/patients, or a walk-in
--   named inline in POST /crm/appointments).
-- - The record's own fields are what the practice wrote; for a linked record a field left null
--   shows the account's value (profile, then health profile): view practice_patients.
-- - An account that is deleted leaves its records as drafts (on delete set null).

create table public.patient_records (
  id uuid primary key default gen_random_uuid(),
  practitioner_id uuid not null references public.practitioners (id) on delete cascade,
  auth_user_id uuid references public.profiles (id) on delete set null,
  first_name text check (char_length(first_name) between 1 and 100),
  last_name text check (char_length(last_name) between 1 and 100),
  phone text check (char_length(phone) between 1 and 32),
  email text check (char_length(email) between 3 and 254),
  city text check (char_length(city) between 1 and 100),
  date_of_birth date
    check (date_of_birth between date '1900-01-01' and private.today_in_israel()),
  sex public.sex_type,
  insurance_provider text check (char_length(insurance_provider) between 1 and 100),
  -- Sealed by the API as the health profile's is (shared/health/teudat-zehut.ts), bound to
  -- `teudat_zehut:patient_record:<id>`.
  teudat_zehut_encrypted text
    check (teudat_zehut_encrypted ~ '^v1\.[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9+/]{16,}={0,2}$'
      and char_length(teudat_zehut_encrypted) <= 300),
  teudat_zehut_hash text check (teudat_zehut_hash ~ '^[0-9a-f]{64}$'),
  -- Who created a draft; null for records the database made from appointments.
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint patient_records_teudat_zehut_sealed_with_hash
    check ((teudat_zehut_encrypted is null) = (teudat_zehut_hash is null)),
  constraint patient_records_one_per_account unique (practitioner_id, auth_user_id),
  -- What an appointment's reference names: a record of the appointment's own practitioner.
  constraint patient_records_id_practitioner_key unique (id, practitioner_id)
);

create trigger patient_records_touch before update on public.patient_records
  for each row execute function private.touch_updated_at();

alter table public.patient_records enable row level security;

-- The practice's own records (an admin: any). Users create drafts only: auth_user_id and
-- created_by are not theirs to write.
create policy patient_records_practice on public.patient_records for all to authenticated
  using (practitioner_id = (select auth.uid()) or (select private.is_admin()))
  with check (practitioner_id = (select auth.uid()) or (select private.is_admin()));

revoke all on public.patient_records from anon, authenticated;
grant select on public.patient_records to authenticated;
grant insert (practitioner_id, first_name, last_name, phone, email, city, date_of_birth, sex,
  insurance_provider) on public.patient_records to authenticated;
grant update (first_name, last_name, phone, email, city, date_of_birth, sex, insurance_provider,
  teudat_zehut_encrypted, teudat_zehut_hash) on public.patient_records to authenticated;

-- A phone number's digits as a person would dial them in Israel: +972 50... and 050... alike.
create function private.phone_digits(p_phone text) returns text
language sql immutable parallel safe strict set search_path = ''
as $$
  select case when d like '972%' then '0' || substr(d, 4) else d end
  from (select regexp_replace(p_phone, '\D', '', 'g') as d) x
$$;

-- The records as the CRM shows them: the practice's values, else the account's (profile, then
-- health profile); whether there is a teudat zehut and which sealed value to open (the record's
-- own, else the health profile's: the API masks it); what the edit form still misses (the nine
-- fields of client-extras 9); and the normalised text a search reads (private.search_normalize,
-- as the directory's search). With its owner's rights, so the account's profile opens, only on
-- the caller's own records (an admin: any).
create view public.practice_patients with (security_barrier) as
  select r.id, r.practitioner_id, r.auth_user_id,
         case when r.auth_user_id is null then 'draft' else 'linked' end as status,
         v.first_name, v.last_name, v.phone, v.email, v.city, v.date_of_birth, v.sex,
         v.insurance_provider, p.avatar_url,
         v.teudat_zehut_sealed is not null as has_teudat_zehut,
         v.teudat_zehut_sealed,
         case when r.teudat_zehut_encrypted is not null then 'patient_record'
              when v.teudat_zehut_sealed is not null then 'health_profile' end
           as teudat_zehut_owner,
         case when r.teudat_zehut_encrypted is not null then r.id
              when v.teudat_zehut_sealed is not null then r.auth_user_id end
           as teudat_zehut_owner_id,
         array_remove(array[
           case when v.first_name is null then 'first_name' end,
           case when v.last_name is null then 'last_name' end,
           case when v.phone is null then 'phone' end,
           case when v.email is null then 'email' end,
           case when v.city is null then 'city' end,
           case when v.date_of_birth is null then 'date_of_birth' end,
           case when v.sex is null then 'sex' end,
           case when v.teudat_zehut_sealed is null then 'teudat_zehut' end,
           case when v.insurance_provider is null then 'insurance_provider' end
         ], null) as missing_fields,
         coalesce(private.search_normalize(concat_ws(' ', v.first_name, v.last_name, v.email)),
                  '') as search_text,
         coalesce(private.phone_digits(v.phone), '') as phone_digits,
         r.created_at, r.updated_at
  from public.patient_records r
  left join public.profiles p on p.id = r.auth_user_id
  left join public.health_profiles hp on hp.user_id = r.auth_user_id
  cross join lateral (
    select coalesce(r.first_name, p.first_name) as first_name,
           coalesce(r.last_name, p.last_name) as last_name,
           coalesce(r.phone, p.phone) as phone,
           coalesce(r.email, p.email) as email,
           coalesce(r.city, p.city) as city,
           coalesce(r.date_of_birth, p.date_of_birth, hp.date_of_birth) as date_of_birth,
           coalesce(r.sex, p.sex, hp.sex) as sex,
           coalesce(r.insurance_provider, hp.insurance_provider) as insurance_provider,
           coalesce(r.teudat_zehut_encrypted, hp.teudat_zehut_encrypted) as teudat_zehut_sealed
  ) v
  where r.practitioner_id = (select auth.uid()) or (select private.is_admin());

revoke all on public.practice_patients from anon, authenticated;
grant select on public.practice_patients to authenticated;

-- Each appointment names its record: the account holder's own (made or found by the trigger
-- below), or the draft the practice booked for. Null only for appointments made for a relative,
-- and for history the platform writes with the triggers off (the benchmark's data).
alter table public.appointments
  add column patient_record_id uuid,
  add constraint appointments_patient_record foreign key (patient_record_id, practitioner_id)
    references public.patient_records (id, practitioner_id);

create index appointments_patient_record_idx on public.appointments (patient_record_id, starts_at)
  where patient_record_id is not null;

-- The records of every pair seen so far, then the appointments pointing at them (without
-- touching their updated_at).
insert into public.patient_records (practitioner_id, auth_user_id, created_by, created_at)
select a.practitioner_id, a.patient_id, null, min(a.created_at)
from public.appointments a
where a.relative_id is null
group by a.practitioner_id, a.patient_id
on conflict on constraint patient_records_one_per_account do nothing;

alter table public.appointments disable trigger appointments_touch;
update public.appointments a
set patient_record_id = r.id
from public.patient_records r
where r.practitioner_id = a.practitioner_id and r.auth_user_id = a.patient_id
  and a.relative_id is null and a.patient_record_id is null;
alter table public.appointments enable trigger appointments_touch;

-- The record of a new appointment, after the booking rules and before the status times
-- (triggers of one event fire in name order): a record named by the writer must be the
-- practitioner's and gives the appointment its account (none for a draft); otherwise the account
-- holder's record with the practitioner is found, or made, for an appointment in person.
create function private.appointment_patient_record() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  account uuid;
begin
  if new.patient_record_id is not null then
    select r.auth_user_id into account
      from public.patient_records r
      where r.id = new.patient_record_id and r.practitioner_id = new.practitioner_id;
    if not found then
      raise exception using errcode = 'DK404', message = 'We could not find this patient.';
    end if;
    if new.relative_id is not null
       or (new.patient_id is not null and new.patient_id is distinct from account) then
      raise exception using errcode = 'DK400', column = 'patient_record_id',
        message = 'This patient record is not the patient of this appointment.';
    end if;
    new.patient_id := account;
    return new;
  end if;
  -- The practice names its patient by a record, never by an account: a practice's own booking
  -- must not link a record (and open the health records it gives) to anyone it likes.
  if new.source = 'dokal_crm'
     and ((select auth.uid()) = new.practitioner_id or (select private.is_admin())) then
    raise exception using errcode = 'DK400', column = 'patient_record_id',
      message = 'Please choose one of the practice''s patients.';
  end if;
  if new.patient_id is null or new.relative_id is not null then
    return new;
  end if;
  select r.id into new.patient_record_id
    from public.patient_records r
    where r.practitioner_id = new.practitioner_id and r.auth_user_id = new.patient_id;
  if new.patient_record_id is null then
    insert into public.patient_records (practitioner_id, auth_user_id, created_by)
    values (new.practitioner_id, new.patient_id, null)
    on conflict on constraint patient_records_one_per_account do nothing
    returning id into new.patient_record_id;
    -- Made at the same moment by another booking of the pair.
    if new.patient_record_id is null then
      select r.id into new.patient_record_id
        from public.patient_records r
        where r.practitioner_id = new.practitioner_id and r.auth_user_id = new.patient_id;
    end if;
  end if;
  return new;
end
$$;

create trigger appointments_2_patient_record before insert on public.appointments
  for each row execute function private.appointment_patient_record();

-- A walk-in has no account: the appointment is the record's alone.
alter table public.appointments
  alter column patient_id drop not null,
  add constraint appointments_patient_or_record
    check (patient_id is not null or patient_record_id is not null);
