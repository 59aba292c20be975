-- The periodic work, run by pg_cron where the extension exists (Supabase) and by the dev stack
-- elsewhere (dev/stack/maintenance.ts): the daily reminders and the cleanups.

-- The outbox keeps a week: the relay reads it from the last id it processed and a client
-- catches up with `last_event_id` after a short absence, never weeks later. The rows arrive
-- in time order, so a BRIN index finds the old ones at almost no cost to each insert.
create index events_created_at_brin on private.events using brin (created_at);

create function private.purge_old_events(p_keep interval default interval '7 days')
returns integer
language sql set search_path = ''
as $$
  with purged as (
    delete from private.events where created_at < now() - p_keep
    returning 1
  )
  select count(*)::integer from purged
$$;

revoke all on function private.purge_old_events(interval) from public, anon, authenticated;

-- What the reminders job runs: a POST to the `reminders` function through pg_net, with the
-- project's URL and the service secret read from Supabase Vault at each run, as Supabase
-- documents for scheduling Edge Functions
-- (https://supabase.com/docs/guides/functions/schedule-functions). The answer lands in
-- net._http_response. The function decides whether the call acts (18:00 in Israel, once a day).
create function private.reminders_job_command() returns text
language sql immutable set search_path = ''
as $$
  select $command$select net.http_post(
  url := (select decrypted_secret from vault.decrypted_secrets where name = 'project_url')
    || '/functions/v1/reminders/run',
  headers := jsonb_build_object(
    'Content-Type', 'application/json',
    'Authorization', 'Bearer ' || (select decrypted_secret from vault.decrypted_secrets
                                   where name = 'service_secret')
  ),
  body := '{}'::jsonb,
  timeout_milliseconds := 60000
) as request_id$command$
$$;

revoke all on function private.reminders_job_command() from public, anon, authenticated;

-- Every job, each calling one function. Idempotent (pg_cron replaces a job of the same name),
-- so it can run again once pg_cron is enabled on a project that did not have it when this
-- migration ran: `select private.schedule_maintenance()`.
--   purge-rate-limit-counters  every 5 minutes
--   purge-old-events           every day at 03:30 UTC
--   appointment-reminders      every day at 15:00 and 16:00 UTC: one of them is 18:00 in
--                              Israel (UTC+2 in winter, UTC+3 in summer), the other finds the
--                              hour not come or the day done.
create or replace function private.schedule_maintenance() returns void
language plpgsql
as $$
begin
  perform cron.schedule(
    'purge-rate-limit-counters', '*/5 * * * *', 'select private.purge_rate_limit_counters()'
  );
  perform cron.schedule('purge-old-events', '30 3 * * *', 'select private.purge_old_events()');
  perform cron.schedule('appointment-reminders', '0 15,16 * * *', private.reminders_job_command());
end
$$;

do $$
begin
  if exists (select from pg_extension where extname = 'pg_cron') then
    perform private.schedule_maintenance();
  end if;
end
$$;
