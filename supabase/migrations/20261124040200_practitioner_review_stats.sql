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

-- Row by row, under the stats row's lock: concurrent reviews of one practitioner add up exactly.
create or replace function private.review_stats_on_write() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then
    update public.practitioner_review_stats
    set review_count = review_count - 1, rating_total = rating_total - old.rating
    where practitioner_id = old.practitioner_id;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    insert into public.practitioner_review_stats as st (practitioner_id, review_count, rating_total)
    values (new.practitioner_id, 1, new.rating)
    on conflict (practitioner_id) do update
      set review_count = st.review_count + 1, rating_total = st.rating_total + excluded.rating_total;
  end if;
  return null;
end
$$;

revoke all on function private.review_stats_on_write() from public;

create trigger reviews_stats
  after insert or delete or update of rating, practitioner_id on public.reviews
  for each row execute function private.review_stats_on_write();

insert into public.practitioner_review_stats (practitioner_id, review_count, rating_total)
select practitioner_id, count(*), sum(rating) from public.reviews group by practitioner_id;
