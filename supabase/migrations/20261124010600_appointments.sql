create table public.appointments (
  id uuid primary key default gen_random_uuid(),
  patient_id uuid not null references public.profiles (id) on delete cascade,
  practitioner_id uuid not null references public.practitioners (id) on delete cascade,
  relative_id uuid references public.relatives (id) on delete set null,
  reason_id uuid references public.appointment_reasons (id) on delete set null,
  -- Wall-clock date and times in the practitioner's time zone.
  appointment_date date not null,
  start_time time not null,
  end_time time not null,
  status public.appointment_status not null default 'pending',
  visited_before boolean not null default false,
  patient_address_line text check (char_length(patient_address_line) <= 200),
  patient_zip_code text check (char_length(patient_zip_code) <= 20),
  patient_city text check (char_length(patient_city) <= 100),
  cancellation_reason text check (char_length(cancellation_reason) <= 1000),
  practitioner_notes text check (char_length(practitioner_notes) <= 5000),
  confirmed_at timestamptz,
  cancelled_at timestamptz,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (end_time > start_time),
  -- Two live bookings of one practitioner never overlap, whatever the code above does.
  constraint appointments_no_overlap exclude using gist (
    practitioner_id with =,
    tsrange(appointment_date + start_time, appointment_date + end_time) with &&
  ) where (status in ('pending', 'confirmed'))
);

create index appointments_patient_idx on public.appointments (patient_id, appointment_date);
create index appointments_practitioner_date_idx on public.appointments (practitioner_id, appointment_date)
  include (start_time, end_time, status);

create trigger appointments_touch before update on public.appointments
  for each row execute function private.touch_updated_at();

alter table public.appointments enable row level security;

-- The CRM also reads appointments through Supabase Realtime, so these policies are what keep
-- one practitioner from seeing another's patients.
create policy appointments_read on public.appointments for select to authenticated
  using (
    patient_id = (select auth.uid())
    or practitioner_id = (select auth.uid())
    or (select private.is_admin())
  );

revoke all on public.appointments from anon, authenticated;
grant select on public.appointments to authenticated;

create table public.reviews (
  id uuid primary key default gen_random_uuid(),
  appointment_id uuid not null unique references public.appointments (id) on delete cascade,
  practitioner_id uuid not null references public.practitioners (id) on delete cascade,
  patient_id uuid not null references public.profiles (id) on delete cascade,
  rating smallint not null check (rating between 1 and 5),
  comment text check (char_length(comment) <= 2000),
  practitioner_reply text check (char_length(practitioner_reply) <= 2000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index reviews_practitioner_idx on public.reviews (practitioner_id, created_at desc);

create trigger reviews_touch before update on public.reviews
  for each row execute function private.touch_updated_at();

alter table public.reviews enable row level security;

create policy reviews_read_parties on public.reviews for select to authenticated
  using (
    patient_id = (select auth.uid())
    or practitioner_id = (select auth.uid())
    or (select private.is_admin())
  );

revoke all on public.reviews from anon, authenticated;
grant select on public.reviews to authenticated;

-- Reviews are public, their authors only by first name and initial.
create view public.public_reviews with (security_barrier) as
  select r.id, r.practitioner_id, r.rating, r.comment, r.practitioner_reply, r.created_at,
         json_build_object(
           'first_name', p.first_name,
           'last_name', nullif(left(p.last_name, 1) || '.', '.')
         ) as profiles
  from public.reviews r
  join public.profiles p on p.id = r.patient_id;

revoke all on public.public_reviews from anon, authenticated;
grant select on public.public_reviews to anon, authenticated;
