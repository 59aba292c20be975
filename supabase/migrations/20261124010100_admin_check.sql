-- Policies ask "is the caller an admin?"; security definer so the check can read the caller's
-- profile without depending on the profiles policies it is used next to.
create or replace function private.is_admin() returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select from public.profiles where id = (select auth.uid()) and role = 'admin'
  )
$$;

revoke all on function private.is_admin() from public;
grant execute on function private.is_admin() to anon, authenticated;
