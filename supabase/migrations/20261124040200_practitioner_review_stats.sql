-- A practitioner's rating and review count are public figures. Computed from the reviews alone:
-- the public_reviews view also looks up each reviewer's name, which a count does not need.
create view public.practitioner_review_stats with (security_barrier) as
  select r.practitioner_id,
         round(avg(r.rating), 2)::float8 as average_rating,
         count(*)::int as review_count
  from public.reviews r
  group by r.practitioner_id;

revoke all on public.practitioner_review_stats from anon, authenticated;
grant select on public.practitioner_review_stats to anon, authenticated;
