import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JwtClaims } from '../../shared/auth/user.ts';
import { asUser } from '../../shared/db/as-user.ts';
import { closeDb, type Tx } from '../../shared/db/client.ts';
import { db } from '../helpers/db.ts';
import type { Practice } from '../helpers/practice.ts';
import type { TestUser } from '../helpers/users.ts';
import {
  admin,
  appointmentBetween,
  conversationBetween,
  insertMessages,
  notificationsOf,
  patient,
  practice,
} from './helpers.ts';

// The rules hold for any client of the database, the Supabase Data API included: these tests
// write as the signed-in user (RLS, grants, triggers), not through the API.
afterAll(closeDb);

const claimsOf = (user: { id: string }): JwtClaims => ({
  sub: user.id,
  role: 'authenticated',
  aud: 'authenticated',
});

const as = <T>(user: { id: string }, work: (tx: Tx) => Promise<T>) => asUser(claimsOf(user), work);

/** The SQLSTATE a statement fails with, or 'ok'. */
async function outcome(user: { id: string }, work: (tx: Tx) => Promise<unknown>) {
  try {
    await as(user, work);
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

let noa: TestUser;
let dan: TestUser;
let dr: Practice;
let ada: TestUser;
let id: string;

beforeAll(async () => {
  noa = await patient('Noa', 'Cohen');
  dan = await patient('Dan', 'Other');
  dr = await practice('Yossi', 'Levi');
  ada = await admin();
  id = await conversationBetween(noa.id, dr.id);
});

const send = (sender: string, type = 'text', conversation = () => id) => (tx: Tx) =>
  tx`insert into public.messages (conversation_id, sender_id, content, message_type)
     values (${conversation()}, ${sender}, 'https://cdn.example/a.png', ${type})`;

describe('writing messages (policy messages_send, column grants)', () => {
  it('lets each party write as themself, text, pictures and files', async () => {
    expect(await outcome(noa, send(noa.id))).toBe('ok');
    expect(await outcome(dr.user, send(dr.id, 'image'))).toBe('ok');
    expect(await outcome(noa, send(noa.id, 'file'))).toBe('ok');
  });

  it('refuses a system message, writing as the other party, and a stranger', async () => {
    expect(await outcome(noa, send(noa.id, 'system'))).toBe('42501');
    expect(await outcome(noa, send(dr.id))).toBe('42501');
    expect(await outcome(dr.user, send(noa.id))).toBe('42501');
    expect(await outcome(dan, send(dan.id))).toBe('42501');
    expect(await outcome(dan, send(noa.id))).toBe('42501');
  });

  it("lets an admin write only as the practice, and a patient's sender never", async () => {
    expect(await outcome(ada, send(dr.id))).toBe('ok');
    expect(await outcome(ada, send(noa.id))).toBe('42501');
    expect(await outcome(ada, send(ada.id))).toBe('42501');
  });

  it('grants no column the database sets: read state, time, id', async () => {
    for (
      const column of [
        tx(`is_read`, 'true'),
        tx(`read_at`, 'now()'),
        tx(`created_at`, "'2020-01-01'"),
        tx(`id`, 'gen_random_uuid()'),
      ]
    ) {
      expect(await outcome(noa, column)).toBe('42501');
    }
    function tx(column: string, value: string) {
      return (t: Tx) =>
        t.unsafe(
          `insert into public.messages (conversation_id, sender_id, content, ${column})
           values ('${id}', '${noa.id}', 'Hi', ${value})`,
        );
    }
  });

  it('refuses blank and over-long text and a picture that is no https link, from anyone', async () => {
    const cases: Array<[string, string]> = [
      ['text', ' \n '],
      ['text', 'x'.repeat(4001)],
      ['image', 'http://cdn.example/a.png'],
      ['file', 'ftp://files.example/a.pdf'],
      ['image', 'https://'],
      ['file', 'https://cdn.example/a b.pdf'],
    ];
    for (const [type, content] of cases) {
      const platform =
        db`insert into public.messages (conversation_id, sender_id, content, message_type)
        values (${id}, ${noa.id}, ${content}, ${type})`;
      await expect(platform, `${type} ${content.slice(0, 20)}`).rejects.toMatchObject({
        code: '23514',
      });
    }
  });
});

describe('reading messages (policy messages_mark_read, trigger messages_read_at)', () => {
  it("marks only the other party's messages, only to read, and the database sets the time", async () => {
    const conversation = await conversationBetween(dan.id, dr.id);
    const [mine, theirs] = await insertMessages(conversation, [
      { sender: dan.id },
      { sender: dr.id },
    ]);
    const read = (user: { id: string }, messageId: string) =>
      as(
        user,
        (tx) => tx`update public.messages set is_read = true where id = ${messageId} returning id`,
      );
    expect(await read(dan, mine.id)).toHaveLength(0);
    expect(await read(dan, theirs.id)).toHaveLength(1);
    const [row] = await db`select is_read, read_at from public.messages where id = ${theirs.id}`;
    expect(row.is_read).toBe(true);
    expect(row.read_at).toBeInstanceOf(Date);

    expect(
      await outcome(
        dan,
        (tx) => tx`update public.messages set is_read = false where id = ${theirs.id}`,
      ),
    ).toBe('42501');
    expect(
      await outcome(
        dan,
        (tx) => tx`update public.messages set content = 'changed' where id = ${theirs.id}`,
      ),
    ).toBe('42501');
    expect(
      await outcome(
        dan,
        (tx) => tx`update public.messages set read_at = now() where id = ${theirs.id}`,
      ),
    ).toBe('42501');
    expect(await read(noa, theirs.id)).toHaveLength(0);
  });

  it('reads the notifications of the messages it reads, whoever reads them', async () => {
    const other = await practice('Dana', 'Mizrahi');
    const here = await conversationBetween(dan.id, other.id);
    const elsewhere = await conversationBetween(noa.id, other.id);
    await insertMessages(here, [{ sender: dan.id }, { sender: dan.id }]);
    await insertMessages(elsewhere, [{ sender: noa.id }]);
    expect((await notificationsOf(other.id)).map((n) => n.is_read)).toEqual([false, false, false]);
    // An admin reads for the practice: the practitioner's notifications of it follow.
    await as(ada, (tx) =>
      tx`update public.messages set is_read = true
         where conversation_id = ${here} and sender_id = ${dan.id}`);
    const notes = await notificationsOf(other.id);
    expect(notes.map((n) => [n.data.conversation_id, n.is_read])).toEqual([
      [here, true],
      [here, true],
      [elsewhere, false],
    ]);
  });
});

describe('opening conversations (policy conversations_open, trigger conversations_opening_rules)', () => {
  const open = (patientId: string, practitionerId: string) => (tx: Tx) =>
    tx`insert into public.conversations (patient_id, practitioner_id)
       values (${patientId}, ${practitionerId})`;

  it('refuses a practice a patient it never saw, and anyone a pair they are not in', async () => {
    const other = await practice('Dana', 'Mizrahi');
    const stranger = await patient('Eli');
    expect(await outcome(other.user, open(stranger.id, other.id))).toBe('DK400');
    expect(await outcome(dan, open(stranger.id, other.id))).toBe('42501');
    expect(await outcome(dan, open(dan.id, other.id))).toBe('ok');
    await appointmentBetween(other, stranger.id, { days: 2 });
    await db`delete from public.conversations where patient_id = ${stranger.id}`;
    expect(await outcome(other.user, open(stranger.id, other.id))).toBe('ok');
  });

  it("grants only the pair: the appointment and the activity are the database's", async () => {
    const other = await practice('Dana', 'Mizrahi');
    expect(
      await outcome(
        dan,
        (tx) =>
          tx`insert into public.conversations (patient_id, practitioner_id, last_message_at)
           values (${dan.id}, ${other.id}, now())`,
      ),
    ).toBe('42501');
    expect(
      await outcome(
        dan,
        (tx) =>
          tx`update public.conversations set last_message_at = now() where patient_id = ${dan.id}`,
      ),
    ).toBe('42501');
  });
});

describe('the view conversation_summaries', () => {
  it("opens the patient's card to their practitioner and nothing more of profiles", async () => {
    const other = await practice('Dana', 'Mizrahi');
    const seen = await as(
      other.user,
      (tx) => tx`select id, patient_profile from public.conversation_summaries`,
    );
    expect(seen).toEqual([]);
    await conversationBetween(dan.id, other.id);
    const cards = await as(
      other.user,
      (tx) => tx`select patient_id, patient_profile from public.conversation_summaries`,
    );
    expect(cards).toEqual([{
      patient_id: dan.id,
      patient_profile: { first_name: 'Dan', last_name: 'Other', avatar_url: null },
    }]);
    const profiles = await as(
      other.user,
      (tx) => tx`select id from public.profiles where id = ${dan.id}`,
    );
    expect(profiles).toEqual([]);
    const strangers = await as(
      noa,
      (tx) => tx`select id from public.conversation_summaries where patient_id = ${dan.id}`,
    );
    expect(strangers).toEqual([]);
  });
});
