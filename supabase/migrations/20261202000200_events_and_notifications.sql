-- The events outbox: what the realtime relay delivers, written by triggers in the transaction of
-- the change it reports, so an event exists exactly when its change committed. The relay reads
-- it in id order from the last id it processed; `pg_notify` only tells it to look.
create table private.events (
  id bigint generated always as identity primary key,
  user_id uuid not null,
  event text not null check (event ~ '^[a-z]+:[a-z_]+$'),
  payload jsonb not null,
  created_at timestamptz not null default now(),
  -- Ids are taken before commit, so a reader can meet id n+1 before n is visible; the writing
  -- transaction lets it wait for the ones still in flight (pg_visible_in_snapshot).
  written_by xid8 not null default pg_current_xact_id()
);

alter table private.events enable row level security;
revoke all on private.events from public, anon, authenticated;

create function private.emit_event(p_user_id uuid, p_event text, p_payload jsonb) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  event_id bigint;
begin
  insert into private.events (user_id, event, payload)
  values (p_user_id, p_event, p_payload)
  returning id into event_id;
  perform pg_notify('dokal_events', event_id::text);
end
$$;

revoke all on function private.emit_event(uuid, text, jsonb) from public;

-- What the notification centre lists. Rows are written by the database only (private.notify);
-- their owner reads them and may change nothing but `is_read`.
create table public.notifications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  type public.notification_type not null,
  title text not null check (char_length(title) between 1 and 200),
  body text not null check (char_length(body) between 1 and 1000),
  data jsonb not null default '{}' check (jsonb_typeof(data) = 'object'),
  is_read boolean not null default false,
  created_at timestamptz not null default now()
);

create index notifications_user_idx on public.notifications (user_id, created_at desc, id);
-- The clients poll the unread count: it reads this small index only.
create index notifications_unread_idx on public.notifications (user_id) where not is_read;

alter table public.notifications enable row level security;

create policy notifications_owner_read on public.notifications for select to authenticated
  using (user_id = (select auth.uid()));
create policy notifications_owner_mark on public.notifications for update to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));

revoke all on public.notifications from anon, authenticated;
grant select on public.notifications to authenticated;
grant update (is_read) on public.notifications to authenticated;

-- How each locale writes a date, and who "someone" is when a person has no name on file.
create table private.locale_formats (
  locale public.app_locale primary key,
  -- {d}, {month} and {y} are replaced.
  date_pattern text not null,
  months text[] not null check (cardinality(months) = 12),
  someone text not null
);

insert into private.locale_formats (locale, date_pattern, months, someone) values
  ('fr', '{d} {month} {y}',
   '{janvier,février,mars,avril,mai,juin,juillet,août,septembre,octobre,novembre,décembre}',
   'Un patient'),
  ('he', '{d} ב{month} {y}',
   '{ינואר,פברואר,מרץ,אפריל,מאי,יוני,יולי,אוגוסט,ספטמבר,אוקטובר,נובמבר,דצמבר}',
   'מטופל/ת'),
  ('en', '{month} {d}, {y}',
   '{January,February,March,April,May,June,July,August,September,October,November,December}',
   'A patient'),
  ('ru', '{d} {month} {y}',
   '{января,февраля,марта,апреля,мая,июня,июля,августа,сентября,октября,ноября,декабря}',
   'Пациент'),
  ('am', '{month} {d}, {y}',
   '{ጃንዋሪ,ፌብሩዋሪ,ማርች,ኤፕሪል,ሜይ,ጁን,ጁላይ,ኦገስት,ሴፕቴምበር,ኦክቶበር,ኖቬምበር,ዲሴምበር}',
   'አንድ ታካሚ'),
  ('es', '{d} de {month} de {y}',
   '{enero,febrero,marzo,abril,mayo,junio,julio,agosto,septiembre,octubre,noviembre,diciembre}',
   'Un paciente');

-- Every text the server writes for a person, in each of their languages. Placeholders:
-- {practitioner}, {patient} (the relative when the appointment is for one), {date}, {time},
-- {address}, and any text key of the notification's data (for example {sender}).
create table private.notification_templates (
  type public.notification_type not null,
  locale public.app_locale not null,
  title text not null check (char_length(title) between 1 and 100),
  body text not null check (char_length(body) between 1 and 500),
  primary key (type, locale)
);

insert into private.notification_templates (type, locale, title, body) values
  ('appointment_request', 'fr', 'Nouvelle demande de rendez-vous',
   '{patient} demande un rendez-vous le {date} à {time}.'),
  ('appointment_request', 'he', 'בקשה חדשה לתור', '{patient} ביקש/ה תור ב-{date} בשעה {time}.'),
  ('appointment_request', 'en', 'New appointment request',
   '{patient} requested an appointment on {date} at {time}.'),
  ('appointment_request', 'ru', 'Новый запрос на приём',
   '{patient} просит записать на приём {date} в {time}.'),
  ('appointment_request', 'am', 'አዲስ የቀጠሮ ጥያቄ', '{patient} በ{date} በ{time} ቀጠሮ ጠይቀዋል።'),
  ('appointment_request', 'es', 'Nueva solicitud de cita',
   '{patient} ha solicitado una cita el {date} a las {time}.'),

  ('appointment_created', 'fr', 'Rendez-vous enregistré',
   'Votre rendez-vous avec {practitioner} le {date} à {time} a été enregistré.'),
  ('appointment_created', 'he', 'התור נקבע',
   'התור אצל {practitioner} ב-{date} בשעה {time} נקבע.'),
  ('appointment_created', 'en', 'Appointment booked',
   'Your appointment with {practitioner} on {date} at {time} has been booked.'),
  ('appointment_created', 'ru', 'Запись оформлена',
   'Вы записаны к {practitioner} на {date} в {time}.'),
  ('appointment_created', 'am', 'ቀጠሮ ተይዟል',
   'ከ{practitioner} ጋር በ{date} በ{time} ያለዎት ቀጠሮ ተይዟል።'),
  ('appointment_created', 'es', 'Cita registrada',
   'Su cita con {practitioner} el {date} a las {time} ha sido registrada.'),

  ('appointment_confirmed', 'fr', 'Rendez-vous confirmé',
   '{practitioner} a confirmé le rendez-vous du {date} à {time}.'),
  ('appointment_confirmed', 'he', 'התור אושר',
   '{practitioner} אישר/ה את התור ב-{date} בשעה {time}.'),
  ('appointment_confirmed', 'en', 'Appointment confirmed',
   '{practitioner} confirmed the appointment on {date} at {time}.'),
  ('appointment_confirmed', 'ru', 'Приём подтверждён',
   '{practitioner} подтвердил(а) приём {date} в {time}.'),
  ('appointment_confirmed', 'am', 'ቀጠሮ ተረጋግጧል',
   '{practitioner} በ{date} በ{time} ያለውን ቀጠሮ አረጋግጠዋል።'),
  ('appointment_confirmed', 'es', 'Cita confirmada',
   '{practitioner} ha confirmado la cita del {date} a las {time}.'),

  ('appointment_cancelled', 'fr', 'Rendez-vous annulé',
   'Le rendez-vous de {patient} avec {practitioner} le {date} à {time} a été annulé.'),
  ('appointment_cancelled', 'he', 'התור בוטל',
   'התור של {patient} אצל {practitioner} ב-{date} בשעה {time} בוטל.'),
  ('appointment_cancelled', 'en', 'Appointment cancelled',
   'The appointment of {patient} with {practitioner} on {date} at {time} was cancelled.'),
  ('appointment_cancelled', 'ru', 'Приём отменён',
   'Приём: {patient}, {practitioner}, {date} в {time} — отменён.'),
  ('appointment_cancelled', 'am', 'ቀጠሮ ተሰርዟል',
   'የ{patient} ቀጠሮ ከ{practitioner} ጋር በ{date} በ{time} ተሰርዟል።'),
  ('appointment_cancelled', 'es', 'Cita cancelada',
   'La cita de {patient} con {practitioner} el {date} a las {time} ha sido cancelada.'),

  ('appointment_completed', 'fr', 'Consultation terminée',
   'La consultation avec {practitioner} du {date} est terminée. Vous pouvez laisser un avis.'),
  ('appointment_completed', 'he', 'הביקור הסתיים',
   'הביקור אצל {practitioner} ב-{date} הסתיים. אפשר להשאיר חוות דעת.'),
  ('appointment_completed', 'en', 'Visit completed',
   'The visit with {practitioner} on {date} is complete. You can leave a review.'),
  ('appointment_completed', 'ru', 'Приём завершён',
   'Приём у {practitioner} {date} завершён. Вы можете оставить отзыв.'),
  ('appointment_completed', 'am', 'ጉብኝቱ ተጠናቋል',
   'በ{date} ከ{practitioner} ጋር የነበረው ጉብኝት ተጠናቋል። አስተያየት መስጠት ይችላሉ።'),
  ('appointment_completed', 'es', 'Consulta completada',
   'La consulta con {practitioner} del {date} ha finalizado. Puede dejar una opinión.'),

  ('appointment_reminder', 'fr', 'Rappel de rendez-vous',
   'Rappel : rendez-vous de {patient} avec {practitioner} demain, {date} à {time}. {address}'),
  ('appointment_reminder', 'he', 'תזכורת לתור',
   'תזכורת: התור של {patient} אצל {practitioner} מחר, {date} בשעה {time}. {address}'),
  ('appointment_reminder', 'en', 'Appointment reminder',
   'Reminder: {patient} sees {practitioner} tomorrow, {date} at {time}. {address}'),
  ('appointment_reminder', 'ru', 'Напоминание о приёме',
   'Напоминание: {patient}, приём у {practitioner} завтра, {date} в {time}. {address}'),
  ('appointment_reminder', 'am', 'የቀጠሮ ማስታወሻ',
   'ማስታወሻ፦ የ{patient} ቀጠሮ ከ{practitioner} ጋር ነገ፣ {date} በ{time}። {address}'),
  ('appointment_reminder', 'es', 'Recordatorio de cita',
   'Recordatorio: cita de {patient} con {practitioner} mañana, {date} a las {time}. {address}'),

  ('new_message', 'fr', 'Nouveau message', '{sender} vous a envoyé un message.'),
  ('new_message', 'he', 'הודעה חדשה', '{sender} שלח/ה לך הודעה.'),
  ('new_message', 'en', 'New message', '{sender} sent you a message.'),
  ('new_message', 'ru', 'Новое сообщение', '{sender} отправил(а) вам сообщение.'),
  ('new_message', 'am', 'አዲስ መልዕክት', '{sender} መልዕክት ልከውልዎታል።'),
  ('new_message', 'es', 'Nuevo mensaje', '{sender} le ha enviado un mensaje.'),

  ('review_received', 'fr', 'Nouvel avis', '{patient} a laissé un avis ({rating}/5).'),
  ('review_received', 'he', 'חוות דעת חדשה', '{patient} השאיר/ה חוות דעת ({rating}/5).'),
  ('review_received', 'en', 'New review', '{patient} left a review ({rating}/5).'),
  ('review_received', 'ru', 'Новый отзыв', '{patient} оставил(а) отзыв ({rating}/5).'),
  ('review_received', 'am', 'አዲስ ግምገማ', '{patient} ግምገማ ሰጥተዋል ({rating}/5)።'),
  ('review_received', 'es', 'Nueva opinión', '{patient} ha dejado una opinión ({rating}/5).');

alter table private.locale_formats enable row level security;
alter table private.notification_templates enable row level security;
revoke all on private.locale_formats, private.notification_templates from public, anon, authenticated;

-- Fills {name} placeholders in one pass, so a value that itself contains braces (a person's
-- name) is never read as a placeholder. An unknown placeholder stays as it is.
create function private.render_template(p_template text, p_vars jsonb) returns text
language sql immutable set search_path = ''
as $$
  select coalesce(string_agg(
    case when token[1] ~ '^\{[a-z_]+\}$'
      then coalesce(p_vars ->> btrim(token[1], '{}'), token[1])
      else token[1]
    end, '' order by position), '')
  from regexp_matches(p_template, '(\{[a-z_]+\}|[^{]+|\{)', 'g') with ordinality as t(token, position)
$$;

create function private.format_local_date(p_date date, p_locale public.app_locale) returns text
language sql stable set search_path = ''
as $$
  select private.render_template(f.date_pattern, jsonb_build_object(
    'd', extract(day from p_date)::int,
    'month', f.months[extract(month from p_date)::int],
    'y', extract(year from p_date)::int))
  from private.locale_formats f
  where f.locale = p_locale
$$;

-- The one way a notification is created: (recipient, type, data) in, the row written in the
-- recipient's language. With an appointment_id in the data, the appointment gives the names,
-- the date and the time; other text keys of the data fill placeholders of their own name.
create function private.notify(p_user_id uuid, p_type public.notification_type, p_data jsonb)
returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  recipient_locale public.app_locale;
  vars jsonb := p_data;
  template record;
  notification_id uuid;
begin
  select coalesce((select s.locale from public.user_settings s where s.user_id = p_user_id), 'fr')
    into recipient_locale;
  if p_data ? 'appointment_id' then
    select vars || jsonb_build_object(
             'practitioner', coalesce(nullif(concat_ws(' ', dr.first_name, dr.last_name), ''), ''),
             'patient', coalesce(
               nullif(concat_ws(' ', coalesce(r.first_name, pt.first_name),
                                     coalesce(r.last_name, pt.last_name)), ''),
               f.someone),
             'date', private.format_local_date(a.appointment_date, recipient_locale),
             'time', to_char(a.start_time, 'HH24:MI'),
             'address', concat_ws(', ', nullif(concat_ws(' ', pr.address_line, pr.street_number), ''),
                                        pr.city))
      into vars
      from public.appointments a
      join public.practitioners pr on pr.id = a.practitioner_id
      join public.profiles dr on dr.id = a.practitioner_id
      join public.profiles pt on pt.id = a.patient_id
      left join public.relatives r on r.id = a.relative_id
      cross join private.locale_formats f
      where a.id = (p_data ->> 'appointment_id')::uuid and f.locale = recipient_locale;
  end if;
  select t.title, t.body into template
    from private.notification_templates t
    where t.type = p_type and t.locale = recipient_locale;
  insert into public.notifications (user_id, type, title, body, data)
  values (p_user_id, p_type,
          private.render_template(template.title, vars),
          btrim(private.render_template(template.body, vars)),
          p_data)
  returning id into notification_id;
  return notification_id;
end
$$;

revoke all on function private.notify(uuid, public.notification_type, jsonb) from public;

-- Every new notification is also pushed to its recipient's open sockets.
create function private.notification_event() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.emit_event(new.user_id, 'notification:new', to_jsonb(new));
  return null;
end
$$;

create trigger notifications_event after insert on public.notifications
  for each row execute function private.notification_event();
