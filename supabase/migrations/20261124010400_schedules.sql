create table public.practitioner_weekly_schedule (
  id uuid primary key default gen_random_uuid(),
  practitioner_id uuid not null references public.practitioners (id) on delete cascade,
  -- 0 = Sunday ... 6 = Saturday (client-compat).
  day_of_week smallint not null check (day_of_week between 0 and 6),
  start_time time not null,
  end_time time not null,
  slot_duration_minutes integer not null check (slot_duration_minutes between 5 and 240),
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (end_time > start_time),
  constraint weekly_ranges_do_not_overlap exclude using gist (
    practitioner_id with =,
    day_of_week with =,
    public.timerange(start_time, end_time) with &&
  )
);

create trigger weekly_schedule_touch before update on public.practitioner_weekly_schedule
  for each row execute function private.touch_updated_at();

create table public.practitioner_schedule_overrides (
  id uuid primary key default gen_random_uuid(),
  practitioner_id uuid not null references public.practitioners (id) on delete cascade,
  date date not null,
  is_available boolean not null,
  start_time time,
  end_time time,
  reason text check (char_length(reason) <= 200),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (practitioner_id, date),
  -- Special hours need both ends; a closed day has none.
  check (
    (is_available and start_time is not null and end_time is not null and end_time > start_time)
    or (not is_available and start_time is null and end_time is null)
  )
);

create trigger schedule_overrides_touch before update on public.practitioner_schedule_overrides
  for each row execute function private.touch_updated_at();

alter table public.practitioner_weekly_schedule enable row level security;
alter table public.practitioner_schedule_overrides enable row level security;

-- CRM data: only its practitioner (or an admin) reads and writes it. Patients see the resulting
-- free slots through the availability function, never the schedule rows.
create policy weekly_schedule_owner on public.practitioner_weekly_schedule for all to authenticated
  using (practitioner_id = (select auth.uid()) or (select private.is_admin()))
  with check (practitioner_id = (select auth.uid()) or (select private.is_admin()));
create policy schedule_overrides_owner on public.practitioner_schedule_overrides for all to authenticated
  using (practitioner_id = (select auth.uid()) or (select private.is_admin()))
  with check (practitioner_id = (select auth.uid()) or (select private.is_admin()));

revoke all on public.practitioner_weekly_schedule, public.practitioner_schedule_overrides from anon, authenticated;
grant select, insert, update, delete on public.practitioner_weekly_schedule,
  public.practitioner_schedule_overrides to authenticated;
