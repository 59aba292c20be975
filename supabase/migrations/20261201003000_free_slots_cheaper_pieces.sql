-- The free slots, same rules and results, for less CPU (`..._availability.sql` explains the
-- rules). The pieces were offsets from midnight recomputed from interval products
-- (make_interval, interval * n) wherever they were used, also in every comparison with a
-- booking; they are now local date-times stepped by generate_series and computed once per piece.
-- Days come from integer steps over dates instead of a timestamptz series, and bookings are
-- date-times too, so a comparison is one of two timestamps.
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
    select a.practitioner_id, a.appointment_date, a.appointment_date + a.start_time as starts,
           a.appointment_date + a.end_time as ends
    from public.appointments a
    where a.practitioner_id = any (p_practitioner_ids)
      and a.appointment_date between p_from and p_to
      and a.status in ('pending', 'confirmed')
  ),
  day as (
    select pr.id, pr.time_zone, pr.consultation_duration_minutes, pr.local_now, d.day,
           extract(dow from d.day)::smallint as dow,
           -- A day whose length is not 24 hours has a clock change: only its pieces need the
           -- exact (and costlier) instant arithmetic below.
           ((d.day + 1)::timestamp at time zone pr.time_zone)
             - (d.day::timestamp at time zone pr.time_zone) <> interval '24 hours' as clock_changes
    from practitioner pr
    cross join lateral (select pr.first_day + i as day from generate_series(0, p_to - pr.first_day) i) d
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
  -- Pieces as local date-times, computed once each: generate_series steps through a range by
  -- the slot length, and an end at 24:00 is the next midnight, still after every start of the day.
  piece as materialized (
    select o.id, o.time_zone, o.local_now, o.clock_changes, o.day, o.length,
           s as starts, s + o.length as ends
    from (
      select o.*, make_interval(mins => o.slot_duration_minutes) as length,
             (extract(epoch from o.end_time - o.start_time)::integer / 60) / o.slot_duration_minutes
               as pieces
      from opening o
    ) o
    cross join lateral generate_series(
      o.day + o.start_time, o.day + o.start_time + (o.pieces - 1) * o.length, o.length
    ) s
  )
  select pc.id, pc.day, pc.starts::time,
         case when pc.ends = pc.day + 1 then time '24:00' else pc.ends::time end
  from piece pc
  where case
      when pc.clock_changes then
        pc.starts at time zone pc.time_zone > p_now
        and (pc.starts at time zone pc.time_zone + pc.length) at time zone pc.time_zone = pc.ends
      -- One UTC offset all day: wall-clock order is time order, and every piece lasts its length.
      else pc.starts > pc.local_now
    end
    and not exists (
      select from booked b
      where b.practitioner_id = pc.id and b.appointment_date = pc.day
        and b.starts < pc.ends and b.ends > pc.starts
    )
  order by 1, 2, 3;
end
$$;
