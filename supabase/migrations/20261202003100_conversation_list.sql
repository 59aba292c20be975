-- The conversation list, which the CRM polls every 30 seconds: one statement for any number of
-- conversations, each of its parts an index read.

-- Unread messages per conversation and sender: an item's unread count reads only the unread
-- entries of its conversation (an index-only scan), however long the conversation is.
create index messages_unread_idx on public.messages (conversation_id, sender_id) where not is_read;

-- Each of the caller's conversations with what its list item shows: both parties' names and
-- pictures, the last message, the unread messages of each side, the pair's latest appointment.
-- profiles stays closed to practitioners, so this view (run with its owner's rights) opens the
-- patient's card only on the caller's own conversations (an admin: any, to act for a
-- practice), and nothing else of either profile. Running as its owner, it also reads the
-- messages and the appointment of those conversations without checking the policies of
-- messages (the same parties) row by row.
-- Filters of the caller's query on its uuid columns are pushed into it (uuid equality is
-- leakproof): a practice's list is read through conversations_practitioner_idx, a patient's
-- through conversations_one_per_pair, and the rest only for the rows they find.
create view public.conversation_summaries with (security_barrier) as
  select c.id, c.patient_id, c.practitioner_id, c.last_message_at, c.created_at,
         json_build_object('first_name', pt.first_name, 'last_name', pt.last_name,
                           'avatar_url', pt.avatar_url) as patient_profile,
         json_build_object('first_name', dr.first_name, 'last_name', dr.last_name,
                           'avatar_url', dr.avatar_url) as practitioner_profile,
         (select json_build_object(
                   'id', m.id, 'content', m.content,
                   'created_at', to_char(m.created_at at time zone 'UTC',
                                         'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                   'message_type', m.message_type, 'sender_id', m.sender_id)
          from public.messages m
          where m.conversation_id = c.id
          order by m.created_at desc, m.id desc
          limit 1) as last_message,
         unread.from_patient as unread_from_patient,
         unread.from_practitioner as unread_from_practitioner,
         case when a.id is not null then
           json_build_object('id', a.id, 'status', a.status,
                             'appointment_date', a.appointment_date, 'reason', r.label)
         end as appointment
  from public.conversations c
  join public.profiles pt on pt.id = c.patient_id
  join public.profiles dr on dr.id = c.practitioner_id
  left join public.appointments a on a.id = c.appointment_id
  left join public.appointment_reasons r on r.id = a.reason_id
  cross join lateral (
    select count(*) filter (where m.sender_id = c.patient_id) as from_patient,
           count(*) filter (where m.sender_id = c.practitioner_id) as from_practitioner
    from public.messages m
    where m.conversation_id = c.id and not m.is_read
  ) unread
  where c.patient_id = (select auth.uid())
     or c.practitioner_id = (select auth.uid())
     or (select private.is_admin());

revoke all on public.conversation_summaries from anon, authenticated;
grant select on public.conversation_summaries to authenticated;
