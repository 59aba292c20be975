import { app } from '../../functions/conversations/app.ts';
import { db } from '../helpers/db.ts';
import { call, type CallOptions } from '../helpers/http.ts';
import { israelDate, openPractice, type Practice } from '../helpers/practice.ts';
import { createUser, type TestUser } from '../helpers/users.ts';

export { app };

export const api = (
  user: TestUser | undefined,
  method: string,
  path: string,
  options: CallOptions = {},
) => call(app, method, `/conversations${path}`, { token: user?.token, ...options });

export const patient = (firstName = 'Noa', lastName = 'Cohen') =>
  createUser({ firstName, lastName });

export const practice = (firstName = 'Yossi', lastName = 'Levi') =>
  openPractice({ firstName, lastName });

export const admin = () => createUser({ role: 'admin', firstName: 'Ada', lastName: 'Admin' });

/** The pair's conversation as the platform opens it, with no appointment behind it. */
export async function conversationBetween(
  patientId: string,
  practitionerId: string,
): Promise<string> {
  const [{ id }] = await db<{ id: string }[]>`
    insert into public.conversations (patient_id, practitioner_id)
    values (${patientId}, ${practitionerId}) returning id`;
  return id;
}

/**
 * An appointment as the platform records it (no booking rules); its trigger opens the pair's
 * conversation, about this appointment. Returns both ids.
 */
export async function appointmentBetween(
  practiceOf: Practice,
  patientId: string,
  options: { days?: number; start?: string; status?: string; reasonId?: string } = {},
): Promise<{ appointmentId: string; conversationId: string }> {
  const start = options.start ?? '10:00';
  const [h, m] = start.split(':').map(Number);
  const end = `${String(h + (m === 30 ? 1 : 0)).padStart(2, '0')}:${m === 30 ? '00' : '30'}`;
  const [{ id }] = await db<{ id: string }[]>`
    insert into public.appointments
      (patient_id, practitioner_id, appointment_date, start_time, end_time, status, reason_id)
    values (${patientId}, ${practiceOf.id}, ${israelDate(options.days ?? 3)}, ${start}, ${end},
            ${options.status ?? 'confirmed'}, ${options.reasonId ?? null})
    returning id`;
  const [{ conversationId }] = await db<{ conversationId: string }[]>`
    select id as "conversationId" from public.conversations
    where patient_id = ${patientId} and practitioner_id = ${practiceOf.id}`;
  return { appointmentId: id, conversationId };
}

export interface StoredMessage {
  id: string;
  sender_id: string;
  created_at: string;
}

/**
 * Messages written straight into the table (their triggers run), `at` an ISO instant given to
 * several messages when they are to share it.
 */
export async function insertMessages(
  conversationId: string,
  rows: { sender: string; content?: string; at?: string; read?: boolean; type?: string }[],
): Promise<StoredMessage[]> {
  const inserted: StoredMessage[] = [];
  for (const [i, row] of rows.entries()) {
    const [message] = await db<StoredMessage[]>`
      insert into public.messages
        (conversation_id, sender_id, content, message_type, created_at, is_read, read_at)
      values (${conversationId}, ${row.sender}, ${row.content ?? `Message ${i + 1}`},
              ${row.type ?? 'text'}, coalesce(${row.at ?? null}::timestamptz, now()),
              ${row.read ?? false}, case when ${row.read ?? false} then now() end)
      returning id, sender_id,
        to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_at`;
    inserted.push(message);
  }
  return inserted;
}

const list = (ids: string[]) => ids.map((id) => `'${id}'`).join(', ');

/**
 * Row counts of what a conversation request can write, for `snapshot`, limited to what concerns
 * these users: the other test files, which run at the same time on the same database, write
 * notifications and events of their own.
 */
export function writtenFor(...users: Array<{ id: string }>): string[] {
  const ids = list(users.map((u) => u.id));
  return [
    `public.conversations where patient_id in (${ids}) or practitioner_id in (${ids})`,
    `public.messages where sender_id in (${ids})`,
    `public.messages where is_read and sender_id in (${ids})`,
    `public.notifications where user_id in (${ids})`,
    `public.notifications where is_read and user_id in (${ids})`,
    `private.events where user_id in (${ids})`,
    `private.push_deliveries where notification_id in
       (select id from public.notifications where user_id in (${ids}))`,
    `public.audit_log where actor_id in (${ids})`,
  ];
}

export async function notificationsOf(userId: string) {
  return await db<
    { type: string; title: string; body: string; data: Record<string, string>; is_read: boolean }[]
  >`
    select type::text, title, body, data, is_read from public.notifications
    where user_id = ${userId} order by created_at, id`;
}

export async function eventsOf(userId: string, event?: string) {
  return await db<{ event: string; payload: Record<string, unknown> }[]>`
    select event, payload from private.events
    where user_id = ${userId} and (${event ?? null}::text is null or event = ${event ?? null})
    order by id`;
}
