-- The request gate: one statement per authenticated request looks up the caller's role and
-- counts the hit, instead of one round trip for each.
create function private.authorize_request(
  p_user_id uuid,
  p_key text,
  out role public.user_role,
  out hits integer,
  out reset_at timestamptz
)
language sql
as $$
  -- The hit is counted even when the account is gone: a loop of stale tokens is still a loop.
  select (select p.role from public.profiles p where p.id = p_user_id), h.hits, h.reset_at
  from private.hit_rate_limit(p_key) h
$$;

revoke all on function private.authorize_request(uuid, text) from public, anon, authenticated;

-- Expired windows are dead weight: one row per client address would otherwise stay forever.
-- A concurrent hit on a key being deleted is safe: its upsert then inserts a fresh window.
create function private.purge_rate_limit_counters() returns integer
language sql
as $$
  with purged as (
    delete from private.rate_limit_counters
    where window_start < date_trunc('minute', now())
    returning 1
  )
  select count(*)::integer from purged
$$;

revoke all on function private.purge_rate_limit_counters() from public, anon, authenticated;

-- Idempotent (pg_cron replaces a job of the same name), so it can run again once pg_cron is
-- enabled on a project that did not have it when this migration ran.
create function private.schedule_maintenance() returns void
language plpgsql
as $$
begin
  perform cron.schedule(
    'purge-rate-limit-counters', '*/5 * * * *', 'select private.purge_rate_limit_counters()'
  );
end
$$;

revoke all on function private.schedule_maintenance() from public, anon, authenticated;

-- Where pg_cron is missing (the embedded local database), the dev stack runs the purge itself.
do $$
begin
  if exists (select from pg_extension where extname = 'pg_cron') then
    perform private.schedule_maintenance();
  end if;
end
$$;
