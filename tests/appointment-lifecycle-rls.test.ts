import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../dev/lib/database.ts';
import { asAnon } from '../shared/db/as-user.ts';
import { closeDb, type Tx } from '../shared/db/client.ts';
import { db } from './helpers/db.ts';
import {
  arrange,
  daysFromToday,
  patient,
  practitioner,
  relativeOf,
  signedIn,
} from './helpers/lifecycle.ts';
import { createUser, type TestUser } from './helpers/users.ts';

afterAll(closeDb);

let x: TestUser; // practitioner of pat's appointments
let y: TestUser; // practitioner of quinn's
let pat: TestUser;
let quinn: TestUser;
let admin: TestUser;
let kid: string;
const appointments: Record<string, string> = {};
const conversations: Record<string, string> = {};

beforeAll(async () => {
  x = await practitioner({ firstName: 'Xavier', lastName: 'Doc' });
  y = await practitioner({ firstName: 'Yael', lastName: 'Doc' });
  pat = await patient('Pat', 'Cohen');
  quinn = await patient('Quinn', 'Levy');
  admin = await createUser({ role: 'admin' });
  kid = await relativeOf(pat, 'Noa', 'Cohen');
  await db`update public.profiles set phone = '+972500000001' where id = ${pat.id}`;
  const at = { date: daysFromToday(40), start: '09:00', end: '09:30' };
  appointments.pat = await arrange({ patientId: pat.id, practitionerId: x.id, ...at });
  appointments.kid = await arrange({
    patientId: pat.id,
    practitionerId: x.id,
    relativeId: kid,
    ...at,
    start: '09:30',
    end: '10:00',
  });
  appointments.quinn = await arrange({ patientId: quinn.id, practitionerId: y.id, ...at });
  // The patients hear back too, so everyone has notifications of their own.
  await db`update public.appointments set status = 'confirmed'
    where id in ${db([appointments.pat, appointments.quinn])}`;
  for (const [name, p, d] of [['pat', pat, x], ['quinn', quinn, y]] as const) {
    const [c] = await db`select id from public.conversations
      where patient_id = ${p.id} and practitioner_id = ${d.id}`;
    conversations[name] = c.id;
    await db`insert into public.messages (conversation_id, sender_id, content)
      values (${c.id}, ${p.id}, 'Hello'), (${c.id}, ${d.id}, 'Hello to you')`;
  }
});

const ownedBy = async (table: string, column: string, userId: string) =>
  (await db.unsafe(`select id from ${table} where ${column} = $1 order by id`, [userId])).map((
    r,
  ) => r.id);

describe('notifications', () => {
  it.each(['x', 'y', 'pat', 'quinn'] as const)(
    'show %s only their own, with no WHERE clause',
    async (who) => {
      const user = { x, y, pat, quinn }[who];
      const mine = await ownedBy('public.notifications', 'user_id', user.id);
      expect(mine.length).toBeGreaterThan(0);
      const seen = await signedIn(
        user,
        (tx) => tx`select id, user_id from public.notifications order by id`,
      );
      expect(seen.map((r) => r.id)).toEqual(mine);
    },
  );

  it('let their owner mark them read, and nothing else', async () => {
    const mine = await ownedBy('public.notifications', 'user_id', pat.id);
    const marked = await signedIn(
      pat,
      async (tx) => (await tx`update public.notifications set is_read = true`).count,
    );
    expect(marked).toBe(mine.length);
    const [{ unread }] = await db`select count(*)::int as unread from public.notifications
      where user_id = ${quinn.id} and is_read`;
    expect(unread).toBe(0);

    for (
      const assignment of [
        "title = 'x'",
        "body = 'x'",
        "data = '{}'",
        "type = 'new_message'",
        `user_id = '${quinn.id}'`,
        'created_at = now()',
      ]
    ) {
      await expect(
        signedIn(pat, (tx) => tx.unsafe(`update public.notifications set ${assignment}`)),
      )
        .rejects.toMatchObject({ code: '42501' });
    }
    await expect(signedIn(pat, (tx) => tx`delete from public.notifications`)).rejects
      .toMatchObject({ code: '42501' });
    await expect(
      signedIn(pat, (tx) =>
        tx`insert into public.notifications (user_id, type, title, body)
         values (${pat.id}, 'new_message', 'x', 'x')`),
    ).rejects.toMatchObject({ code: '42501' });
  });

  it("let no one mark another person's notifications", async () => {
    const theirs = await ownedBy('public.notifications', 'user_id', quinn.id);
    const count = await signedIn(
      pat,
      async (tx) =>
        (await tx`update public.notifications set is_read = true where id in ${tx(theirs)}`).count,
    );
    expect(count).toBe(0);
    const [{ read }] = await db`select count(*)::int as read from public.notifications
      where id in ${db(theirs)} and is_read`;
    expect(read).toBe(0);
  });

  it('are closed to visitors', async () => {
    await expect(asAnon((tx) => tx`select id from public.notifications`)).rejects.toMatchObject({
      code: '42501',
    });
  });
});

describe('conversations and messages', () => {
  const visible = (user: TestUser) =>
    signedIn(user, async (tx) => ({
      conversations: (await tx`select id from public.conversations order by id`).map((r) => r.id),
      messages: (await tx`select conversation_id from public.messages`).map((r) =>
        r.conversation_id
      ),
    }));

  it.each(
    [
      ['the patient', 'pat', 'pat'],
      ['the practitioner', 'x', 'pat'],
      ["the other pair's patient", 'quinn', 'quinn'],
      ["the other pair's practitioner", 'y', 'quinn'],
    ] as const,
  )('show %s only their own conversation and its messages', async (_who, user, pair) => {
    const seen = await visible({ x, y, pat, quinn }[user]);
    expect(seen.conversations).toEqual([conversations[pair]]);
    expect(seen.messages).toEqual([conversations[pair], conversations[pair]]);
  });

  it('show an admin every conversation and its messages, to act for a practice', async () => {
    // Messaging (migration 20261202003000): an admin acts for a practice, as in the CRM.
    const seen = await visible(admin);
    const both = [conversations.pat, conversations.quinn];
    expect(seen.conversations).toEqual(expect.arrayContaining(both));
    expect(seen.messages).toEqual(expect.arrayContaining(both));
  });

  it('let no party write them beyond the rules of messaging', async () => {
    // A party writes their own messages and opens their own pairs (migration 20261202003000);
    // nothing else.
    const attempts: ((tx: Tx) => Promise<unknown>)[] = [
      (tx) =>
        tx`insert into public.messages (conversation_id, sender_id, content)
           values (${conversations.pat}, ${x.id}, 'as the other party')`,
      (tx) =>
        tx`insert into public.messages (conversation_id, sender_id, content, message_type)
           values (${conversations.pat}, ${pat.id}, 'x', 'system')`,
      (tx) =>
        tx`insert into public.messages (conversation_id, sender_id, content)
           values (${conversations.quinn}, ${pat.id}, 'in someone else''s')`,
      (tx) => tx`update public.messages set is_read = true, read_at = now()`,
      (tx) => tx`update public.messages set content = 'changed'`,
      (tx) => tx`delete from public.messages`,
      (tx) =>
        tx`insert into public.conversations (patient_id, practitioner_id)
                 values (${quinn.id}, ${y.id})`,
      (tx) => tx`update public.conversations set last_message_at = now()`,
      (tx) => tx`delete from public.conversations`,
    ];
    for (const attempt of attempts) {
      await expect(signedIn(pat, attempt)).rejects.toMatchObject({ code: '42501' });
    }
  });

  it('are closed to visitors', async () => {
    for (const table of ['conversations', 'messages']) {
      await expect(asAnon((tx) => tx.unsafe(`select id from public.${table}`))).rejects
        .toMatchObject({ code: '42501' });
    }
  });
});

describe('the events outbox', () => {
  it('holds events for these people (written by the triggers)', async () => {
    const [{ n }] = await db`select count(*)::int as n from private.events
      where user_id in ${db([pat.id, x.id])}`;
    expect(n).toBeGreaterThan(0);
  });

  it.each(['authenticated', 'anon'] as const)('is unreadable as %s', async (role) => {
    const run = (work: (tx: Tx) => Promise<unknown>) =>
      role === 'anon' ? asAnon(work) : signedIn(pat, work);
    await expect(run((tx) => tx`select id from private.events`)).rejects.toMatchObject({
      code: '42501',
    });
    await expect(run((tx) => tx`delete from private.events`)).rejects.toMatchObject({
      code: '42501',
    });
  });

  it('cannot be written, nor notifications forged, by a signed-in user', async () => {
    await expect(
      signedIn(pat, (tx) => tx`select private.emit_event(${x.id}, 'appointment:updated', '{}')`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      signedIn(pat, (tx) => tx`select private.notify(${x.id}, 'new_message', '{"sender":"x"}')`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(signedIn(pat, (tx) =>
      tx`insert into private.events (user_id, event, payload)
         values (${x.id}, 'appointment:updated', '{}')`)).rejects.toMatchObject({ code: '42501' });
  });
});

describe('practice_appointments', () => {
  const rowsOf = (user: TestUser) =>
    signedIn(
      user,
      (tx) =>
        tx`select id, practitioner_id, patient, relative from public.practice_appointments
         order by start_time`,
    );

  it("shows a practitioner their own appointments with the patient's card, nothing else", async () => {
    const rows = await rowsOf(x);
    expect(rows).toEqual([
      {
        id: appointments.pat,
        practitioner_id: x.id,
        patient: {
          id: pat.id,
          first_name: 'Pat',
          last_name: 'Cohen',
          phone: '+972500000001',
          avatar_url: null,
        },
        relative: null,
      },
      {
        id: appointments.kid,
        practitioner_id: x.id,
        patient: expect.objectContaining({ id: pat.id }),
        relative: { id: kid, first_name: 'Noa', last_name: 'Cohen' },
      },
    ]);
    expect((await rowsOf(y)).map((r) => r.id)).toEqual([appointments.quinn]);
  });

  it('shows an admin every practice', async () => {
    const ids = (await rowsOf(admin)).map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining(Object.values(appointments)));
  });

  it('shows a patient nothing, not even their own appointments', async () => {
    expect(await rowsOf(pat)).toEqual([]);
    expect(await rowsOf(quinn)).toEqual([]);
  });

  it('is closed to visitors', async () => {
    await expect(asAnon((tx) => tx`select id from public.practice_appointments`)).rejects
      .toMatchObject({ code: '42501' });
  });
});

describe('the Supabase Realtime publication step', () => {
  class Rollback extends Error {}

  /** The migration's own DO block, run again in a transaction that is rolled back. */
  async function publicationStep(): Promise<string> {
    const migration = await readFile(
      path.join(ROOT, 'supabase/migrations/20261202000400_appointment_lifecycle.sql'),
      'utf8',
    );
    const step = migration.slice(migration.lastIndexOf('do $$'));
    expect(step).toMatch(/supabase_realtime/);
    return step;
  }

  const published = (tx: Tx) =>
    tx`select tablename from pg_publication_tables
       where pubname = 'supabase_realtime' and schemaname = 'public'`;

  it('does nothing where there is no supabase_realtime publication', async () => {
    const step = await publicationStep();
    await db.begin(async (tx) => {
      await tx`drop publication if exists supabase_realtime`;
      await tx.unsafe(step);
      const [{ n }] = await tx`select count(*)::int as n from pg_publication
        where pubname = 'supabase_realtime'`;
      expect(n).toBe(0);
      throw new Rollback();
    }).catch((e) => {
      if (!(e instanceof Rollback)) throw e;
    });
  });

  it('adds appointments to it where it exists, once', async () => {
    const step = await publicationStep();
    await db.begin(async (tx) => {
      await tx`drop publication if exists supabase_realtime`;
      await tx`create publication supabase_realtime`;
      await tx.unsafe(step);
      expect((await published(tx)).map((r) => r.tablename)).toEqual(['appointments']);
      await tx.unsafe(step);
      expect((await published(tx)).map((r) => r.tablename)).toEqual(['appointments']);
      throw new Rollback();
    }).catch((e) => {
      if (!(e instanceof Rollback)) throw e;
    });
  });
});
