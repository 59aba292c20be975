-- Health records (contract section 9): the health profile with its encrypted teudat zehut, and
-- the four medical lists. Readable by their owner, and by a practitioner only while the two share
-- an appointment; nobody else, admins included (the CRM's audited view of a patient is
-- app.open_patient_record, migration 20261202004300).
--
-- The teudat zehut never reaches the database in clear: the API stores it sealed with
-- AES-256-GCM (`v1.<key id>.<base64 of nonce, ciphertext and tag>`, the owner's id as additional
-- data) and an HMAC-SHA-256 of the normalised number under a separate key, so duplicates can be
-- found without decrypting (shared/health/teudat-zehut.ts). The keys never reach it either.

create type public.blood_type as enum ('A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-');
create type public.health_severity as enum ('mild', 'moderate', 'severe');

-- Today where the patients live, for "not in the future" checks (the API's own bound,
-- shared/schemas/common.ts, is the same day). Only ever moves forward, so a row that passed keeps
-- passing.
create function private.today_in_israel() returns date
language sql stable
as $$
  select (now() at time zone 'Asia/Jerusalem')::date
$$;

-- The API's timestamp format (shared/db/timestamps.ts), for JSON built inside the database:
-- ISO-8601 in UTC with microseconds and a `Z`. No SET clause, so queries inline it.
create function private.iso_timestamp(p_at timestamptz) returns text
language sql stable
as $$
  select to_char(p_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

-- "This practitioner and this patient share an appointment": at least one appointment, in any
-- status, of the patient in person (`relative_id` null). A booking made for a relative opens
-- nothing of the account holder's own records: the practitioner treats the relative. As the
-- caller (no security definer), so it tells a caller only what they may see of appointments:
-- a practitioner their own, a patient theirs.
create function private.shares_appointment(p_practitioner_id uuid, p_patient_id uuid)
returns boolean
language sql stable
as $$
  select exists (
    select from public.appointments a
    where a.practitioner_id = p_practitioner_id
      and a.patient_id = p_patient_id
      and a.relative_id is null
  )
$$;

revoke all on function private.today_in_israel(), private.iso_timestamp(timestamptz),
  private.shares_appointment(uuid, uuid) from public;
grant execute on function private.today_in_israel(), private.iso_timestamp(timestamptz),
  private.shares_appointment(uuid, uuid) to authenticated, service_role;

create table public.health_profiles (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  teudat_zehut_encrypted text
    check (teudat_zehut_encrypted ~ '^v1\.[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9+/]{16,}={0,2}$'
      and char_length(teudat_zehut_encrypted) <= 300),
  teudat_zehut_hash text check (teudat_zehut_hash ~ '^[0-9a-f]{64}$'),
  date_of_birth date
    check (date_of_birth between date '1900-01-01' and private.today_in_israel()),
  sex public.sex_type,
  blood_type public.blood_type,
  kupat_holim public.kupat_holim,
  kupat_member_id text check (char_length(kupat_member_id) between 1 and 50),
  family_doctor_name text check (char_length(family_doctor_name) between 1 and 200),
  emergency_contact_name text check (char_length(emergency_contact_name) between 1 and 200),
  emergency_contact_phone text check (char_length(emergency_contact_phone) between 1 and 32),
  insurance_provider text check (char_length(insurance_provider) between 1 and 100),
  updated_at timestamptz not null default now(),
  constraint health_profiles_teudat_zehut_sealed_with_hash
    check ((teudat_zehut_encrypted is null) = (teudat_zehut_hash is null))
);

-- Not unique: a refusal would tell one user that another registered this number.
create index health_profiles_teudat_zehut_hash_idx on public.health_profiles (teudat_zehut_hash)
  where teudat_zehut_hash is not null;

-- Every column but the sealed value: re-encrypting it under a new key (npm run
-- rotate-health-key) changes nothing the user wrote.
create trigger health_profiles_touch
  before update of teudat_zehut_hash, date_of_birth, sex, blood_type, kupat_holim,
    kupat_member_id, family_doctor_name, emergency_contact_name, emergency_contact_phone,
    insurance_provider
  on public.health_profiles
  for each row execute function private.touch_updated_at();

create table public.health_conditions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 200 and name = btrim(name)),
  severity public.health_severity,
  diagnosed_on date
    check (diagnosed_on between date '1900-01-01' and private.today_in_israel()),
  notes text check (char_length(notes) between 1 and 2000),
  created_at timestamptz not null default now()
);

create table public.health_medications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 200 and name = btrim(name)),
  dosage text check (char_length(dosage) between 1 and 100),
  frequency text check (char_length(frequency) between 1 and 100),
  started_on date check (started_on between date '1900-01-01' and private.today_in_israel()),
  -- May lie ahead: the planned end of a treatment.
  ended_on date check (ended_on >= date '1900-01-01'),
  notes text check (char_length(notes) between 1 and 2000),
  created_at timestamptz not null default now(),
  constraint health_medications_ended_after_started check (ended_on >= started_on)
);

create table public.health_allergies (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 200 and name = btrim(name)),
  reaction text check (char_length(reaction) between 1 and 200),
  severity public.health_severity,
  notes text check (char_length(notes) between 1 and 2000),
  created_at timestamptz not null default now()
);

create table public.health_vaccinations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 200 and name = btrim(name)),
  vaccinated_on date
    check (vaccinated_on between date '1900-01-01' and private.today_in_israel()),
  dose text check (char_length(dose) between 1 and 50),
  notes text check (char_length(notes) between 1 and 2000),
  created_at timestamptz not null default now()
);

-- Lists are read newest first, per user.
create index health_conditions_user_idx on public.health_conditions (user_id, created_at desc, id desc);
create index health_medications_user_idx on public.health_medications (user_id, created_at desc, id desc);
create index health_allergies_user_idx on public.health_allergies (user_id, created_at desc, id desc);
create index health_vaccinations_user_idx on public.health_vaccinations (user_id, created_at desc, id desc);

-- A list row as every endpoint returns it (the patient's lists, the CRM's view of a patient):
-- one definition per list, inlined into the queries that use it.
create function private.health_row_json(r public.health_conditions) returns json
language sql stable
as $$
  select json_build_object('id', r.id, 'user_id', r.user_id, 'name', r.name,
    'severity', r.severity, 'diagnosed_on', r.diagnosed_on, 'notes', r.notes,
    'created_at', private.iso_timestamp(r.created_at))
$$;

create function private.health_row_json(r public.health_medications) returns json
language sql stable
as $$
  select json_build_object('id', r.id, 'user_id', r.user_id, 'name', r.name,
    'dosage', r.dosage, 'frequency', r.frequency, 'started_on', r.started_on,
    'ended_on', r.ended_on, 'notes', r.notes, 'created_at', private.iso_timestamp(r.created_at))
$$;

create function private.health_row_json(r public.health_allergies) returns json
language sql stable
as $$
  select json_build_object('id', r.id, 'user_id', r.user_id, 'name', r.name,
    'reaction', r.reaction, 'severity', r.severity, 'notes', r.notes,
    'created_at', private.iso_timestamp(r.created_at))
$$;

create function private.health_row_json(r public.health_vaccinations) returns json
language sql stable
as $$
  select json_build_object('id', r.id, 'user_id', r.user_id, 'name', r.name,
    'vaccinated_on', r.vaccinated_on, 'dose', r.dose, 'notes', r.notes,
    'created_at', private.iso_timestamp(r.created_at))
$$;

revoke all on function private.health_row_json(public.health_conditions),
  private.health_row_json(public.health_medications),
  private.health_row_json(public.health_allergies),
  private.health_row_json(public.health_vaccinations) from public;
grant execute on function private.health_row_json(public.health_conditions),
  private.health_row_json(public.health_medications),
  private.health_row_json(public.health_allergies),
  private.health_row_json(public.health_vaccinations) to authenticated, service_role;

-- The owner reads and writes their own rows; a practitioner reads a patient's rows while they
-- share an appointment (an admin is no exception: no policy names admins). PostgreSQL may test
-- the practitioner's policy first, and its lookup is no expression it can inline: the test of
-- the owner in front of it keeps the owner's own reads from running it for every row.
alter table public.health_profiles enable row level security;
alter table public.health_conditions enable row level security;
alter table public.health_medications enable row level security;
alter table public.health_allergies enable row level security;
alter table public.health_vaccinations enable row level security;

create policy health_profiles_owner on public.health_profiles for all to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy health_profiles_practitioner on public.health_profiles for select to authenticated
  using (user_id <> (select auth.uid())
         and private.shares_appointment((select auth.uid()), user_id));

create policy health_conditions_owner on public.health_conditions for all to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy health_conditions_practitioner on public.health_conditions for select to authenticated
  using (user_id <> (select auth.uid())
         and private.shares_appointment((select auth.uid()), user_id));

create policy health_medications_owner on public.health_medications for all to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy health_medications_practitioner on public.health_medications for select to authenticated
  using (user_id <> (select auth.uid())
         and private.shares_appointment((select auth.uid()), user_id));

create policy health_allergies_owner on public.health_allergies for all to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy health_allergies_practitioner on public.health_allergies for select to authenticated
  using (user_id <> (select auth.uid())
         and private.shares_appointment((select auth.uid()), user_id));

create policy health_vaccinations_owner on public.health_vaccinations for all to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy health_vaccinations_practitioner on public.health_vaccinations for select to authenticated
  using (user_id <> (select auth.uid())
         and private.shares_appointment((select auth.uid()), user_id));

revoke all on public.health_profiles, public.health_conditions, public.health_medications,
  public.health_allergies, public.health_vaccinations from anon, authenticated;
grant select, insert, delete on public.health_profiles, public.health_conditions,
  public.health_medications, public.health_allergies, public.health_vaccinations to authenticated;
-- The profile is replaced in place (PUT); its owner never moves it to another user.
grant update (teudat_zehut_encrypted, teudat_zehut_hash, date_of_birth, sex, blood_type,
  kupat_holim, kupat_member_id, family_doctor_name, emergency_contact_name,
  emergency_contact_phone, insurance_provider) on public.health_profiles to authenticated;
