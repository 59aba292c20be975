-- Earlier-slot alerts (GET and POST /appointments/:id/earlier-alert): a patient with a pending
-- or confirmed appointment asks to be told when an earlier slot of the same practitioner frees
-- up. One alert per appointment (the row exists: the alert is on).
--
-- When a live appointment is cancelled or moved, every patient with an alert on a later live
-- appointment of that practitioner gets one `earlier_slot_available` notification, in their
-- language, written by a trigger in the transaction of the cancellation. The trigger is a
-- deferred constraint trigger: it judges at commit whether the freed slot is still one the
-- practitioner offers free (app.practitioner_slot_is_free, which also leaves out what has
-- started), so a transaction that frees a slot and takes it again tells nobody. At most one
-- notification per alert and freed day: the key of private.earlier_slot_alerts_sent.

create table public.earlier_slot_alerts (
  appointment_id uuid primary key references public.appointments (id) on delete cascade,
  -- Copied from the appointment by the trigger below, whatever the writer sends.
  patient_id uuid not null references public.profiles (id) on delete cascade,
  practitioner_id uuid not null references public.practitioners (id) on delete cascade,
  created_at timestamptz not null default now()
);

create index earlier_slot_alerts_practitioner_idx on public.earlier_slot_alerts (practitioner_id);

alter table public.earlier_slot_alerts enable row level security;

create policy earlier_slot_alerts_owner on public.earlier_slot_alerts for all to authenticated
  using (patient_id = (select auth.uid()))
  with check (patient_id = (select auth.uid()));

revoke all on public.earlier_slot_alerts from anon, authenticated;
grant select, delete on public.earlier_slot_alerts to authenticated;
grant insert (appointment_id) on public.earlier_slot_alerts to authenticated;

-- An alert is the patient's own, on an appointment that is live and not over.
create function private.earlier_slot_alert_rules() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  appointment record;
begin
  select a.patient_id, a.practitioner_id, a.status, a.ends_at into appointment
    from public.appointments a where a.id = new.appointment_id;
  if not found or ((select auth.uid()) is not null
                   and appointment.patient_id is distinct from (select auth.uid())) then
    raise exception using errcode = 'DK404', message = 'We could not find this appointment.';
  end if;
  if appointment.status not in ('pending', 'confirmed') or appointment.ends_at <= now() then
    raise exception using errcode = 'DK400', column = 'enabled',
      message = 'Alerts are only for pending or confirmed appointments still ahead.';
  end if;
  new.patient_id := appointment.patient_id;
  new.practitioner_id := appointment.practitioner_id;
  return new;
end
$$;

create trigger earlier_slot_alerts_rules before insert on public.earlier_slot_alerts
  for each row execute function private.earlier_slot_alert_rules();

-- What was sent: one row per alert and freed day.
create table private.earlier_slot_alerts_sent (
  appointment_id uuid not null references public.appointments (id) on delete cascade,
  freed_date date not null,
  created_at timestamptz not null default now(),
  primary key (appointment_id, freed_date)
);

alter table private.earlier_slot_alerts_sent enable row level security;
revoke all on private.earlier_slot_alerts_sent from public, anon, authenticated;

-- A live appointment was cancelled or moved: its old slot, if still free at commit, goes to the
-- alerts on later live appointments of the practitioner (not the freed appointment's own).
create function private.earlier_slot_freed() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  due record;
begin
  if not app.practitioner_slot_is_free(old.practitioner_id, old.appointment_date,
                                       old.start_time, old.end_time) then
    return null;
  end if;
  for due in
    select a.id, a.patient_id
    from public.earlier_slot_alerts e
    join public.appointments a on a.id = e.appointment_id
    where e.practitioner_id = old.practitioner_id
      and a.practitioner_id = old.practitioner_id
      and a.status in ('pending', 'confirmed')
      and a.starts_at > old.starts_at
      and a.id <> old.id
      and a.patient_id is not null
    order by a.starts_at, a.id
  loop
    insert into private.earlier_slot_alerts_sent (appointment_id, freed_date)
    values (due.id, old.appointment_date)
    on conflict (appointment_id, freed_date) do nothing;
    if found then
      perform private.notify(due.patient_id, 'earlier_slot_available', jsonb_build_object(
        'appointment_id', due.id, 'practitioner_id', old.practitioner_id,
        'freed_date', old.appointment_date));
    end if;
  end loop;
  return null;
end
$$;

create constraint trigger appointments_earlier_slot_freed
  after update on public.appointments
  deferrable initially deferred
  for each row
  when (old.status in ('pending', 'confirmed')
        and (new.status not in ('pending', 'confirmed')
             or (old.appointment_date, old.start_time, old.end_time)
                is distinct from (new.appointment_date, new.start_time, new.end_time)))
  execute function private.earlier_slot_freed();

insert into private.notification_templates (type, locale, title, body) values
  ('earlier_slot_available', 'fr', 'Un créneau plus tôt s''est libéré',
   'Un créneau plus tôt vient de se libérer chez {practitioner}. Votre rendez-vous est le {date} à {time} : ouvrez l''application pour le réserver.'),
  ('earlier_slot_available', 'he', 'התפנה תור מוקדם יותר',
   'התפנה תור מוקדם יותר אצל {practitioner}. התור שלך ב-{date} בשעה {time}: פתח/י את האפליקציה כדי להזמין.'),
  ('earlier_slot_available', 'en', 'An earlier slot is free',
   'An earlier slot with {practitioner} has just opened up. Your appointment is on {date} at {time}: open the app to book it.'),
  ('earlier_slot_available', 'ru', 'Освободилось более раннее время',
   'У {practitioner} освободилось более раннее время. Ваш приём {date} в {time}: откройте приложение, чтобы записаться.'),
  ('earlier_slot_available', 'am', 'ቀደም ያለ ሰዓት ተገኝቷል',
   'ከ{practitioner} ጋር ቀደም ያለ ሰዓት ተለቅቋል። ቀጠሮዎ በ{date} በ{time} ነው፦ ለማስያዝ መተግበሪያውን ይክፈቱ።'),
  ('earlier_slot_available', 'es', 'Hay un horario más temprano',
   'Se ha liberado un horario más temprano con {practitioner}. Su cita es el {date} a las {time}: abra la aplicación para reservarlo.');
