-- A practitioner's rating and review count are public figures, shown on every search result and
-- profile. A trigger on reviews keeps them, so a page of search results reads fifty rows instead of
-- grouping the reviews of fifty practitioners on every request.
create table public.practitioner_review_stats (
  practitioner_id uuid primary key references public.practitioners (id) on delete cascade,
  review_count integer not null default 0 check (review_count >= 0),
  rating_total integer not null default 0 check (rating_total >= 0),
  average_rating double precision generated always as (
    case when review_count > 0 then round(rating_total::numeric / review_count, 2)::float8 end
  ) stored
);

alter table public.practitioner_review_stats enable row level security;

create policy practitioner_review_stats_read on public.practitioner_review_stats for select
  to anon, authenticated using (true);

revoke all on public.practitioner_review_stats from anon, authenticated;
grant select on public.practitioner_review_stats to anon, authenticated;

-- Statement-level, so a bulk change writes each practitioner's figures once. The stats rows are
-- locked by the update and the upsert, so concurrent reviews of one practitioner add up exactly.
-- A negative change is an update, never an upsert: the proposed row of an upsert is checked
-- (review_count >= 0) before the conflict sends it to the update.
create or replace function private.review_stats_on_write() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then
    update public.practitioner_review_stats st
    set review_count = st.review_count - gone.reviews, rating_total = st.rating_total - gone.total
    from (
      select practitioner_id, count(*)::int as reviews, sum(rating)::int as total
      from old_rows group by practitioner_id
    ) gone
    where st.practitioner_id = gone.practitioner_id;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    insert into public.practitioner_review_stats as st (practitioner_id, review_count, rating_total)
    select practitioner_id, count(*), sum(rating) from new_rows group by practitioner_id
    on conflict (practitioner_id) do update
      set review_count = st.review_count + excluded.review_count,
          rating_total = st.rating_total + excluded.rating_total;
  end if;
  return null;
end
$$;

revoke all on function private.review_stats_on_write() from public;

-- Transition tables rule out a column list, so every update of a review counts (out, then in).
create trigger reviews_stats_insert after insert on public.reviews
  referencing new table as new_rows
  for each statement execute function private.review_stats_on_write();
create trigger reviews_stats_update after update on public.reviews
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.review_stats_on_write();
create trigger reviews_stats_delete after delete on public.reviews
  referencing old table as old_rows
  for each statement execute function private.review_stats_on_write();

insert into public.practitioner_review_stats (practitioner_id, review_count, rating_total)
select practitioner_id, count(*), sum(rating) from public.reviews group by practitioner_id;
