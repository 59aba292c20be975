-- distance_km without `set search_path`, so the planner inlines it into the search instead of
-- calling it once per row: it names only pg_catalog functions and operators, which are always
-- searched first, so no search_path can change what it means.
create or replace function private.distance_km(
  lat1 double precision, lng1 double precision, lat2 double precision, lng2 double precision
) returns double precision
language sql immutable parallel safe strict
as $$
  select 2 * 6371.0088 * asin(least(1, sqrt(
    sin(radians(lat2 - lat1) / 2) ^ 2
    + cos(radians(lat1)) * cos(radians(lat2)) * sin(radians(lng2 - lng1) / 2) ^ 2
  )))
$$;
