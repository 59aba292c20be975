-- Push notifications: the devices a user registered (OneSignal subscription ids), and one
-- delivery record per notification that the push routine (shared/push/deliver.ts) claims, sends
-- and closes.

create type public.push_platform as enum ('ios', 'android', 'web');

-- A token is a push provider's subscription id: one device of one user. A device that changes
-- hands is registered again by its new user, and the row moves to them (app.register_push_token).
create table public.push_tokens (
  -- Printable ASCII without spaces, 10 to 255 characters, as the API accepts it.
  token text primary key check (token ~ '^[!-~]{10,255}$'),
  user_id uuid not null references public.profiles (id) on delete cascade,
  platform public.push_platform not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index push_tokens_user_idx on public.push_tokens (user_id);

create trigger push_tokens_touch before update on public.push_tokens
  for each row execute function private.touch_updated_at();

alter table public.push_tokens enable row level security;

-- The owner sees and removes their own devices. Nobody inserts or updates directly: a token held
-- by another user is invisible to the caller, so registration goes through the function below.
create policy push_tokens_owner_read on public.push_tokens for select to authenticated
  using (user_id = (select auth.uid()));
create policy push_tokens_owner_delete on public.push_tokens for delete to authenticated
  using (user_id = (select auth.uid()));

revoke all on public.push_tokens from anon, authenticated;
grant select, delete on public.push_tokens to authenticated;

-- Registers `p_token` for the signed-in user: a new row, the same row again (idempotent), or the
-- row of another user moved to the caller (the device changed hands). Security definer because
-- the caller can neither see nor update another user's row.
create function app.register_push_token(p_token text, p_platform public.push_platform)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  caller uuid := auth.uid();
begin
  if caller is null then
    raise exception 'Sign in to register a device.' using errcode = '42501';
  end if;
  insert into public.push_tokens as t (token, user_id, platform)
  values (p_token, caller, p_platform)
  on conflict (token) do update
    set user_id = excluded.user_id, platform = excluded.platform
    where (t.user_id, t.platform) is distinct from (excluded.user_id, excluded.platform);
end
$$;

revoke all on function app.register_push_token(text, public.push_platform) from public;
grant execute on function app.register_push_token(text, public.push_platform) to authenticated;

-- What became of a notification's push.
--   pending: to send at next_attempt_at (first attempt, a retry after backoff, or a claim whose
--            lease ran out);
--   sent:    OneSignal accepted it (provider_id is its notification id);
--   skipped: nothing to send: push or reminders turned off, no device, every device
--            unsubscribed, or too old to be worth a push (skip_reason);
--   failed:  OneSignal refused it, or it kept failing until the last attempt (last_error).
create type private.push_delivery_status as enum ('pending', 'sent', 'skipped', 'failed');

create table private.push_deliveries (
  notification_id uuid primary key references public.notifications (id) on delete cascade,
  status private.push_delivery_status not null default 'pending',
  -- Sending attempts so far (a claim counts as one).
  attempts integer not null default 0 check (attempts >= 0),
  -- When it is due: the first attempt at once; a retry after backoff; a claimed delivery only
  -- once the claim's lease ran out (a worker that died leaves it to another after the lease).
  next_attempt_at timestamptz not null default now(),
  -- The claim of the worker sending it now: only that claim may record the outcome.
  claim_id uuid,
  claimed_at timestamptz,
  -- A short code of the last failed attempt: http_500, http_400, network, timeout...
  last_error text check (char_length(last_error) <= 100),
  skip_reason text check (skip_reason in (
    'notifications_disabled', 'reminders_disabled', 'no_tokens', 'unsubscribed', 'expired')),
  provider_id text check (char_length(provider_id) <= 200),
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  constraint push_deliveries_open_or_finished check (
    (status = 'pending') = (finished_at is null)
    and (status = 'pending' or claim_id is null)
    and ((status = 'skipped') = (skip_reason is not null))
    and (status <> 'failed' or last_error is not null)
  )
);

-- The claim reads the due ones only, in order.
create index push_deliveries_due_idx on private.push_deliveries (next_attempt_at)
  where status = 'pending';

alter table private.push_deliveries enable row level security;
revoke all on private.push_deliveries from public, anon, authenticated;

-- Every notification gets its delivery record in the transaction that creates it. Notifications
-- written before this migration are not pushed.
create function private.notification_push_delivery() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into private.push_deliveries (notification_id) values (new.id);
  return null;
end
$$;

create trigger notifications_push_delivery after insert on public.notifications
  for each row execute function private.notification_push_delivery();

-- A push about something more than a day old is noise (a backlog after push was off, say).
create function private.push_max_age() returns interval
language sql immutable set search_path = ''
as $$ select interval '1 day' $$;

-- Attempts before a delivery that keeps failing is given up.
create function private.push_max_attempts() returns integer
language sql immutable set search_path = ''
as $$ select 8 $$;

-- The wait before attempt n + 1 after n failed ones: 30 s, 1 min, 2 min... at most 1 hour.
create function private.push_retry_delay(p_attempts integer) returns interval
language sql immutable set search_path = ''
as $$
  select least(interval '1 hour', interval '30 seconds' * power(2, greatest(p_attempts, 1) - 1))
$$;

-- Claims up to p_limit due deliveries for the worker holding p_claim, for p_lease. Rows another
-- worker is claiming are skipped (`for update skip locked`), and a claimed row is not due again
-- before its lease runs out, so two workers never send one notification at the same time.
-- In the same statement, the deliveries with nothing to send are closed as skipped. Returns
-- every delivery taken: those to send (skip_reason null) with the notification as its recipient
-- reads it (already in their language), their locale and every token they hold; the skipped
-- ones with their reason.
create function private.claim_push_deliveries(p_claim uuid, p_limit integer, p_lease interval)
returns table (
  notification_id uuid,
  user_id uuid,
  type public.notification_type,
  locale public.app_locale,
  title text,
  body text,
  data jsonb,
  tokens text[],
  attempts integer,
  skip_reason text
)
language plpgsql security definer set search_path = ''
as $$
begin
  return query
  with due as (
    select d.notification_id
    from private.push_deliveries d
    where d.status = 'pending' and d.next_attempt_at <= now()
    order by d.next_attempt_at
    limit p_limit
    for update skip locked
  ),
  facts as (
    select n.id, n.user_id, n.type, n.title, n.body, n.data,
           coalesce(s.locale, 'fr'::public.app_locale) as locale,
           array(select t.token from public.push_tokens t where t.user_id = n.user_id
                 order by t.created_at, t.token) as tokens,
           n.created_at < now() - private.push_max_age() as expired,
           coalesce(s.notifications_enabled, true) as notifications_enabled,
           coalesce(s.reminders_enabled, true) as reminders_enabled
    from due
    join public.notifications n on n.id = due.notification_id
    left join public.user_settings s on s.user_id = n.user_id
  ),
  decided as (
    select f.*,
           case
             when f.expired then 'expired'
             when not f.notifications_enabled then 'notifications_disabled'
             when f.type = 'appointment_reminder' and not f.reminders_enabled
               then 'reminders_disabled'
             when cardinality(f.tokens) = 0 then 'no_tokens'
           end as skip
    from facts f
  ),
  updated as (
    update private.push_deliveries d set
      status = case when x.skip is null then 'pending'
                    else 'skipped' end::private.push_delivery_status,
      skip_reason = x.skip,
      attempts = d.attempts + (x.skip is null)::integer,
      claim_id = case when x.skip is null then p_claim end,
      claimed_at = case when x.skip is null then now() else d.claimed_at end,
      next_attempt_at = case when x.skip is null then now() + p_lease else d.next_attempt_at end,
      finished_at = case when x.skip is null then null else now() end
    from decided x
    where d.notification_id = x.id
    returning d.notification_id, d.attempts
  )
  select x.id, x.user_id, x.type, x.locale, x.title, x.body, x.data, x.tokens, u.attempts,
         x.skip
  from updated u
  join decided x on x.id = u.notification_id
  order by x.id;
end
$$;

revoke all on function private.claim_push_deliveries(uuid, integer, interval) from public;

-- Records how a claimed delivery went, if the claim still holds it:
--   sent         OneSignal accepted it (p_provider_id);
--   unsubscribed none of the devices is subscribed any more: skipped;
--   failed       refused for good (p_error);
--   retry        a passing failure (p_error): pending again after backoff, or failed once the
--                attempts are used up.
-- The devices OneSignal reported invalid or unsubscribed (p_invalid_tokens) are removed from the
-- recipient's tokens in any case. Returns whether the claim still held the delivery.
create function private.finish_push_delivery(
  p_notification_id uuid,
  p_claim uuid,
  p_outcome text,
  p_error text default null,
  p_provider_id text default null,
  p_invalid_tokens text[] default '{}'
) returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  recorded integer;
begin
  if p_outcome not in ('sent', 'unsubscribed', 'failed', 'retry') then
    raise exception 'Unknown push outcome %', p_outcome using errcode = '22023';
  end if;
  if cardinality(p_invalid_tokens) > 0 then
    delete from public.push_tokens t
    using public.notifications n
    where n.id = p_notification_id and t.user_id = n.user_id
      and t.token = any (p_invalid_tokens);
  end if;
  update private.push_deliveries d set
    status = case
      when p_outcome = 'sent' then 'sent'
      when p_outcome = 'unsubscribed' then 'skipped'
      when p_outcome = 'failed' or d.attempts >= private.push_max_attempts() then 'failed'
      else 'pending'
    end::private.push_delivery_status,
    skip_reason = case when p_outcome = 'unsubscribed' then 'unsubscribed' end,
    provider_id = coalesce(p_provider_id, d.provider_id),
    last_error = coalesce(p_error, d.last_error),
    claim_id = null,
    next_attempt_at = case when p_outcome = 'retry'
      then now() + private.push_retry_delay(d.attempts) else d.next_attempt_at end,
    finished_at = case
      when p_outcome = 'retry' and d.attempts < private.push_max_attempts() then null
      else now()
    end
  where d.notification_id = p_notification_id and d.claim_id = p_claim and d.status = 'pending';
  get diagnostics recorded = row_count;
  return recorded = 1;
end
$$;

revoke all on function private.finish_push_delivery(uuid, uuid, text, text, text, text[])
  from public;
