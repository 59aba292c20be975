-- Corrective for 20261202000400: the end of an appointment is the instant it ends, not the
-- reading of its end time alone.
--
-- `ends_at` was the end time read on its own in the practitioner's zone. On a fall-back day a
-- wall-clock time of the repeated hour names two instants, and PostgreSQL takes the later one:
-- in Israel on 2027-10-31 the slot 00:30-01:00, which the availability offers (it lasts 30
-- minutes: 21:30Z-22:00Z), was stored as 21:30Z-23:00Z. The person-overlap constraint then
-- refused the same patient a booking between 22:00Z and 23:00Z with another practitioner (one in
-- Moscow at 01:00, say). An end read on its own can also come before the start (02:30-03:00 on a
-- spring-forward day, a time that never shows on the clock), and `tstzrange` then fails instead
-- of refusing: on the insert of such an appointment by the platform, or on the practitioner's
-- change of time zone that makes one.
--
-- The end is now what the availability itself checks: the start plus the length on the wall
-- clock, when the clock does read the end time then (no change within: every offered slot);
-- otherwise, across a change, the end time read in the zone; never before the start.
create function private.wall_clock_end(
  p_starts_at timestamptz,
  p_date date,
  p_start time,
  p_end time,
  p_zone text
) returns timestamptz
language sql stable set search_path = ''
as $$
  select greatest(p_starts_at, case
    when (p_starts_at + ((p_date + p_end) - (p_date + p_start))) at time zone p_zone
         = p_date + p_end
      then p_starts_at + ((p_date + p_end) - (p_date + p_start))
    else (p_date + p_end) at time zone p_zone
  end)
$$;

create or replace function private.appointment_clock() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  zone text;
begin
  select p.time_zone into zone from public.practitioners p where p.id = new.practitioner_id;
  new.starts_at := private.wall_clock_instant(new.appointment_date, new.start_time, zone);
  new.ends_at := private.wall_clock_end(new.starts_at, new.appointment_date, new.start_time,
                                        new.end_time, zone);
  return new;
end
$$;

create or replace function private.practitioner_zone_changed() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.appointments a
  set starts_at = t.starts_at,
      ends_at = private.wall_clock_end(t.starts_at, a.appointment_date, a.start_time,
                                       a.end_time, new.time_zone)
  from (
    select b.id, private.wall_clock_instant(b.appointment_date, b.start_time, new.time_zone)
             as starts_at
    from public.appointments b
    where b.practitioner_id = new.id
  ) t
  where a.id = t.id;
  return null;
end
$$;

-- Rows written before this migration: only appointments that touch a clock change differ.
update public.appointments a
set ends_at = private.wall_clock_end(a.starts_at, a.appointment_date, a.start_time, a.end_time,
                                     p.time_zone)
from public.practitioners p
where p.id = a.practitioner_id
  and a.ends_at is distinct from private.wall_clock_end(a.starts_at, a.appointment_date,
                                                        a.start_time, a.end_time, p.time_zone);
