-- Payments through PayMe: the cards a patient keeps on file (display data only), the payment
-- links the API opens with PayMe, and every notification PayMe's webhook receives.
--
-- Users read their own rows; nothing is written by users directly. The API writes through the
-- functions of schema `app` below (the Data API does not expose `app`), which take the owner
-- from the caller's claims; the webhook, which has no user, writes through the privileged
-- connection (`systemDb`) and `private.apply_payme_notification`.

-- --- Payment methods -----------------------------------------------------------------------
-- What the app shows of a card: never a full number (last4 is exactly four digits).
create table public.payment_methods (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  brand text not null
    check (brand in ('Visa', 'Mastercard', 'American Express', 'Isracard', 'Diners')),
  last4 text not null check (last4 ~ '^[0-9]{4}$'),
  expiry_month smallint not null check (expiry_month between 1 and 12),
  expiry_year smallint not null check (expiry_year between 2000 and 2100),
  is_default boolean not null default false,
  created_at timestamptz not null default now()
);

-- At most one default per user.
create unique index payment_methods_one_default on public.payment_methods (user_id)
  where is_default;
create index payment_methods_user_idx on public.payment_methods (user_id, created_at desc);

alter table public.payment_methods enable row level security;

create policy payment_methods_owner_read on public.payment_methods for select to authenticated
  using (user_id = (select auth.uid()));

revoke all on public.payment_methods from anon, authenticated;
grant select on public.payment_methods to authenticated;

-- The writes of one user's methods queue behind each other: two concurrent "make this one the
-- default" (or a first card added twice at once) are decided one after the other, on what the
-- previous one committed, so the partial unique index above is never the one to say no.
create function private.lock_payment_methods(p_user_id uuid) returns void
language sql set search_path = ''
as $$
  select pg_advisory_xact_lock(hashtextextended('payment_methods:' || p_user_id::text, 0))
$$;

revoke all on function private.lock_payment_methods(uuid) from public;

create function private.caller() returns uuid
language plpgsql stable set search_path = ''
as $$
declare
  me uuid := (select auth.uid());
begin
  if me is null then
    raise exception using errcode = '42501', message = 'Please sign in to continue.';
  end if;
  return me;
end
$$;

revoke all on function private.caller() from public;

-- The caller's new card; their first becomes the default.
create function app.add_payment_method(
  p_brand text, p_last4 text, p_expiry_month integer, p_expiry_year integer
) returns public.payment_methods
language plpgsql security definer set search_path = ''
as $$
declare
  me uuid := private.caller();
  added public.payment_methods;
begin
  perform private.lock_payment_methods(me);
  insert into public.payment_methods (user_id, brand, last4, expiry_month, expiry_year, is_default)
  values (me, p_brand, p_last4, p_expiry_month, p_expiry_year,
          not exists (select from public.payment_methods m where m.user_id = me))
  returning * into added;
  return added;
end
$$;

-- False when the caller has no such card. Removing the default makes the most recent remaining
-- card the default.
create function app.remove_payment_method(p_id uuid) returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  me uuid := private.caller();
  was_default boolean;
begin
  perform private.lock_payment_methods(me);
  delete from public.payment_methods m where m.id = p_id and m.user_id = me
    returning m.is_default into was_default;
  if not found then
    return false;
  end if;
  if was_default then
    update public.payment_methods m set is_default = true
    where m.id = (
      select n.id from public.payment_methods n where n.user_id = me
      order by n.created_at desc, n.id desc limit 1
    );
  end if;
  return true;
end
$$;

-- False when the caller has no such card.
create function app.set_default_payment_method(p_id uuid) returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  me uuid := private.caller();
begin
  perform private.lock_payment_methods(me);
  if not exists (select from public.payment_methods m where m.id = p_id and m.user_id = me) then
    return false;
  end if;
  -- Two statements, the old default first: the index is checked row by row.
  update public.payment_methods m set is_default = false
  where m.user_id = me and m.is_default and m.id <> p_id;
  update public.payment_methods m set is_default = true
  where m.id = p_id and not m.is_default;
  return true;
end
$$;

revoke all on function app.add_payment_method(text, text, integer, integer),
  app.remove_payment_method(uuid), app.set_default_payment_method(uuid) from public;
grant execute on function app.add_payment_method(text, text, integer, integer),
  app.remove_payment_method(uuid), app.set_default_payment_method(uuid) to authenticated;

-- --- Payment transactions -------------------------------------------------------------------
create type public.payment_status as enum ('pending', 'completed', 'failed', 'refunded');

create table public.payment_transactions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  appointment_id uuid references public.appointments (id) on delete set null,
  amount_agorot integer not null check (amount_agorot between 100 and 10000000),
  currency text not null default 'ILS' check (currency = 'ILS'),
  description text not null check (char_length(description) between 1 and 200),
  status public.payment_status not null default 'pending',
  -- PayMe's sale, once generate-sale answered.
  payme_sale_id text unique check (char_length(payme_sale_id) between 1 and 100),
  payme_sale_code bigint,
  payment_url text check (char_length(payment_url) <= 2000),
  failure_reason text check (char_length(failure_reason) <= 500),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index payment_transactions_user_idx on public.payment_transactions (user_id, created_at desc);
create index payment_transactions_appointment_idx on public.payment_transactions (appointment_id)
  where appointment_id is not null;

create trigger payment_transactions_touch before update on public.payment_transactions
  for each row execute function private.touch_updated_at();

alter table public.payment_transactions enable row level security;

create policy payment_transactions_owner_read on public.payment_transactions for select
  to authenticated using (user_id = (select auth.uid()));

revoke all on public.payment_transactions from anon, authenticated;
grant select on public.payment_transactions to authenticated;

-- The status machine. Null when `p_to` may follow `p_from`, else why not: nothing goes back to
-- pending, a refund is final, a completed payment can only be refunded. A failed attempt may
-- still complete (the buyer tried again on the same payment page).
create function private.payment_transition_refusal(
  p_from public.payment_status,
  p_to public.payment_status
) returns text
language sql immutable set search_path = ''
as $$
  select case
    when p_from = p_to then 'This payment already has this status.'
    when p_to = 'pending' then 'A payment cannot go back to pending.'
    when p_from = 'refunded' then 'This payment was already refunded.'
    when p_from = 'completed' and p_to <> 'refunded' then 'This payment is already completed.'
  end
$$;

create function private.payment_transition() returns trigger
language plpgsql set search_path = ''
as $$
declare
  refusal text := private.payment_transition_refusal(old.status, new.status);
begin
  if refusal is not null then
    raise exception using errcode = 'DK409', message = refusal;
  end if;
  return new;
end
$$;

create trigger payment_transactions_transition before update of status
  on public.payment_transactions
  for each row execute function private.payment_transition();

-- A completed payment of an appointment tells the patient's open sockets at once.
create function private.payment_announce() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.emit_event(new.user_id, 'payment:updated', jsonb_build_object(
    'id', new.id, 'status', new.status, 'appointment_id', new.appointment_id));
  return null;
end
$$;

create trigger payment_transactions_announce after update of status
  on public.payment_transactions
  for each row
  when (new.status = 'completed' and old.status is distinct from new.status
        and new.appointment_id is not null)
  execute function private.payment_announce();

-- A pending payment of the caller, for one of their own appointments when one is named, and the
-- language PayMe's page should speak to them in.
create function app.open_payment(
  p_amount_agorot integer, p_description text, p_appointment_id uuid
) returns table (id uuid, locale public.app_locale)
language plpgsql security definer set search_path = ''
as $$
declare
  me uuid := private.caller();
begin
  if p_appointment_id is not null and not exists (
    select from public.appointments a where a.id = p_appointment_id and a.patient_id = me
  ) then
    raise exception using errcode = 'DK404', message = 'We could not find this appointment.';
  end if;
  return query
    insert into public.payment_transactions as t
      (user_id, appointment_id, amount_agorot, description)
    values (me, p_appointment_id, p_amount_agorot, p_description)
    returning t.id,
      coalesce((select s.locale from public.user_settings s where s.user_id = me),
               'fr'::public.app_locale);
end
$$;

-- PayMe's sale for the caller's pending payment, as generate-sale answered it.
create function app.record_payment_sale(
  p_id uuid, p_sale_id text, p_sale_code bigint, p_payment_url text
) returns setof public.payment_transactions
language sql security definer set search_path = ''
as $$
  update public.payment_transactions t
  set payme_sale_id = p_sale_id, payme_sale_code = p_sale_code, payment_url = p_payment_url
  where t.id = p_id and t.user_id = private.caller() and t.status = 'pending'
    and t.payme_sale_id is null
  returning t.*
$$;

-- The caller's pending payment PayMe refused or did not answer for.
create function app.fail_payment(p_id uuid, p_reason text) returns void
language sql security definer set search_path = ''
as $$
  update public.payment_transactions t
  set status = 'failed', failure_reason = left(p_reason, 500)
  where t.id = p_id and t.user_id = private.caller() and t.status = 'pending'
$$;

revoke all on function app.open_payment(integer, text, uuid),
  app.record_payment_sale(uuid, text, bigint, text), app.fail_payment(uuid, text) from public;
grant execute on function app.open_payment(integer, text, uuid),
  app.record_payment_sale(uuid, text, bigint, text), app.fail_payment(uuid, text)
  to authenticated;

-- --- PayMe's notifications ------------------------------------------------------------------
-- Every notification the webhook received, with what it was told (the fields that describe the
-- sale; never the signature, the buyer's token or personal details) and what became of it.
-- A notification changes a payment once: the processed ones are unique on (sale, type), so a
-- replay is recognised. Refused ones stay out of that index: a forged notification recorded
-- first must not make PayMe's genuine one look like a replay.
create table private.payme_notifications (
  id bigint generated always as identity primary key,
  payme_sale_id text check (char_length(payme_sale_id) <= 100),
  notify_type text check (char_length(notify_type) <= 50),
  transaction_id uuid references public.payment_transactions (id) on delete set null,
  fields jsonb not null default '{}' check (jsonb_typeof(fields) = 'object'),
  outcome text not null check (outcome in (
    'processed', 'ignored', 'malformed', 'unsupported_media_type', 'bad_signature',
    'unknown_sale', 'reference_mismatch', 'not_confirmed', 'amount_mismatch',
    'refused_transition', 'provider_unavailable'
  )),
  detail text check (char_length(detail) <= 500),
  client_address text check (char_length(client_address) <= 64),
  received_at timestamptz not null default now()
);

create unique index payme_notifications_processed_once
  on private.payme_notifications (payme_sale_id, notify_type) where outcome = 'processed';
create index payme_notifications_sale_idx
  on private.payme_notifications (payme_sale_id, received_at);

alter table private.payme_notifications enable row level security;
revoke all on private.payme_notifications from public, anon, authenticated;

-- A notification PayMe confirmed (get-sales, amount and currency checked by the caller), applied
-- once: the payment's row is locked, so two identical notifications at the same moment are
-- decided one after the other and the second finds the first processed. Answers 'processed',
-- 'replay' or 'refused_transition' (recorded with the status machine's reason).
create function private.apply_payme_notification(
  p_sale_id text,
  p_notify_type text,
  p_status public.payment_status,
  p_fields jsonb,
  p_failure_reason text,
  p_client_address text
) returns text
language plpgsql set search_path = ''
as $$
declare
  payment record;
  refusal text;
begin
  select t.id, t.status into payment
    from public.payment_transactions t where t.payme_sale_id = p_sale_id
    for update;
  if not found then
    raise exception 'No payment has the sale %', p_sale_id;
  end if;
  if exists (
    select from private.payme_notifications n
    where n.payme_sale_id = p_sale_id and n.notify_type = p_notify_type
      and n.outcome = 'processed'
  ) then
    return 'replay';
  end if;
  refusal := private.payment_transition_refusal(payment.status, p_status);
  insert into private.payme_notifications
    (payme_sale_id, notify_type, transaction_id, fields, outcome, detail, client_address)
  values (p_sale_id, p_notify_type, payment.id, p_fields,
          case when refusal is null then 'processed' else 'refused_transition' end,
          refusal, p_client_address);
  if refusal is not null then
    return 'refused_transition';
  end if;
  update public.payment_transactions t
  set status = p_status,
      failure_reason = case when p_status = 'failed' then left(p_failure_reason, 500) end
  where t.id = payment.id;
  return 'processed';
end
$$;

revoke all on function private.apply_payme_notification(text, text, public.payment_status, jsonb,
  text, text) from public;
