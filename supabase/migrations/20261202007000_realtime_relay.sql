-- The realtime relay (realtime-relay/): what it reads and keeps besides the outbox itself
-- (private.events, migration 20261202000200), and the Supabase Realtime signal.

-- A client that reconnects with `last_event_id` gets its own events after that id, newest 500
-- at most: one range of this index.
create index events_user_idx on private.events (user_id, id);

-- Where each relay process stopped reading the outbox (saved every few seconds and on SIGTERM),
-- so a restart resumes there instead of at the end.
create table private.relay_state (
  relay_id text primary key check (char_length(relay_id) between 1 and 200),
  last_event_id bigint not null check (last_event_id >= 0),
  saved_at timestamptz not null default now()
);

alter table private.relay_state enable row level security;
revoke all on private.relay_state from public, anon, authenticated;

-- Socket.io's Postgres adapter (@socket.io/postgres-adapter) sends what relays tell each other
-- (presence, socket lookups) with NOTIFY; a message over NOTIFY's 8000 bytes goes through this
-- table, which the adapter empties of rows older than 30 seconds.
create table private.socket_io_attachments (
  id bigserial unique,
  created_at timestamptz default now(),
  payload bytea
);

alter table private.socket_io_attachments enable row level security;
revoke all on private.socket_io_attachments from public, anon, authenticated;

-- The outbox keeps a week: the relay reads it from where it stopped, and a client catches up
-- at most 24 hours back. Old rows go in bulk, in time order (a BRIN index finds them for almost
-- nothing per insert). pg_cron runs it daily where it exists (the scheduled jobs' migration),
-- the dev stack otherwise. The same definition as the scheduled jobs' migration, which may come
-- first: `create or replace` and `if not exists` keep either order working.
create index if not exists events_created_at_brin on private.events using brin (created_at);

create or replace function private.purge_old_events(p_keep interval default interval '7 days')
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

-- Supabase Realtime as the relay's signal (RELAY_SIGNAL=realtime): a transaction that writes
-- events also broadcasts once, after its first event, on the private topic `dokal:events`
-- (event `events`, payload {event_id}) with realtime.send(payload, event, topic, private), as
-- Supabase documents broadcasting from the database
-- (https://supabase.com/docs/guides/realtime/broadcast, "Broadcast from the Database";
-- https://supabase.com/docs/guides/realtime/subscribing-to-database-changes). Realtime sends the
-- message once the transaction commits, so the relay never looks before the rows are there;
-- the relay reads the outbox from where it stopped whatever the signal carries. A private topic
-- is joined only by a role that passes RLS on realtime.messages: the relay's service key does,
-- and no policy here opens it to users. realtime.send turns its own failures into warnings: a
-- lost signal only delays events until the relay's next look.
create function private.signal_events_by_realtime() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if current_setting('dokal.events_signalled', true) is distinct from 'yes' then
    perform set_config('dokal.events_signalled', 'yes', true);
    perform realtime.send(jsonb_build_object('event_id', new.id), 'events', 'dokal:events', true);
  end if;
  return null;
end
$$;

revoke all on function private.signal_events_by_realtime() from public;

-- Only where the platform provides Realtime; elsewhere (the local stack, a plain PostgreSQL)
-- nothing is created and pg_notify alone signals the relay.
do $$
begin
  if to_regprocedure('realtime.send(jsonb, text, text, boolean)') is not null then
    create trigger events_realtime_signal after insert on private.events
      for each row execute function private.signal_events_by_realtime();
  end if;
end
$$;
