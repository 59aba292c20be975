create table public.user_settings (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  notifications_enabled boolean not null default true,
  reminders_enabled boolean not null default true,
  locale public.app_locale not null default 'fr',
  updated_at timestamptz not null default now()
);

create trigger user_settings_touch before update on public.user_settings
  for each row execute function private.touch_updated_at();

alter table public.user_settings enable row level security;

create policy user_settings_owner on public.user_settings
  for all to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

revoke all on public.user_settings from anon;
grant select, insert, update on public.user_settings to authenticated;
