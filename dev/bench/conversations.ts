import type postgres from 'postgres';
import type { Tx } from '../../shared/db/client.ts';
import { type DevKeys, mintAccessToken } from '../lib/keys.ts';
import { BENCH_DOMAIN } from './data.ts';
import type { SignedInUser } from './fixtures.ts';
import type { Scenario } from './scenarios.ts';

/**
 * The messaging data set of group `conversations`: practitioners with 200 conversations each,
 * patients with 20, and conversations of 10,000 messages. Load is spread over several users of
 * each kind, as many clients would send it: one user alone would queue every request on their
 * own rate-limit counter row.
 */
export interface ConversationSizes {
  /** Practitioners with `perPractitioner` conversations, and as many patients with `perPatient`. */
  busy: number;
  perPractitioner: number;
  /** More than `busy`. */
  perPatient: number;
  /** Messages of each busy pair's own conversation. */
  long: number;
  /** Patients who send the messages of the POST route, each in a conversation of their own. */
  senders: number;
}

export const BENCH_SIZES: ConversationSizes = {
  busy: 8,
  perPractitioner: 200,
  perPatient: 20,
  long: 10_000,
  senders: 32,
};

/** Messages of every other conversation: the last two from the patient, not yet read. */
export const MESSAGES_PER_CONVERSATION = 6;

const DR_EMAILS = `bench-conv-dr-%@${BENCH_DOMAIN}`;
const PT_EMAILS = `bench-conv-pt-%@${BENCH_DOMAIN}`;

/**
 * Who is who, numbered from their emails: practitioners 1..perPatient, patients
 * 1..perPractitioner + senders. Practitioners 1..busy talk with patients 1..perPractitioner;
 * patients 1..busy with every practitioner; pair (i, i) of i = 1..busy holds `long` messages;
 * sender s writes to one of the practitioners after the busy ones, whose lists no scenario
 * reads, so the messages the POST route adds do not change what the GET routes measure.
 */
const people = (tx: Tx, kind: 'dr' | 'pt') =>
  tx`select p.id, split_part(split_part(p.email, '@', 1), '-', 4)::int as n
     from public.profiles p where p.email like ${kind === 'dr' ? DR_EMAILS : PT_EMAILS}`;

const senderPractitioner = (sizes: ConversationSizes, n: number) =>
  sizes.busy + 1 + n % (sizes.perPatient - sizes.busy);

async function insertUsers(tx: Tx, sizes: ConversationSizes): Promise<number> {
  const result = await tx`
    insert into auth.users (email, raw_user_meta_data)
    select format('bench-conv-%s-%s@%s', kind, g, ${BENCH_DOMAIN}::text),
           jsonb_build_object('first_name', case kind when 'dr' then 'Doctor' else 'Patient' end,
                              'last_name', format('Bench %s', g))
    from (values ('dr', ${sizes.perPatient}::int),
                 ('pt', ${sizes.perPractitioner + sizes.senders}::int)) k(kind, total)
    cross join lateral generate_series(1, k.total) g
    on conflict (email) do nothing`;
  const roles = await tx`
    update public.profiles set role = 'practitioner'
    where email like ${DR_EMAILS} and role <> 'practitioner'`;
  return result.count + roles.count;
}

/** The pairs above, as the platform opens conversations (no rules of a person's apply). */
async function insertConversations(tx: Tx, sizes: ConversationSizes): Promise<number> {
  const others = sizes.perPatient - sizes.busy;
  const result = await tx`
    with dr as (${people(tx, 'dr')}), pt as (${people(tx, 'pt')})
    insert into public.conversations (patient_id, practitioner_id, created_at)
    select pt.id, dr.id, now() - interval '90 days'
    from dr join pt
      on (dr.n <= ${sizes.busy} and pt.n <= ${sizes.perPractitioner})
      or pt.n <= ${sizes.busy}
      or (pt.n > ${sizes.perPractitioner} and dr.n = ${sizes.busy + 1} + pt.n % ${others})
    on conflict on constraint conversations_one_per_pair do nothing`;
  return result.count;
}

/**
 * Messages of conversations that have none: `long` in the busy pairs' own, a minute apart, and
 * 6 in the others, at times spread over the last weeks so the lists have an order to sort.
 * Written without triggers (session_replication_role, for this transaction only): the sending
 * trigger would add a notification and three events per message. The data is consistent by
 * construction, and the activity the trigger records is set afterwards in one statement.
 */
async function insertMessages(tx: Tx, sizes: ConversationSizes): Promise<number> {
  await tx`set local session_replication_role = replica`;
  const result = await tx`
    with dr as (${people(tx, 'dr')}), pt as (${people(tx, 'pt')}),
    empty as (
      select c.id, c.patient_id, c.practitioner_id,
             dr.n = pt.n and dr.n <= ${sizes.busy} as long, dr.n * 7919 + pt.n as seed
      from public.conversations c
      join dr on dr.id = c.practitioner_id
      join pt on pt.id = c.patient_id
      where not exists (select from public.messages m where m.conversation_id = c.id)
    )
    insert into public.messages
      (conversation_id, sender_id, content, message_type, is_read, read_at, created_at)
    select e.id,
           case when k % 2 = 0 or k > total - 2 then e.patient_id else e.practitioner_id end,
           format('Bench message %s of the conversation, with a sentence or two of text.', k),
           'text', k <= total - 2, case when k <= total - 2 then at end, at
    from empty e
    cross join lateral (
      select case when e.long then ${sizes.long}::int
                  else ${MESSAGES_PER_CONVERSATION}::int end as total
    ) t
    cross join lateral generate_series(1, t.total) k
    cross join lateral (
      select case when e.long
               then now() - make_interval(mins => t.total - k + 60)
               else now() - make_interval(mins => (e.seed % 40000) + (t.total - k) * 5)
             end as at
    ) a`;
  await tx`set local session_replication_role = origin`;
  await tx`
    update public.conversations c set last_message_at = m.at
    from (select conversation_id, max(created_at) as at from public.messages group by 1) m
    where m.conversation_id = c.id and c.last_message_at is distinct from m.at`;
  return result.count;
}

/** Makes sure the data set exists; idempotent and set-based. Returns what it added. */
export async function ensureConversationData(tx: Tx, sizes: ConversationSizes = BENCH_SIZES) {
  if (sizes.perPatient <= sizes.busy) throw new Error('perPatient must exceed busy.');
  const users = await insertUsers(tx, sizes);
  if (users > 0) await tx`analyze auth.users, public.profiles, public.practitioners`;
  const conversations = await insertConversations(tx, sizes);
  const messages = await insertMessages(tx, sizes);
  return { users, conversations, messages };
}

export interface ConversationData {
  /** Practitioners with `perPractitioner` conversations. */
  practitioners: SignedInUser[];
  /** Patients with `perPatient` conversations. */
  patients: SignedInUser[];
  /** The conversations of `long` messages, each with one of its parties. */
  long: Array<{ id: string; user: SignedInUser; before: string[] }>;
  /** The senders of the POST route, each with their conversation. */
  senders: Array<{ id: string; user: SignedInUser }>;
}

/** The users the scenarios sign in as, with tokens, and the conversations they use. */
export async function conversationFixtures(
  sql: postgres.Sql,
  keys: DevKeys,
  issuer: string,
  sizes: ConversationSizes = BENCH_SIZES,
): Promise<ConversationData> {
  const rows = await sql<{ id: string; email: string; kind: string; n: number }[]>`
    select p.id, p.email, split_part(split_part(p.email, '@', 1), '-', 3) as kind,
           split_part(split_part(p.email, '@', 1), '-', 4)::int as n
    from public.profiles p
    where p.email like ${DR_EMAILS} or p.email like ${PT_EMAILS}`;
  const signedIn = new Map<string, SignedInUser>();
  const userOf = async (kind: string, n: number) => {
    const key = `${kind}-${n}`;
    const row = rows.find((r) => r.kind === kind && r.n === n);
    if (!row) throw new Error(`The conversation data lacks bench-conv-${key}.`);
    if (!signedIn.has(key)) {
      const token = await mintAccessToken(keys, { sub: row.id, email: row.email, issuer });
      signedIn.set(key, { id: row.id, token });
    }
    return signedIn.get(key)!;
  };
  const conversationOf = async (patientId: string, practitionerId: string) => {
    const [{ id }] = await sql<{ id: string }[]>`
      select id from public.conversations
      where patient_id = ${patientId} and practitioner_id = ${practitionerId}`;
    return id;
  };
  const busy = Array.from({ length: sizes.busy }, (_, i) => i + 1);
  const data: ConversationData = { practitioners: [], patients: [], long: [], senders: [] };
  for (const n of busy) {
    const [dr, pt] = [await userOf('dr', n), await userOf('pt', n)];
    data.practitioners.push(dr);
    data.patients.push(pt);
    const id = await conversationOf(pt.id, dr.id);
    // Instants to page back from, spread over the conversation's history.
    const before = await sql<{ at: string }[]>`
      select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at
      from public.messages where conversation_id = ${id}
      order by created_at offset 100 limit 20`;
    data.long.push({ id, user: n % 2 ? dr : pt, before: before.map((r) => r.at) });
  }
  for (let n = sizes.perPractitioner + 1; n <= sizes.perPractitioner + sizes.senders; n++) {
    const user = await userOf('pt', n);
    const practitioner = await userOf('dr', senderPractitioner(sizes, n));
    data.senders.push({ id: await conversationOf(user.id, practitioner.id), user });
  }
  return data;
}

/**
 * The data set in one transaction (all or nothing), vacuumed when it grew, then the fixtures.
 */
export async function loadConversationData(
  sql: postgres.Sql,
  keys: DevKeys,
  issuer: string,
  log: (line: string) => void,
): Promise<ConversationData> {
  const started = performance.now();
  const added = await sql.begin((tx) => ensureConversationData(tx));
  // As for the directory's data (data.ts): index-only scans need a visibility map.
  if (added.messages > 0) await sql`vacuum (analyze) public.conversations, public.messages`;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  log(
    added.users + added.conversations + added.messages > 0
      ? `Conversation data: added ${added.users} users, ${added.conversations} conversations, ` +
        `${added.messages} messages in ${seconds} s.`
      : `Conversation data: already complete (checked in ${seconds} s).`,
  );
  return await conversationFixtures(sql, keys, issuer);
}

const FUNCTIONS = '/functions/v1/conversations';
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];
const bearer = (user: SignedInUser) => ({ authorization: `Bearer ${user.token}` });

/**
 * The routes of group `conversations` under load. Issue 10 states their targets as shares of the
 * floor of the same run.
 */
export function conversationScenarios(data: ConversationData): Scenario[] {
  const get = (
    name: string,
    target: number | undefined,
    next: () => { user: SignedInUser; path: string },
  ): Scenario => ({
    name,
    group: 'conversations',
    target,
    against: target === undefined ? undefined : 'floor',
    method: 'GET',
    next: () => {
      const { user, path } = next();
      return { path: `${FUNCTIONS}${path}`, headers: bearer(user) };
    },
  });
  return [
    get('GET /conversations (200 conversations)', 0.3, () => ({
      user: pick(data.practitioners),
      path: '',
    })),
    get('GET /conversations (patient, 20 conversations)', undefined, () => ({
      user: pick(data.patients),
      path: '',
    })),
    get('GET /conversations/:id/messages (10,000 messages)', 0.5, () => {
      const long = pick(data.long);
      return { user: long.user, path: `/${long.id}/messages` };
    }),
    get('GET /conversations/:id/messages?before (10,000 messages)', undefined, () => {
      const long = pick(data.long);
      return {
        user: long.user,
        path: `/${long.id}/messages?before=${encodeURIComponent(pick(long.before))}`,
      };
    }),
    {
      name: 'POST /conversations/:id/messages',
      group: 'conversations',
      target: 0.3,
      against: 'floor',
      method: 'POST',
      body: JSON.stringify({ content: 'Hello, is Thursday morning possible for my visit?' }),
      next: () => {
        const sender = pick(data.senders);
        return {
          path: `${FUNCTIONS}/${sender.id}/messages`,
          headers: { ...bearer(sender.user), 'content-type': 'application/json' },
        };
      },
    },
  ];
}
