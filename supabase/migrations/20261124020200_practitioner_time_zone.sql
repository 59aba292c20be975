-- Corrective: practitioners.time_zone is editable by its practitioner and had no check. Every
-- availability computation converts with it, so one unknown zone name would make the search fail
-- for everyone whose page includes that practitioner. Only zones Postgres can convert with pass.
-- Declared immutable for the check constraint: the set of zone names only grows with tz data
-- updates, so a value accepted once stays accepted.
create or replace function private.is_time_zone(zone text) returns boolean
language plpgsql immutable parallel safe set search_path = ''
as $$
begin
  perform now() at time zone zone;
  return true;
exception when invalid_parameter_value then
  return false;
end
$$;

alter table public.practitioners
  add constraint practitioners_time_zone_valid check (private.is_time_zone(time_zone));
