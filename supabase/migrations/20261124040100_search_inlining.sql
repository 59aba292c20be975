-- distance_km, made inlinable so the search computes it within its own statement instead of
-- calling it once per result. The planner inlines only a function without `set search_path`
-- (it names only pg_catalog functions and operators, which are always searched first) and not
-- declared strict unless its body provably is (least() is not). So rounding overshoot of the
-- haversine term h is capped with 1 - abs(1 - h), equal to h up to 1 and to 1 at the limit, and
-- null whenever a coordinate is null.
create or replace function private.distance_km(
  lat1 double precision, lng1 double precision, lat2 double precision, lng2 double precision
) returns double precision
language sql immutable parallel safe
as $$
  select 2 * 6371.0088 * asin(1 - abs(1 - sqrt(
    sin(radians(lat2 - lat1) / 2) ^ 2
    + cos(radians(lat1)) * cos(radians(lat2)) * sin(radians(lng2 - lng1) / 2) ^ 2
  )))
$$;
