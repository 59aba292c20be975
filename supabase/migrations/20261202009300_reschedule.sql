-- Rescheduling (PATCH /appointments/:id/reschedule, client-extras 7): the patient moves a
-- pending or confirmed appointment that has not started to another free slot of the same
-- practitioner, in one UPDATE of the date and times with `status = 'pending'`. The row keeps its
-- id; the old slot is free and the new one taken in the same statement, and the exclusion
-- constraints decide a race for the new slot as for a booking (the loser keeps its old slot).
--
-- Signed-in users now hold the update grant of the date and times, so every rule of a move
-- lives here, for the API and the Data API alike: the trigger appointments_1_move_rules below,
-- the status machine (back to pending only by a move), the actor rules (only the patient moves),
-- and the clock trigger (appointments_1_clock) keeps starts_at/ends_at right.

grant update (appointment_date, start_time, end_time) on public.appointments to authenticated;

-- What a move must be. Fires after the clock has computed the new instants and before the actor
-- rules and the status machine (name order: 1 clock, 1 move rules, 2 actor rules, 3 transition).
create function private.appointment_move_rules() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  actor uuid := (select auth.uid());
begin
  if (new.appointment_date, new.start_time, new.end_time)
     is not distinct from (old.appointment_date, old.start_time, old.end_time) then
    -- The patient "moving" to the slot it already has (which would only unconfirm it).
    if actor is not null and actor = old.patient_id and new.status is distinct from old.status
       and old.status in ('pending', 'confirmed') then
      raise exception using errcode = 'DK400', column = 'start_time',
        message = 'This is already the time of this appointment. Please choose another slot.';
    end if;
    return new;
  end if;
  if actor is null then
    return new;
  end if;
  if old.patient_id is distinct from actor then
    raise exception using errcode = '42501',
      message = 'Only the patient can move this appointment.';
  end if;
  if old.status not in ('pending', 'confirmed') then
    raise exception using errcode = 'DK400', column = 'status',
      message = 'Only a pending or confirmed appointment can be moved.';
  end if;
  if old.starts_at <= now() then
    raise exception using errcode = 'DK409',
      message = 'This appointment has already started and can no longer be moved.';
  end if;
  if new.status is distinct from 'pending' then
    raise exception using errcode = 'DK400', column = 'status',
      message = 'A moved appointment waits for the practitioner''s confirmation again.';
  end if;
  if new.starts_at <= now() then
    raise exception using errcode = 'DK400', column = 'start_time',
      message = 'This time has already passed. Please choose a later slot.';
  end if;
  if not app.practitioner_slot_is_free(new.practitioner_id, new.appointment_date,
                                       new.start_time, new.end_time) then
    -- Taken by another live appointment: the exclusion constraint refuses the update (409),
    -- as for a booking that loses a race. This appointment's own slot is not a free one either.
    if exists (
      select from public.appointments a
      where a.practitioner_id = new.practitioner_id and a.status in ('pending', 'confirmed')
        and a.id <> old.id and a.appointment_date = new.appointment_date
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

create trigger appointments_1_move_rules
  before update of appointment_date, start_time, end_time on public.appointments
  for each row execute function private.appointment_move_rules();

-- The status machine of 20261202000400, where a move is the one way back to pending: from
-- pending or confirmed, with the date or times changing in the same update (the move rules above
-- judge the rest), and `confirmed_at` cleared.
create or replace function private.appointment_transition() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  moved boolean := (new.appointment_date, new.start_time, new.end_time)
                   is distinct from (old.appointment_date, old.start_time, old.end_time);
  refusal text;
begin
  if moved and new.status = 'pending' and old.status in ('pending', 'confirmed') then
    new.confirmed_at := null;
    return new;
  end if;
  refusal := private.appointment_transition_refusal(old.status, new.status, old.starts_at);
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

-- The actor rules of 20261202001400, where the patient's step back to pending is allowed as
-- part of a move (the move rules keep moves to the patient).
create or replace function private.appointment_actor_rules() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  actor uuid := (select auth.uid());
  moved boolean := (new.appointment_date, new.start_time, new.end_time)
                   is distinct from (old.appointment_date, old.start_time, old.end_time);
begin
  if actor is null or (select private.is_admin()) then
    return new;
  end if;
  if new.cancellation_reason is distinct from old.cancellation_reason
     and not (new.status is distinct from old.status
              and new.status in ('cancelled_by_patient', 'cancelled_by_practitioner')) then
    raise exception using errcode = '42501',
      message = 'The reason of a cancellation is given when cancelling.';
  end if;
  if actor = old.practitioner_id then
    if new.status is distinct from old.status and new.status = 'cancelled_by_patient' then
      raise exception using errcode = '42501', message = 'Only the patient can do this.';
    end if;
  elsif new.status is distinct from old.status
        and new.status <> 'cancelled_by_patient'
        and not (moved and new.status = 'pending')
     or new.practitioner_notes is distinct from old.practitioner_notes then
    raise exception using errcode = '42501', message = 'Only the practitioner can do this.';
  end if;
  return new;
end
$$;

-- Who hears of a move: the practitioner (`appointment_rescheduled`, in their language, with the
-- new date and time), and both sides' sockets, unless the status trigger (confirmed → pending)
-- already sent them the appointment.
create function private.appointment_announce_move() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  payload jsonb := jsonb_build_object(
    'id', new.id, 'status', new.status, 'appointment_date', new.appointment_date,
    'start_time', new.start_time, 'end_time', new.end_time,
    'practitioner_id', new.practitioner_id, 'patient_id', new.patient_id);
begin
  if old.status is not distinct from new.status then
    if new.patient_id is not null then
      perform private.emit_event(new.patient_id, 'appointment:updated', payload);
    end if;
    perform private.emit_event(new.practitioner_id, 'appointment:updated', payload);
  end if;
  if old.status in ('pending', 'confirmed') and new.status = 'pending' then
    perform private.notify(new.practitioner_id, 'appointment_rescheduled', jsonb_build_object(
      'appointment_id', new.id, 'patient_id', new.patient_id,
      'previous_date', old.appointment_date, 'previous_start_time', old.start_time));
  end if;
  return null;
end
$$;

create trigger appointments_announce_move
  after update of appointment_date, start_time, end_time on public.appointments
  for each row
  when ((old.appointment_date, old.start_time, old.end_time)
        is distinct from (new.appointment_date, new.start_time, new.end_time))
  execute function private.appointment_announce_move();

insert into private.notification_templates (type, locale, title, body) values
  ('appointment_rescheduled', 'fr', 'Rendez-vous déplacé',
   '{patient} a déplacé son rendez-vous au {date} à {time}. Il attend votre confirmation.'),
  ('appointment_rescheduled', 'he', 'התור הוזז',
   '{patient} הזיז/ה את התור ל-{date} בשעה {time}. התור ממתין לאישורך.'),
  ('appointment_rescheduled', 'en', 'Appointment rescheduled',
   '{patient} moved their appointment to {date} at {time}. It awaits your confirmation.'),
  ('appointment_rescheduled', 'ru', 'Приём перенесён',
   '{patient} перенес(ла) приём на {date} в {time}. Ожидает вашего подтверждения.'),
  ('appointment_rescheduled', 'am', 'ቀጠሮ ተዛውሯል',
   '{patient} ቀጠሮውን ወደ {date} በ{time} አዛውረዋል። ማረጋገጫዎን ይጠብቃል።'),
  ('appointment_rescheduled', 'es', 'Cita reprogramada',
   '{patient} ha cambiado su cita al {date} a las {time}. Espera su confirmación.');
