create table public.specialties (
  id uuid primary key default gen_random_uuid(),
  name text not null unique,
  name_fr text not null,
  name_he text not null,
  name_en text not null,
  name_ru text not null,
  name_am text not null,
  name_es text not null,
  created_at timestamptz not null default now()
);

alter table public.specialties enable row level security;

create policy specialties_read on public.specialties for select to anon, authenticated using (true);

revoke all on public.specialties from anon, authenticated;
grant select on public.specialties to anon, authenticated;
