-- Functions the Edge Functions call on behalf of anonymous and signed-in users. They live in
-- their own schema, not in `public`, because the Data API exposes `public` to anyone holding the
-- project's public anon key: a direct call would skip the API's validation (at most 62 days,
-- one page of ids) and its rate limit.
create schema if not exists app;
revoke all on schema app from public;
grant usage on schema app to anon, authenticated, service_role;

-- The one implementation of availability. The slots endpoint, the public profile, the search's
-- first_slot and the validation of a booking all read these functions, so they can never disagree.
--
-- Rules, on wall-clock (local) dates and times in the practitioner's time zone:
-- * a day's hours are its active weekly ranges (day_of_week 0 = Sunday), cut into pieces of the
--   range's slot_duration_minutes; a last piece that would overrun its range is dropped;
-- * an override closes the day (is_available = false) or replaces all of that day's weekly hours
--   by its own range (is_available = true). Special hours carry no slot length of their own, so they
--   use the slot length of that weekday's earliest active weekly range, and the practitioner's
--   consultation_duration_minutes when that weekday has no weekly range: a practitioner opening an
--   extra day keeps the rhythm patients already book in;
-- * a piece overlapping a pending or confirmed appointment is taken;
-- * a piece that has started at p_now is gone (p_now is a parameter so tests can pin the clock);
-- * clock changes: a piece is offered only when the wall clock moves by exactly its length while
--   it runs. On the spring-forward day this drops every piece touching the skipped hour (a piece
--   starting at 02:30 never happens; one ending at 02:00 would end at 03:00 on the wall); on the
--   fall-back day the repeated hour is offered once, as wall-clock times (appointments are keyed by
--   them), and a piece spanning the change (e.g. 00:00-02:00, three real hours) is dropped;
-- * only active practitioners have slots.
-- Security definer: anonymous patients get the free slots without reading schedules or bookings.
-- PL/pgSQL with a forced generic plan: planning this statement costs about twice its execution,
-- and the plan (index lookups by practitioner, then joins of a few dozen rows) is the same for any
-- ids and dates, so each connection plans it once. A SQL function would be planned on every call
-- before PostgreSQL 18, and from 18 the automatic choice still re-plans it every time.
create or replace function app.practitioner_free_slots(
  p_practitioner_ids uuid[],
  p_from date,
  p_to date,
  p_now timestamptz default now()
) returns table (practitioner_id uuid, slot_date date, slot_start time, slot_end time)
language plpgsql stable security definer set search_path = ''
  set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  with practitioner as (
    select p.id, p.time_zone, p.consultation_duration_minutes,
           p_now at time zone p.time_zone as local_now,
           -- Days before the practitioner's today only hold slots that already started.
           greatest(p_from, (p_now at time zone p.time_zone)::date) as first_day
    from public.practitioners p
    where p.id = any (p_practitioner_ids) and p.is_active
  ),
  -- Each table is read once for the whole set of practitioners and dates, through its index, and
  -- joined afterwards: a page of search results costs one pass, not one lookup per day.
  weekly as (
    select w.practitioner_id, w.day_of_week, w.start_time, w.end_time, w.slot_duration_minutes
    from public.practitioner_weekly_schedule w
    where w.practitioner_id = any (p_practitioner_ids) and w.is_active
  ),
  override as (
    select o.practitioner_id, o.date, o.is_available, o.start_time, o.end_time
    from public.practitioner_schedule_overrides o
    where o.practitioner_id = any (p_practitioner_ids) and o.date between p_from and p_to
  ),
  booked as (
    select a.practitioner_id, a.appointment_date, a.start_time - time '00:00' as starts,
           a.end_time - time '00:00' as ends
    from public.appointments a
    where a.practitioner_id = any (p_practitioner_ids)
      and a.appointment_date between p_from and p_to
      and a.status in ('pending', 'confirmed')
  ),
  day as (
    select pr.id, pr.time_zone, pr.consultation_duration_minutes, pr.local_now, d::date as day,
           extract(dow from d)::smallint as dow,
           -- A day whose length is not 24 hours has a clock change: only its pieces need the
           -- exact (and costlier) instant arithmetic below.
           ((d::date + 1)::timestamp at time zone pr.time_zone)
             - (d::date::timestamp at time zone pr.time_zone) <> interval '24 hours' as clock_changes
    from practitioner pr
    cross join lateral generate_series(pr.first_day, p_to, interval '1 day') d
  ),
  opening as (
    select d.id, d.time_zone, d.local_now, d.clock_changes, d.day,
           w.start_time, w.end_time, w.slot_duration_minutes
    from day d
    join weekly w on w.practitioner_id = d.id and w.day_of_week = d.dow
    where not exists (select from override o where o.practitioner_id = d.id and o.date = d.day)
    union all
    select d.id, d.time_zone, d.local_now, d.clock_changes, d.day, o.start_time, o.end_time,
           coalesce(
             (select w.slot_duration_minutes from weekly w
              where w.practitioner_id = d.id and w.day_of_week = d.dow
              order by w.start_time
              limit 1),
             d.consultation_duration_minutes)
    from day d
    join override o on o.practitioner_id = d.id and o.date = d.day and o.is_available
  ),
  piece as (
    -- Offsets from midnight as intervals: an end at 24:00 stays distinct from 00:00.
    select o.id, o.time_zone, o.local_now, o.clock_changes, o.day,
           (o.start_time - time '00:00') + n * make_interval(mins => o.slot_duration_minutes) as starts,
           (o.start_time - time '00:00') + (n + 1) * make_interval(mins => o.slot_duration_minutes) as ends,
           make_interval(mins => o.slot_duration_minutes) as length
    from opening o
    cross join lateral generate_series(
      0,
      (extract(epoch from o.end_time - o.start_time)::integer / 60) / o.slot_duration_minutes - 1
    ) n
  )
  select pc.id, pc.day, time '00:00' + pc.starts,
         case when pc.ends = interval '24 hours' then time '24:00' else time '00:00' + pc.ends end
  from piece pc
  where case
      when pc.clock_changes then
        (pc.day + pc.starts) at time zone pc.time_zone > p_now
        and ((pc.day + pc.starts) at time zone pc.time_zone + pc.length) at time zone pc.time_zone
          = pc.day + pc.ends
      -- One UTC offset all day: wall-clock order is time order, and every piece lasts its length.
      else pc.day + pc.starts > pc.local_now
    end
    and not exists (
      select from booked b
      where b.practitioner_id = pc.id and b.appointment_date = pc.day
        and b.starts < pc.ends and b.ends > pc.starts
    )
  order by 1, 2, 3;
end
$$;

-- The next free slot of each practitioner within p_days days from their own today: the search's
-- first_slot, for a whole page of results at once. Most practitioners have a free slot today or
-- tomorrow, so those two days are looked at first and the rest of the window only for the
-- practitioners still without one: a page costs about two days of slots, not p_days. Planned once
-- per connection, like practitioner_free_slots.
create or replace function app.practitioner_first_free_slots(
  p_practitioner_ids uuid[],
  p_days integer default 14,
  p_now timestamptz default now()
) returns table (practitioner_id uuid, slot_date date, slot_start time, slot_end time)
language plpgsql stable security definer set search_path = ''
  set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  with horizon as (
    select p.id, (p_now at time zone p.time_zone)::date as today
    from public.practitioners p
    where p.id = any (p_practitioner_ids) and p.is_active
  ),
  span as (
    select array_agg(id) as ids, min(today) as first_today, max(today) as last_today from horizon
  ),
  soon as (
    select distinct on (s.practitioner_id) s.practitioner_id, s.slot_date, s.slot_start, s.slot_end
    from span
    cross join lateral app.practitioner_free_slots(span.ids, span.first_today, span.last_today + 1, p_now) s
    join horizon h on h.id = s.practitioner_id
    where s.slot_date < h.today + p_days
    order by s.practitioner_id, s.slot_date, s.slot_start
  ),
  later as (
    select distinct on (s.practitioner_id) s.practitioner_id, s.slot_date, s.slot_start, s.slot_end
    from span
    cross join lateral app.practitioner_free_slots(
      array(select h.id from horizon h where h.id not in (select soon.practitioner_id from soon)),
      span.first_today + 2,
      span.last_today + (p_days - 1),
      p_now
    ) s
    join horizon h on h.id = s.practitioner_id
    where s.slot_date < h.today + p_days
    order by s.practitioner_id, s.slot_date, s.slot_start
  )
  select * from soon
  union all
  select * from later;
end
$$;

-- Whether one exact slot is free now: the booking's check, on the same rules as the listing.
create or replace function app.practitioner_slot_is_free(
  p_practitioner_id uuid,
  p_date date,
  p_start time,
  p_end time,
  p_now timestamptz default now()
) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select from app.practitioner_free_slots(array[p_practitioner_id], p_date, p_date, p_now) s
    where s.slot_start = p_start and s.slot_end = p_end
  )
$$;

revoke all on function app.practitioner_free_slots(uuid[], date, date, timestamptz),
  app.practitioner_first_free_slots(uuid[], integer, timestamptz),
  app.practitioner_slot_is_free(uuid, date, time, time, timestamptz) from public;
grant execute on function app.practitioner_free_slots(uuid[], date, date, timestamptz),
  app.practitioner_first_free_slots(uuid[], integer, timestamptz),
  app.practitioner_slot_is_free(uuid, date, time, time, timestamptz)
  to anon, authenticated, service_role;

-- Covering, so availability reads a practitioner's active ranges from the index alone.
create index if not exists weekly_schedule_day_idx
  on public.practitioner_weekly_schedule (practitioner_id, day_of_week, start_time)
  include (end_time, slot_duration_minutes) where is_active;
