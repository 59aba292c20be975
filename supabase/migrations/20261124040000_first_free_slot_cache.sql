-- The search shows each result's next free slot. Working it out means going through days of a
-- practitioner's schedule and bookings, yet the answer only changes when one of those inputs
-- changes or when the slot itself starts. So it is kept here, computed by the one availability
-- implementation (practitioner_first_free_slots), and recomputed only when stale.
--
-- Staleness is exact, also under concurrency: every change to an input records its transaction
-- (`changed_by`) on the practitioner's row, and a computation is stored only when that
-- transaction was already visible to the snapshot the computation read. A computation that raced
-- with an uncommitted change is returned to its own caller but never kept.
create table private.first_free_slot_cache (
  practitioner_id uuid primary key,
  window_days integer,
  slot_date date,
  slot_start time,
  slot_end time,
  computed_at timestamptz,
  -- When the answer stops holding: the slot's start, or the next local midnight when there is
  -- no slot (the window moves on a day). '-infinity' once an input changed.
  valid_until timestamptz not null,
  changed_by xid8
);

alter table private.first_free_slot_cache enable row level security;
revoke all on private.first_free_slot_cache from public, anon, authenticated;

create or replace function private.invalidate_first_free_slots(p_practitioner_ids uuid[])
returns void
language sql security definer set search_path = ''
as $$
  insert into private.first_free_slot_cache as c (practitioner_id, valid_until, changed_by)
  select distinct id, '-infinity'::timestamptz, pg_current_xact_id()
  from unnest(p_practitioner_ids) id
  where id is not null
  on conflict (practitioner_id) do update
    set valid_until = '-infinity', changed_by = excluded.changed_by,
        slot_date = null, slot_start = null, slot_end = null
$$;

-- Statement-level, so a bulk change costs one write per practitioner, not one per row.
-- TG_ARGV[0] names the practitioner column of the table.
create or replace function private.first_free_slot_inputs_changed() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  ids uuid[];
begin
  if tg_op in ('UPDATE', 'DELETE') then
    execute format('select array_agg(%I) from old_rows', tg_argv[0]) into ids;
    perform private.invalidate_first_free_slots(ids);
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    execute format('select array_agg(%I) from new_rows', tg_argv[0]) into ids;
    perform private.invalidate_first_free_slots(ids);
  end if;
  return null;
end
$$;

do $$
declare
  input record;
begin
  for input in
    select * from (values
      ('appointments', 'practitioner_id'),
      ('practitioner_weekly_schedule', 'practitioner_id'),
      ('practitioner_schedule_overrides', 'practitioner_id'),
      ('practitioners', 'id')
    ) as t(table_name, practitioner_column)
  loop
    execute format(
      'create trigger first_free_slot_insert after insert on public.%I
         referencing new table as new_rows
         for each statement execute function private.first_free_slot_inputs_changed(%L)',
      input.table_name, input.practitioner_column);
    execute format(
      'create trigger first_free_slot_update after update on public.%I
         referencing old table as old_rows new table as new_rows
         for each statement execute function private.first_free_slot_inputs_changed(%L)',
      input.table_name, input.practitioner_column);
    execute format(
      'create trigger first_free_slot_delete after delete on public.%I
         referencing old table as old_rows
         for each statement execute function private.first_free_slot_inputs_changed(%L)',
      input.table_name, input.practitioner_column);
  end loop;
end
$$;

-- The next free slot of each practitioner, as practitioner_first_free_slots gives it, from the
-- cache where it still holds and computed (then kept) for the others. Volatile: it writes. When
-- every answer is kept, the computation is not even started: on a page of search results seen
-- before, that is the common case.
create or replace function app.practitioner_next_free_slots(
  p_practitioner_ids uuid[],
  p_days integer default 14,
  p_now timestamptz default now()
) returns table (practitioner_id uuid, slot_date date, slot_start time, slot_end time)
language plpgsql volatile security definer set search_path = ''
as $$
#variable_conflict use_column
declare
  stale uuid[];
begin
  -- Inactive practitioners have no slot; practitioner_first_free_slots leaves them out.
  select array_agg(id) into stale
  from unnest(p_practitioner_ids) id
  where not exists (
    select from private.first_free_slot_cache c
    where c.practitioner_id = id
      and c.window_days = p_days and c.computed_at <= p_now and c.valid_until > p_now
  );

  if stale is not null then
    -- One statement, so what is stored was computed from the snapshot its check looks at.
    return query
    with computed as (
      select f.practitioner_id, f.slot_date, f.slot_start, f.slot_end
      from app.practitioner_first_free_slots(stale, p_days, p_now) f
    ),
    stored as (
      insert into private.first_free_slot_cache as c
        (practitioner_id, window_days, slot_date, slot_start, slot_end, computed_at, valid_until)
      select p.id, p_days, f.slot_date, f.slot_start, f.slot_end, p_now,
             case when f.practitioner_id is null
               then ((p_now at time zone p.time_zone)::date + 1)::timestamp at time zone p.time_zone
               else (f.slot_date + f.slot_start) at time zone p.time_zone
             end
      from public.practitioners p
      left join computed f on f.practitioner_id = p.id
      where p.id = any (stale) and p.is_active
      on conflict (practitioner_id) do update
        set window_days = excluded.window_days, slot_date = excluded.slot_date,
            slot_start = excluded.slot_start, slot_end = excluded.slot_end,
            computed_at = excluded.computed_at, valid_until = excluded.valid_until
        where c.changed_by is null
          or pg_visible_in_snapshot(c.changed_by, pg_current_snapshot())
    )
    select * from computed;
  end if;

  return query
  select c.practitioner_id, c.slot_date, c.slot_start, c.slot_end
  from private.first_free_slot_cache c
  where c.practitioner_id = any (p_practitioner_ids)
    and c.practitioner_id <> all (coalesce(stale, '{}'))
    and c.slot_date is not null
    and c.window_days = p_days and c.computed_at <= p_now and c.valid_until > p_now;
end
$$;

revoke all on function app.practitioner_next_free_slots(uuid[], integer, timestamptz) from public;
grant execute on function app.practitioner_next_free_slots(uuid[], integer, timestamptz)
  to anon, authenticated, service_role;
