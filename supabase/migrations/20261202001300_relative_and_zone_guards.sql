-- Two changes that would quietly rewrite live appointments are refused or narrowed.

-- Deleting a relative would turn their upcoming appointments into the account holder's own (the
-- relative_id is set null), and may collide with the holder's own bookings. Those appointments
-- are cancelled first, through the API, so the practitioner hears of it.
create function private.relative_delete_guard() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if exists (
    select from public.appointments a
    where a.relative_id = old.id and a.status in ('pending', 'confirmed') and a.ends_at > now()
  ) then
    raise exception using errcode = 'DK409',
      message = 'This relative has upcoming appointments. Please cancel them first.';
  end if;
  return old;
end
$$;

create trigger relatives_delete_guard before delete on public.relatives
  for each row execute function private.relative_delete_guard();

-- A practitioner's change of time zone moves the instants of what is still ahead only: an
-- appointment that has ended took place at the instants it was recorded with.
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
    where b.practitioner_id = new.id and b.ends_at > now()
  ) t
  where a.id = t.id;
  return null;
end
$$;
