import type { Fragment, Tx } from '../../shared/db/client.ts';
import { isoTimestamp } from '../../shared/db/timestamps.ts';
import type { JsonText } from '../../shared/http/json-text.ts';
import type { Side } from './acting.ts';
import type { Conversation, Message, MessagesQuery, NewMessage } from './schemas.ts';

/**
 * The conversations `c` of the side. The owner filter stays even though RLS already applies: an
 * admin, whom RLS lets read every conversation, sees only the practice they act for.
 */
const ofSide = (tx: Tx, side: Side): Fragment =>
  side.practice
    ? tx`c.practitioner_id = ${side.userId}`
    : tx`(c.patient_id = ${side.userId} or c.practitioner_id = ${side.userId})`;

/**
 * Conversation `c` of the view `conversation_summaries` as a list item, for a
 * `json_build_object` (json: the keys keep this order). The unread count is the other side's
 * unread messages, the reader being the caller or the practice they act for.
 */
const itemFields = (tx: Tx, readerId: string): Fragment =>
  tx`'id', c.id, 'patient_id', c.patient_id, 'practitioner_id', c.practitioner_id,
     'last_message_at', ${isoTimestamp(tx, tx`c.last_message_at`)},
     'practitioners', json_build_object('id', c.practitioner_id,
                                        'profiles', c.practitioner_profile),
     'profiles', c.patient_profile,
     'last_message', c.last_message,
     'unread_count', case when c.patient_id = ${readerId} then c.unread_from_practitioner
                          else c.unread_from_patient end,
     'appointments', c.appointment`;

/**
 * The side's conversations, most recent activity first, in one statement whatever their number;
 * `known` is false when an admin names no practitioner that exists.
 */
export function listConversations(tx: Tx, side: Side) {
  const known = side.practice
    ? tx`exists (select from public.practitioners p where p.id = ${side.userId})`
    : tx`true`;
  return tx<[{ conversations: JsonText<Conversation[]>; known: boolean }]>`
    select coalesce(json_agg(json_build_object(${itemFields(tx, side.userId)})
                             order by coalesce(c.last_message_at, c.created_at) desc, c.id desc),
                    '[]')::text as conversations,
           ${known} as known
    from public.conversation_summaries c
    where ${ofSide(tx, side)}`;
}

export interface Pair {
  patientId: string;
  practitionerId: string;
}

/**
 * Opens the pair's conversation, or finds it, and reads it back as `reader` sees it: three
 * statements issued together, so they leave in one write. Each sees what the one before did
 * (read committed): a conversation a concurrent request opened first is found, not missed. The
 * database's rules (migration 20261202003000) refuse what may not be opened, in words the error
 * handler passes on; the statements after a refused one fail with it.
 */
export async function openConversation(
  tx: Tx,
  pair: Pair,
  readerId: string,
  firstMessage: string | null,
): Promise<{
  created: boolean;
  messageId?: string;
  found?: { id: string; conversation: JsonText<Conversation> };
}> {
  const [opened, [message], [found]] = await Promise.all([
    tx<{ id: string }[]>`
      insert into public.conversations (patient_id, practitioner_id)
      values (${pair.patientId}, ${pair.practitionerId})
      on conflict on constraint conversations_one_per_pair do nothing
      returning id`,
    firstMessage === null ? Promise.resolve([]) : tx<{ id: string }[]>`
      insert into public.messages as m (conversation_id, sender_id, content)
      select c.id, ${readerId}, ${firstMessage}
      from public.conversations c
      where c.patient_id = ${pair.patientId} and c.practitioner_id = ${pair.practitionerId}
      returning m.id`,
    tx<{ id: string; conversation: JsonText<Conversation> }[]>`
      select c.id, json_build_object(${itemFields(tx, readerId)})::text as conversation
      from public.conversation_summaries c
      where c.patient_id = ${pair.patientId} and c.practitioner_id = ${pair.practitionerId}`,
  ]);
  return { created: opened.length === 1, messageId: message?.id, found };
}

/** Message `m` as the clients read it, with its conversation_id. */
const messageJson = (tx: Tx): Fragment =>
  tx`json_build_object(
    'id', m.id, 'conversation_id', m.conversation_id, 'sender_id', m.sender_id,
    'content', m.content, 'message_type', m.message_type, 'is_read', m.is_read,
    'read_at', ${isoTimestamp(tx, tx`m.read_at`)},
    'created_at', ${isoTimestamp(tx, tx`m.created_at`)})`;

/**
 * A page of the conversation, oldest first: the newest `limit` messages, or with `before` those
 * just older than it, ordered by (created_at, id) so that `before` with `before_id` pages
 * through messages of equal times without skipping or repeating one. No row when the
 * conversation is not the side's.
 */
export function listMessages(tx: Tx, side: Side, id: string, page: MessagesQuery) {
  const older = page.before === undefined
    ? tx``
    : page.before_id === undefined
    ? tx`and m.created_at < ${page.before}::timestamptz`
    : tx`and (m.created_at, m.id) < (${page.before}::timestamptz, ${page.before_id}::uuid)`;
  return tx<[{ messages: JsonText<Message[]> }?]>`
    select coalesce((
      select json_agg(${messageJson(tx)} order by m.created_at, m.id)
      from (
        select m.*
        from public.messages m
        where m.conversation_id = c.id ${older}
        order by m.created_at desc, m.id desc
        limit ${page.limit}
      ) m
    ), '[]')::text as messages
    from public.conversations c
    where c.id = ${id} and ${ofSide(tx, side)}`;
}

/**
 * The message, sent as the side (the practice's sender is the practitioner), into one of its
 * conversations; none when the conversation is not the side's. The triggers of migration
 * 20261202003000 do the rest in this statement: the conversation's last activity, the
 * notification and the events.
 */
export function insertMessage(tx: Tx, side: Side, id: string, message: NewMessage) {
  return tx<[{ id: string; message: JsonText<Message> }?]>`
    insert into public.messages as m (conversation_id, sender_id, content, message_type)
    select c.id, ${side.userId}, ${message.content}, ${message.message_type}
    from public.conversations c
    where c.id = ${id} and ${ofSide(tx, side)}
    returning m.id, ${messageJson(tx)}::text as message`;
}

/**
 * Marks read the other party's messages of one of the side's conversations, and the reader's
 * `new_message` notifications of it (the database's trigger does the same for every read
 * message, however it was read). `found` is 0 when the conversation is not the side's.
 */
export function markRead(tx: Tx, side: Side, id: string) {
  return tx<[{ found: number }]>`
    with conversation as (
      select c.id from public.conversations c where c.id = ${id} and ${ofSide(tx, side)}
    ),
    read_messages as (
      update public.messages m
      set is_read = true
      from conversation
      where m.conversation_id = conversation.id and not m.is_read
        and m.sender_id <> ${side.userId}
      returning m.id
    ),
    read_notifications as (
      update public.notifications n
      set is_read = true
      from conversation
      where n.user_id = ${side.userId} and not n.is_read and n.type = 'new_message'
        and n.data ->> 'conversation_id' = conversation.id::text
      returning n.id
    )
    select count(*)::int as found from conversation`;
}
