-- Daily appointment reminders (the contract's cron job): every day at 18:00 Israel time, every
-- patient with a confirmed appointment the next day gets an `appointment_reminder`
-- notification. The `reminders` Edge Function calls these functions; pg_cron calls the function
-- (migration 20261202006100).

-- One row per reminder created: the key that keeps a reminder from ever being created twice for
-- one appointment, whoever calls how often and at once (a concurrent insert of the same key
-- waits for the first and then does nothing). A reminder stays sent: an appointment cancelled
-- after its reminder, or moved to another day, is not reminded again.
create table private.reminders_sent (
  -- No foreign key: checking one would lock every appointment reminded (100,000 row locks a
  -- day). The row of an appointment deleted since is a leftover no call ever meets again.
  appointment_id uuid not null,
  -- The reminder's kind: only the reminder of the day before for now.
  kind text not null check (kind in ('day_before')),
  -- The appointment's date when it was reminded: a run reads only the keys of its own day.
  appointment_date date not null,
  -- The notification it created (no foreign key: notifications go with their owner's account).
  notification_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (appointment_id, kind)
);

create index reminders_sent_date_idx on private.reminders_sent (appointment_date);

-- The days of Israel's calendar whose scheduled run has been done, so the second of the two
-- daily calls (15:00 and 16:00 UTC, one of which is 18:00 in Israel) finds the day done.
create table private.reminder_days (
  day date primary key,
  ran_at timestamptz not null default now(),
  created integer not null default 0,
  skipped integer not null default 0
);

alter table private.reminders_sent enable row level security;
alter table private.reminder_days enable row level security;
revoke all on private.reminders_sent, private.reminder_days from public, anon, authenticated;

-- The day's confirmed appointments, read by date without scanning the whole table.
create index appointments_confirmed_date_idx on public.appointments (appointment_date)
  where status = 'confirmed';

-- The reminders of the day after `p_day`, in one statement for the whole day: every confirmed
-- appointment on that date (its date on its practitioner's clock) that has not started, whose
-- patient has not turned reminders off, gets one notification for its patient, written as
-- private.notify writes one (the same templates, placeholders and helpers, in the patient's
-- language; the relative's name for a relative's appointment). The notifications' insert
-- trigger emits each `notification:new` event. `created`: notifications written now;
-- `skipped`: the date's confirmed appointments not reminded by this call (reminded before, or
-- reminders turned off).
--
-- Run once a day over up to 100,000 rows: no JIT (compiling this statement costs seconds, more
-- than it saves), room to sort and hash the day in memory, and hash joins (the planner cannot
-- know how many rows the CTEs hold and would probe an index per row instead).
create function private.send_appointment_reminders(
  p_day date,
  out created integer,
  out skipped integer
)
language sql volatile security definer
set search_path = '' set jit = off set work_mem = '64MB' set enable_nestloop = off
as $$
  with due as (
    select a.id, a.patient_id, a.practitioner_id, a.relative_id, a.start_time,
           coalesce(s.locale, 'fr') as locale,
           coalesce(s.reminders_enabled, true) as wanted
    from public.appointments a
    left join public.user_settings s on s.user_id = a.patient_id
    where a.appointment_date = p_day + 1 and a.status = 'confirmed' and a.starts_at > now()
  ),
  -- The date is the same for every appointment: written once per language (materialized, or
  -- the planner would write it again for every row).
  dates as materialized (
    select f.locale, f.someone, private.format_local_date(p_day + 1, f.locale) as date
    from private.locale_formats f
  ),
  -- The key decides: of two calls at once, the second waits for the first's keys and then
  -- skips them. In key order, so neither waits for the other both ways (no deadlock). The keys
  -- of the day already committed are left out first, only to spare a repeated run the work (a
  -- key of an appointment reminded for another day is still met by the key itself).
  claimed as (
    insert into private.reminders_sent (appointment_id, kind, appointment_date, notification_id)
    select d.id, 'day_before', p_day + 1, gen_random_uuid()
    from due d
    where d.wanted
      and not exists (select from private.reminders_sent r
                      where r.appointment_date = p_day + 1 and r.appointment_id = d.id
                        and r.kind = 'day_before')
    order by d.id
    on conflict (appointment_id, kind) do nothing
    returning appointment_id, notification_id
  ),
  rendered as (
    select c.notification_id, d.patient_id, t.title, t.body, v.data,
           v.data || jsonb_build_object(
             'practitioner', coalesce(nullif(concat_ws(' ', dr.first_name, dr.last_name), ''), ''),
             'patient', coalesce(
               nullif(concat_ws(' ', coalesce(r.first_name, pt.first_name),
                                     coalesce(r.last_name, pt.last_name)), ''),
               l.someone),
             'date', l.date,
             'time', to_char(d.start_time, 'HH24:MI'),
             'address', concat_ws(', ', nullif(concat_ws(' ', pr.address_line, pr.street_number), ''),
                                        pr.city)) as vars
    from claimed c
    join due d on d.id = c.appointment_id
    join public.practitioners pr on pr.id = d.practitioner_id
    join public.profiles dr on dr.id = d.practitioner_id
    join public.profiles pt on pt.id = d.patient_id
    left join public.relatives r on r.id = d.relative_id
    join dates l on l.locale = d.locale
    join private.notification_templates t on t.type = 'appointment_reminder' and t.locale = d.locale
    cross join lateral (
      select jsonb_build_object('appointment_id', d.id, 'practitioner_id', d.practitioner_id) as data
    ) v
    -- Nothing claimed (a repeated run): the joins are not even started.
    where exists (select from claimed)
  ),
  written as (
    insert into public.notifications (id, user_id, type, title, body, data)
    -- A title without placeholders renders as itself: the call is saved.
    select n.notification_id, n.patient_id, 'appointment_reminder',
           case when strpos(n.title, '{') > 0 then private.render_template(n.title, n.vars)
                else n.title end,
           btrim(private.render_template(n.body, n.vars)),
           n.data
    from rendered n
    returning 1
  )
  select w.n::integer, (d.n - w.n)::integer
  from (select count(*) as n from written) w, (select count(*) as n from due) d
$$;

revoke all on function private.send_appointment_reminders(date) from public, anon, authenticated;

-- The scheduled run: at `p_now`, on Israel's clock (where DST moves 18:00 between 15:00 and
-- 16:00 UTC), it reminds the appointments of the next day once 18:00 has struck, once per day.
-- The day is claimed first: of two runs at once, the second waits for the first, then finds
-- the day done. `outcome`: 'ran', 'too_early' (before 18:00) or 'already_ran'.
create function private.run_daily_reminders(
  p_now timestamptz default now(),
  out run_date date,
  out outcome text,
  out created integer,
  out skipped integer
)
language plpgsql volatile security definer set search_path = ''
as $$
declare
  local_now timestamp := p_now at time zone 'Asia/Jerusalem';
begin
  run_date := local_now::date;
  created := 0;
  skipped := 0;
  if local_now::time < time '18:00' then
    outcome := 'too_early';
    return;
  end if;
  insert into private.reminder_days (day) values (run_date) on conflict (day) do nothing;
  if not found then
    outcome := 'already_ran';
    return;
  end if;
  select s.created, s.skipped into created, skipped
    from private.send_appointment_reminders(run_date) s;
  update private.reminder_days d set created = run_daily_reminders.created,
                                     skipped = run_daily_reminders.skipped
    where d.day = run_date;
  outcome := 'ran';
end
$$;

revoke all on function private.run_daily_reminders(timestamptz) from public, anon, authenticated;
