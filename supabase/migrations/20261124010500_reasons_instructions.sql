create table public.appointment_reasons (
  id uuid primary key default gen_random_uuid(),
  -- Null: a global reason offered by every practitioner.
  practitioner_id uuid references public.practitioners (id) on delete cascade,
  label text not null check (char_length(label) between 1 and 200),
  label_fr text check (char_length(label_fr) <= 200),
  label_he text check (char_length(label_he) <= 200),
  sort_order integer not null default 0,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index appointment_reasons_practitioner_idx on public.appointment_reasons (practitioner_id, sort_order);

create trigger appointment_reasons_touch before update on public.appointment_reasons
  for each row execute function private.touch_updated_at();

create table public.appointment_instructions (
  id uuid primary key default gen_random_uuid(),
  practitioner_id uuid not null references public.practitioners (id) on delete cascade,
  title text not null check (char_length(title) between 1 and 200),
  content text not null check (char_length(content) between 1 and 5000),
  sort_order integer not null default 0,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index appointment_instructions_practitioner_idx on public.appointment_instructions (practitioner_id, sort_order);

create trigger appointment_instructions_touch before update on public.appointment_instructions
  for each row execute function private.touch_updated_at();

alter table public.appointment_reasons enable row level security;
alter table public.appointment_instructions enable row level security;

-- Active reasons and instructions are shown on the public profile; inactive ones only to their owner.
create policy appointment_reasons_read on public.appointment_reasons for select to anon, authenticated
  using (is_active or practitioner_id = (select auth.uid()) or (select private.is_admin()));
create policy appointment_reasons_write on public.appointment_reasons for insert to authenticated
  with check (practitioner_id = (select auth.uid()) or (select private.is_admin()));
create policy appointment_reasons_update on public.appointment_reasons for update to authenticated
  using (practitioner_id = (select auth.uid()) or (select private.is_admin()))
  with check (practitioner_id = (select auth.uid()) or (select private.is_admin()));

create policy appointment_instructions_read on public.appointment_instructions for select to anon, authenticated
  using (is_active or practitioner_id = (select auth.uid()) or (select private.is_admin()));
create policy appointment_instructions_write on public.appointment_instructions for insert to authenticated
  with check (practitioner_id = (select auth.uid()) or (select private.is_admin()));
create policy appointment_instructions_update on public.appointment_instructions for update to authenticated
  using (practitioner_id = (select auth.uid()) or (select private.is_admin()))
  with check (practitioner_id = (select auth.uid()) or (select private.is_admin()));

revoke all on public.appointment_reasons, public.appointment_instructions from anon, authenticated;
grant select on public.appointment_reasons, public.appointment_instructions to anon, authenticated;
grant insert, update on public.appointment_reasons, public.appointment_instructions to authenticated;
