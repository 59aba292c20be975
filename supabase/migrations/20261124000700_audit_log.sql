create table public.audit_log (
  id bigint generated always as identity primary key,
  actor_id uuid not null references public.profiles (id) on delete cascade,
  action text not null,
  entity text not null,
  entity_id uuid,
  details jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);

create index audit_log_actor_idx on public.audit_log (actor_id, created_at desc);
create index audit_log_entity_idx on public.audit_log (entity, entity_id);

alter table public.audit_log enable row level security;

-- Append-only for users: they record their own actions and read them back, nothing more.
create policy audit_log_insert_own on public.audit_log
  for insert to authenticated with check (actor_id = (select auth.uid()));
create policy audit_log_select_own on public.audit_log
  for select to authenticated using (actor_id = (select auth.uid()));

revoke all on public.audit_log from anon, authenticated;
grant select, insert on public.audit_log to authenticated;
