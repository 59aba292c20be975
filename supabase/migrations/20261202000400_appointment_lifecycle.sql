-- The appointment lifecycle, held by the database: what a booking must be, which status may
-- follow which, and who hears of each step (a notification, an event, the conversation), all in
-- the transaction of the change.
--
-- Refusals meant for people are raised with SQLSTATE 'DK' followed by the HTTP status the API
-- answers (DK400 with the field in COLUMN, DK409), and a message written for a patient; the
-- API passes them on as they are (shared/http/handle-error.ts). They never quote a value.

alter table public.appointments
  add column source public.appointment_source not null default 'dokal_app',
  -- A client's retry of one booking, answered with the first result (unique per patient).
  add column idempotency_key text check (char_length(idempotency_key) between 1 and 200),
  -- The real instants of the wall-clock date and times in the practitioner's time zone: a
  -- person's bookings with practitioners in different zones compare on these.
  add column starts_at timestamptz,
  add column ends_at timestamptz,
  add constraint appointments_idempotency_key unique (patient_id, idempotency_key);

create function private.wall_clock_instant(p_date date, p_time time, p_zone text)
returns timestamptz
language sql stable set search_path = ''
as $$
  select (p_date + p_time) at time zone p_zone
$$;

update public.appointments a
set starts_at = private.wall_clock_instant(a.appointment_date, a.start_time, p.time_zone),
    ends_at = private.wall_clock_instant(a.appointment_date, a.end_time, p.time_zone)
from public.practitioners p
where p.id = a.practitioner_id;

alter table public.appointments
  alter column starts_at set not null,
  alter column ends_at set not null;

-- Triggers of one event fire in name order: the clock (1) before the booking rules (2), which
-- read starts_at.
create function private.appointment_clock() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  zone text;
begin
  select p.time_zone into zone from public.practitioners p where p.id = new.practitioner_id;
  new.starts_at := private.wall_clock_instant(new.appointment_date, new.start_time, zone);
  new.ends_at := private.wall_clock_instant(new.appointment_date, new.end_time, zone);
  return new;
end
$$;

create trigger appointments_1_clock
  before insert or update of appointment_date, start_time, end_time, practitioner_id
  on public.appointments
  for each row execute function private.appointment_clock();

create function private.practitioner_zone_changed() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.appointments a
  set starts_at = private.wall_clock_instant(a.appointment_date, a.start_time, new.time_zone),
      ends_at = private.wall_clock_instant(a.appointment_date, a.end_time, new.time_zone)
  where a.practitioner_id = new.id;
  return null;
end
$$;

create trigger practitioners_zone_changed after update of time_zone on public.practitioners
  for each row when (old.time_zone is distinct from new.time_zone)
  execute function private.practitioner_zone_changed();

-- One person (the account holder, or one of their relatives) is never in two places at once.
alter table public.appointments add constraint appointments_person_no_overlap exclude using gist (
  (coalesce(relative_id, patient_id)) with =,
  tstzrange(starts_at, ends_at) with &&
) where (status in ('pending', 'confirmed'));

create index appointments_patient_starts_idx on public.appointments (patient_id, starts_at);

-- An appointment's relative is one of its patient's relatives.
alter table public.relatives add constraint relatives_id_user_key unique (id, user_id);
alter table public.appointments
  drop constraint appointments_relative_id_fkey,
  add constraint appointments_relative_of_patient foreign key (relative_id, patient_id)
    references public.relatives (id, user_id) on delete set null (relative_id);

-- What a booking made by a signed-in user must be: through the API or the Data API alike.
-- Inserts made by the platform itself (seed data, tests arranging history) are not bookings.
create function private.appointment_booking_rules() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  practitioner record;
begin
  if (select auth.uid()) is null then
    return new;
  end if;
  select p.is_active, p.is_accepting_new_patients into practitioner
    from public.practitioners p where p.id = new.practitioner_id;
  if not found or not practitioner.is_active then
    raise exception using errcode = 'DK400', column = 'practitioner_id',
      message = 'We could not find this practitioner.';
  end if;
  if new.practitioner_id = new.patient_id then
    raise exception using errcode = 'DK400', column = 'practitioner_id',
      message = 'You cannot book an appointment with yourself.';
  end if;
  if new.reason_id is not null and not exists (
    select from public.appointment_reasons r
    where r.id = new.reason_id and r.is_active
      and (r.practitioner_id is null or r.practitioner_id = new.practitioner_id)
  ) then
    raise exception using errcode = 'DK400', column = 'reason_id',
      message = 'Please choose one of this practitioner''s reasons for a visit.';
  end if;
  if not new.visited_before and not practitioner.is_accepting_new_patients then
    raise exception using errcode = 'DK409',
      message = 'This practitioner is not accepting new patients at the moment.';
  end if;
  if new.starts_at <= now() then
    raise exception using errcode = 'DK400', column = 'start_time',
      message = 'This time has already passed. Please choose a later slot.';
  end if;
  if not app.practitioner_slot_is_free(new.practitioner_id, new.appointment_date,
                                       new.start_time, new.end_time) then
    -- Taken rather than never offered: the exclusion constraint refuses the insert, with the
    -- same answer as for a booking that loses a race for the slot.
    if exists (
      select from public.appointments a
      where a.practitioner_id = new.practitioner_id and a.status in ('pending', 'confirmed')
        and a.appointment_date = new.appointment_date
        and a.start_time < new.end_time and new.start_time < a.end_time
    ) then
      return new;
    end if;
    raise exception using errcode = 'DK400', column = 'start_time',
      message = 'This time is not one of the practitioner''s free slots. Please choose another.';
  end if;
  return new;
end
$$;

create trigger appointments_2_booking_rules before insert on public.appointments
  for each row execute function private.appointment_booking_rules();

-- The status machine. Null when `p_to` may follow `p_from` at this moment, else why not.
create function private.appointment_transition_refusal(
  p_from public.appointment_status,
  p_to public.appointment_status,
  p_starts_at timestamptz
) returns text
language sql stable set search_path = ''
as $$
  select case
    when p_from in ('cancelled_by_patient', 'cancelled_by_practitioner')
      then 'This appointment was already cancelled.'
    when p_from = 'completed' then 'This appointment is already completed.'
    when p_from = 'no_show' then 'This appointment was already marked as a no-show.'
    when p_from = p_to and p_to = 'confirmed' then 'This appointment is already confirmed.'
    when p_to = 'pending' then 'An appointment cannot go back to pending.'
    when p_to in ('completed', 'no_show') and p_from = 'pending'
      then 'This appointment has to be confirmed first.'
    when p_to in ('completed', 'no_show') and now() < p_starts_at
      then 'This appointment has not started yet.'
    when p_to = 'cancelled_by_patient' and now() >= p_starts_at
      then 'This appointment has already started and can no longer be cancelled.'
  end
$$;

-- Fires whenever an UPDATE names the status, even to the same value: asking for the status an
-- appointment already has is refused like any other impossible step.
create function private.appointment_transition() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  refusal text := private.appointment_transition_refusal(old.status, new.status, old.starts_at);
begin
  if refusal is not null then
    raise exception using errcode = 'DK409', message = refusal;
  end if;
  case new.status
    when 'confirmed' then new.confirmed_at := now();
    when 'cancelled_by_patient', 'cancelled_by_practitioner' then new.cancelled_at := now();
    when 'completed' then new.completed_at := now();
    else null;
  end case;
  return new;
end
$$;

create trigger appointments_3_transition before update of status on public.appointments
  for each row execute function private.appointment_transition();

-- Who may take which step, for signed-in users (the grants below open the columns): the
-- patient only cancels; the practitioner does the rest; an admin does either.
create function private.appointment_actor_rules() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  actor uuid := (select auth.uid());
begin
  if actor is null or (select private.is_admin()) then
    return new;
  end if;
  if actor = old.practitioner_id then
    if new.status is distinct from old.status and new.status = 'cancelled_by_patient' then
      raise exception using errcode = '42501', message = 'Only the patient can do this.';
    end if;
  elsif new.status is distinct from old.status and new.status <> 'cancelled_by_patient'
     or new.practitioner_notes is distinct from old.practitioner_notes then
    raise exception using errcode = '42501', message = 'Only the practitioner can do this.';
  end if;
  return new;
end
$$;

create trigger appointments_2_actor_rules before update on public.appointments
  for each row execute function private.appointment_actor_rules();

create function private.appointment_set_times_on_insert() returns trigger
language plpgsql set search_path = ''
as $$
begin
  new.confirmed_at := case when new.status in ('confirmed', 'completed', 'no_show')
                        then coalesce(new.confirmed_at, now()) end;
  new.cancelled_at := case when new.status in ('cancelled_by_patient', 'cancelled_by_practitioner')
                        then coalesce(new.cancelled_at, now()) end;
  new.completed_at := case when new.status = 'completed' then coalesce(new.completed_at, now()) end;
  return new;
end
$$;

create trigger appointments_3_times before insert on public.appointments
  for each row execute function private.appointment_set_times_on_insert();

-- Each step tells both sides: the event to the patient's and the practitioner's sockets, the
-- notification to whoever did not take the step (and to the patient of their own cancellation),
-- and a booking opens the pair's conversation.
create function private.appointment_announce() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  payload jsonb := jsonb_build_object(
    'id', new.id, 'status', new.status, 'appointment_date', new.appointment_date,
    'start_time', new.start_time, 'end_time', new.end_time,
    'practitioner_id', new.practitioner_id, 'patient_id', new.patient_id);
  for_patient jsonb := jsonb_build_object('appointment_id', new.id,
                                          'practitioner_id', new.practitioner_id);
  for_practitioner jsonb := jsonb_build_object('appointment_id', new.id,
                                               'patient_id', new.patient_id);
begin
  perform private.emit_event(new.patient_id, 'appointment:updated', payload);
  perform private.emit_event(new.practitioner_id, 'appointment:updated', payload);
  if tg_op = 'INSERT' then
    insert into public.conversations (patient_id, practitioner_id, appointment_id)
    values (new.patient_id, new.practitioner_id, new.id)
    on conflict on constraint conversations_one_per_pair
      do update set appointment_id = excluded.appointment_id;
    if new.source = 'dokal_app' then
      perform private.notify(new.practitioner_id, 'appointment_request', for_practitioner);
    else
      perform private.notify(new.patient_id, 'appointment_created', for_patient);
    end if;
    return null;
  end if;
  case new.status
    when 'confirmed' then
      perform private.notify(new.patient_id, 'appointment_confirmed', for_patient);
    when 'cancelled_by_patient' then
      perform private.notify(new.practitioner_id, 'appointment_cancelled', for_practitioner);
      perform private.notify(new.patient_id, 'appointment_cancelled', for_patient);
    when 'cancelled_by_practitioner' then
      perform private.notify(new.patient_id, 'appointment_cancelled', for_patient);
    when 'completed' then
      perform private.notify(new.patient_id, 'appointment_completed', for_patient);
    else null;
  end case;
  return null;
end
$$;

create trigger appointments_announce_insert after insert on public.appointments
  for each row execute function private.appointment_announce();
create trigger appointments_announce_status after update of status on public.appointments
  for each row when (old.status is distinct from new.status)
  execute function private.appointment_announce();

-- Signed-in users write appointments as themselves; the triggers above hold the rules.
create policy appointments_book on public.appointments for insert to authenticated
  with check (patient_id = (select auth.uid()) and status = 'pending' and source = 'dokal_app');
create policy appointments_step on public.appointments for update to authenticated
  using (
    patient_id = (select auth.uid())
    or practitioner_id = (select auth.uid())
    or (select private.is_admin())
  );

grant insert (patient_id, practitioner_id, relative_id, reason_id, appointment_date, start_time,
  end_time, visited_before, patient_address_line, patient_zip_code, patient_city, idempotency_key)
  on public.appointments to authenticated;
grant update (status, cancellation_reason, practitioner_notes) on public.appointments to authenticated;

-- The practice's view of its appointments: profiles and relatives stay closed to practitioners,
-- so this view (run with its owner's rights) opens the patient's card (name, phone, picture)
-- and the relative's name, only on the caller's own appointments (an admin: any).
create view public.practice_appointments with (security_barrier) as
  select a.id, a.practitioner_id, a.patient_id, a.relative_id, a.reason_id, a.appointment_date,
         a.start_time, a.end_time, a.status, a.visited_before, a.patient_address_line,
         a.patient_zip_code, a.patient_city, a.cancellation_reason, a.practitioner_notes,
         a.confirmed_at, a.cancelled_at, a.completed_at, a.source, a.created_at,
         json_build_object('id', p.id, 'first_name', p.first_name, 'last_name', p.last_name,
                           'phone', p.phone, 'avatar_url', p.avatar_url) as patient,
         case when r.id is not null then
           json_build_object('id', r.id, 'first_name', r.first_name, 'last_name', r.last_name)
         end as relative
  from public.appointments a
  join public.profiles p on p.id = a.patient_id
  left join public.relatives r on r.id = a.relative_id
  where a.practitioner_id = (select auth.uid()) or (select private.is_admin());

revoke all on public.practice_appointments from anon, authenticated;
grant select on public.practice_appointments to authenticated;

-- The CRM also follows appointments through Supabase Realtime; RLS keeps each practitioner to
-- their own rows. Elsewhere (no such publication) there is nothing to do.
do $$
begin
  if exists (select from pg_publication where pubname = 'supabase_realtime')
     and not exists (
       select from pg_publication_tables
       where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = 'appointments'
     ) then
    alter publication supabase_realtime add table public.appointments;
  end if;
end
$$;
