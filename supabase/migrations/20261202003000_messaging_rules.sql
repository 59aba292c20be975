-- Messaging, held by the database like the appointment lifecycle (20261202000400): who may open
-- a conversation, who may write and read in it, what a message may be, and what sending one
-- does (the conversation's last activity, the recipient's notification, the events of both
-- parties), all in the transaction of the write. The API, the Data API and any later job obey
-- the same rules. Refusals meant for people are raised with SQLSTATE DK400 (the field in COLUMN)
-- and a fixed sentence, as in the lifecycle.
--
-- An admin acts for a practitioner, as in the CRM (functions/crm/acting.ts): they read the
-- practice's conversations, open one with a patient of the practice, write as the practice (the
-- message's sender is the practitioner) and read the patient's messages for it.

-- What a message may be, whoever writes it. The API trims the text; a blank one is refused here
-- too. Pictures and files are links to where they are stored, over https only.
alter table public.messages
  add constraint messages_content_length check (
    char_length(content) <= 4000 and content ~ '[^[:space:]]'
  ),
  add constraint messages_attachment_is_https check (
    message_type not in ('image', 'file')
    or content ~ '^https://[^[:space:]/?#]+([/?#][^[:space:]]*)?$'
  );

-- Opening a conversation. The patient writes to an active practitioner; the practice (the
-- practitioner, or an admin acting for them) writes only to a patient who has had an
-- appointment with it. The conversation is about the pair's latest appointment. Asking for a
-- conversation that exists is no opening: the insert meets the pair's unique constraint and the
-- API answers the existing one. Conversations the platform opens (a booking's, from the
-- lifecycle's trigger; seed data) follow no rules of a person's.
create function private.conversation_opening_rules() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  opener uuid := (select auth.uid());
  practitioner record;
begin
  if opener is null or pg_trigger_depth() > 1 then
    return new;
  end if;
  -- Someone opening a conversation for others is refused by the policy, told nothing here.
  if opener not in (new.patient_id, new.practitioner_id) and not (select private.is_admin()) then
    return new;
  end if;
  if new.patient_id = new.practitioner_id then
    raise exception using errcode = 'DK400', column = 'practitioner_id',
      message = 'You cannot start a conversation with yourself.';
  end if;
  if exists (
    select from public.conversations c
    where c.patient_id = new.patient_id and c.practitioner_id = new.practitioner_id
  ) then
    return new;
  end if;
  select p.is_active into practitioner from public.practitioners p where p.id = new.practitioner_id;
  if not found or (opener = new.patient_id and not practitioner.is_active) then
    raise exception using errcode = 'DK400', column = 'practitioner_id',
      message = 'We could not find this practitioner.';
  end if;
  select a.id into new.appointment_id
    from public.appointments a
    where a.patient_id = new.patient_id and a.practitioner_id = new.practitioner_id
    order by a.created_at desc, a.id desc
    limit 1;
  if opener <> new.patient_id and new.appointment_id is null then
    raise exception using errcode = 'DK400', column = 'patient_id',
      message = 'You can only write to a patient who has had an appointment with this practice.';
  end if;
  return new;
end
$$;

create trigger conversations_opening_rules before insert on public.conversations
  for each row execute function private.conversation_opening_rules();

create policy conversations_open on public.conversations for insert to authenticated
  with check (
    patient_id = (select auth.uid())
    or practitioner_id = (select auth.uid())
    or (select private.is_admin())
  );
create policy conversations_admin_read on public.conversations for select to authenticated
  using ((select private.is_admin()));

-- A person names the pair; the database sets the appointment (above) and the activity (below).
grant insert (patient_id, practitioner_id) on public.conversations to authenticated;

-- Writing: a party writes as themself, an admin as the practice; never a system message, which
-- only the platform writes.
create policy messages_send on public.messages for insert to authenticated
  with check (
    messages.message_type <> 'system'
    and exists (
      select from public.conversations c
      where c.id = messages.conversation_id
        and (
          messages.sender_id = (select auth.uid())
          and messages.sender_id in (c.patient_id, c.practitioner_id)
          or messages.sender_id = c.practitioner_id and (select private.is_admin())
        )
    )
  );

-- Reading: a party marks the other party's messages read, an admin the patient's for the
-- practice. Only is_read is granted, and only to true; the time is the database's.
create policy messages_mark_read on public.messages for update to authenticated
  using (exists (
    select from public.conversations c
    where c.id = messages.conversation_id
      and (
        (select auth.uid()) in (c.patient_id, c.practitioner_id)
        and messages.sender_id <> (select auth.uid())
        or messages.sender_id = c.patient_id and (select private.is_admin())
      )
  ))
  with check (is_read);
create policy messages_admin_read on public.messages for select to authenticated
  using ((select private.is_admin()));

grant insert (conversation_id, sender_id, content, message_type) on public.messages to authenticated;
grant update (is_read) on public.messages to authenticated;

create function private.message_read_at() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if new.is_read is distinct from old.is_read then
    new.read_at := case when new.is_read then now() end;
  end if;
  return new;
end
$$;

create trigger messages_read_at before update of is_read on public.messages
  for each row execute function private.message_read_at();

-- Messages read by their recipient also read the recipient's `new_message` notifications of that
-- conversation, however they were read (the API, the Data API, an admin for the practice).
create function private.messages_read() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.notifications n
  set is_read = true
  from (
    select distinct r.conversation_id,
           case when r.sender_id = c.patient_id then c.practitioner_id else c.patient_id end
             as reader
    from read_rows r
    join was_rows w on w.id = r.id and not w.is_read
    join public.conversations c on c.id = r.conversation_id
    where r.is_read
  ) x
  where n.user_id = x.reader
    and not n.is_read
    and n.type = 'new_message'
    and n.data ->> 'conversation_id' = x.conversation_id::text;
  return null;
end
$$;

create trigger messages_read after update on public.messages
  referencing old table as was_rows new table as read_rows
  for each statement execute function private.messages_read();

-- Sending: in the transaction of the insert, the conversation's last activity, the event
-- `message:new` (the message, with conversation_id and ISO timestamps) to both parties, and the
-- `new_message` notification to the other party, whose own trigger adds `notification:new`.
-- System messages tell the sockets but notify nobody: the platform's own notification goes with
-- whatever it reports.
create function private.message_sent() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  pair record;
  message jsonb := jsonb_build_object(
    'id', new.id, 'conversation_id', new.conversation_id, 'sender_id', new.sender_id,
    'content', new.content, 'message_type', new.message_type, 'is_read', new.is_read,
    -- As the API writes every timestamp (shared/db/timestamps.ts).
    'read_at', to_char(new.read_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'created_at', to_char(new.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'));
begin
  update public.conversations c
  set last_message_at = greatest(c.last_message_at, new.created_at)
  where c.id = new.conversation_id
  returning c.patient_id, c.practitioner_id into pair;
  perform private.emit_event(pair.patient_id, 'message:new', message);
  perform private.emit_event(pair.practitioner_id, 'message:new', message);
  if new.message_type <> 'system' and new.sender_id in (pair.patient_id, pair.practitioner_id) then
    perform private.notify(
      case when new.sender_id = pair.patient_id then pair.practitioner_id else pair.patient_id end,
      'new_message',
      jsonb_build_object('conversation_id', new.conversation_id, 'sender_id', new.sender_id));
  end if;
  return null;
end
$$;

create trigger messages_sent after insert on public.messages
  for each row execute function private.message_sent();

-- private.notify as 20261202000200 wrote it, plus {sender}: with a sender_id in the data, the
-- sender's name (or the locale's "someone" when they have none on file).
create or replace function private.notify(p_user_id uuid, p_type public.notification_type, p_data jsonb)
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
  if p_data ? 'sender_id' then
    select vars || jsonb_build_object(
             'sender', coalesce(nullif(concat_ws(' ', s.first_name, s.last_name), ''), f.someone))
      into vars
      from private.locale_formats f
      left join public.profiles s on s.id = (p_data ->> 'sender_id')::uuid
      where f.locale = recipient_locale;
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
