create table public.relatives (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  first_name text not null check (char_length(first_name) between 1 and 100),
  last_name text not null check (char_length(last_name) between 1 and 100),
  relation public.relation_type not null,
  date_of_birth date check (date_of_birth >= date '1900-01-01'),
  kupat_holim public.kupat_holim,
  insurance_provider text check (char_length(insurance_provider) <= 100),
  created_at timestamptz not null default now()
);

create index relatives_user_id_idx on public.relatives (user_id, created_at);

alter table public.relatives enable row level security;

create policy relatives_owner on public.relatives
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

revoke all on public.relatives from anon;
grant select, insert, update, delete on public.relatives to authenticated;
