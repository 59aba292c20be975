-- Fixed one-minute windows, shared by every function instance. Unlogged: losing the counters in
-- a crash only resets a minute of limits, and it saves WAL on every request.
create unlogged table private.rate_limit_counters (
  key text primary key,
  window_start timestamptz not null,
  hits integer not null
);

alter table private.rate_limit_counters enable row level security;
revoke all on private.rate_limit_counters from public, anon, authenticated;

create or replace function private.hit_rate_limit(p_key text, out hits integer, out reset_at timestamptz)
language sql
as $$
  insert into private.rate_limit_counters as c (key, window_start, hits)
  values (p_key, date_trunc('minute', now()), 1)
  on conflict (key) do update
    set hits = case when c.window_start = excluded.window_start then c.hits + 1 else 1 end,
        window_start = excluded.window_start
  returning c.hits, c.window_start + interval '1 minute'
$$;

revoke all on function private.hit_rate_limit(text) from public, anon, authenticated;
