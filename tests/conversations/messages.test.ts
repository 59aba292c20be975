import { describe, expect, it } from 'vitest';
import { db, snapshot } from '../helpers/db.ts';
import {
  admin,
  api,
  conversationBetween,
  eventsOf,
  insertMessages,
  notificationsOf,
  patient,
  practice,
  type StoredMessage,
  writtenFor,
} from './helpers.ts';

const MESSAGE_KEYS = [
  'id',
  'conversation_id',
  'sender_id',
  'content',
  'message_type',
  'is_read',
  'read_at',
  'created_at',
];

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

async function pair() {
  const dr = await practice('Yossi', 'Levi');
  const noa = await patient('Noa', 'Cohen');
  const id = await conversationBetween(noa.id, dr.id);
  return { dr, noa, id };
}

/** `count` messages alternating sides, one minute apart from `start`. */
function minutes(count: number, senders: string[], start = Date.UTC(2026, 0, 1)) {
  return Array.from({ length: count }, (_, i) => ({
    sender: senders[i % senders.length],
    content: `Message ${i + 1}`,
    at: new Date(start + i * 60_000).toISOString(),
  }));
}

const ids = (messages: Array<{ id: string }>) => messages.map((m) => m.id);

/** The order the API promises: created_at, then id. */
const chronological = (messages: StoredMessage[]) =>
  [...messages].sort((a, b) =>
    a.created_at < b.created_at
      ? -1
      : a.created_at > b.created_at
      ? 1
      : a.id < b.id
      ? -1
      : a.id > b.id
      ? 1
      : 0
  );

describe('GET /conversations/:id/messages', () => {
  it('answers the newest 50 in chronological order, each with its conversation_id', async () => {
    const { dr, noa, id } = await pair();
    const stored = await insertMessages(id, minutes(60, [noa.id, dr.id]));
    const res = await api(noa, 'GET', `/${id}/messages`);
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual(ids(stored.slice(10)));
    expect(Object.keys(res.body[0])).toEqual(MESSAGE_KEYS);
    expect(res.body[49]).toEqual({
      id: stored[59].id,
      conversation_id: id,
      sender_id: dr.id,
      content: 'Message 60',
      message_type: 'text',
      is_read: false,
      read_at: null,
      created_at: '2026-01-01T00:59:00.000000Z',
    });
    const few = await api(dr.user, 'GET', `/${id}/messages?limit=3&_t=1`);
    expect(ids(few.body)).toEqual(ids(stored.slice(57)));
    const blank = await api(
      noa,
      'GET',
      `/${id}/messages?limit=&before=&before_id=&practitioner_id=`,
    );
    expect(ids(blank.body)).toEqual(ids(stored.slice(10)));
  });

  it('pages back with before through 250 messages, equal times included, never skipping or repeating', async () => {
    const { dr, noa, id } = await pair();
    // Groups of 1 to 7 messages share an instant; the groups are a second apart.
    const rows = [];
    let second = 0;
    while (rows.length < 250) {
      const size = 1 + (second % 7);
      for (let k = 0; k < size && rows.length < 250; k++) {
        rows.push({
          sender: rows.length % 3 ? noa.id : dr.id,
          at: new Date(Date.UTC(2026, 1, 1) + second * 1000).toISOString(),
        });
      }
      second++;
    }
    const expected = chronological(await insertMessages(id, rows));

    const seen: Array<{ id: string; created_at: string }> = [];
    let query = '?limit=40';
    for (let pages = 0; pages < 20; pages++) {
      const res = await api(noa, 'GET', `/${id}/messages${query}`);
      expect(res.status).toBe(200);
      if (res.body.length === 0) break;
      expect(res.body.length).toBeLessThanOrEqual(40);
      seen.unshift(...res.body);
      const oldest = res.body[0];
      query = `?limit=40&before=${encodeURIComponent(oldest.created_at)}&before_id=${oldest.id}`;
    }
    expect(seen).toHaveLength(250);
    expect(ids(seen)).toEqual(ids(expected));
    expect(new Set(ids(seen)).size).toBe(250);
  });

  it('takes before alone as the contract does: only messages strictly older', async () => {
    const { dr, noa, id } = await pair();
    const stored = await insertMessages(id, [
      ...minutes(3, [noa.id], Date.UTC(2026, 2, 1, 8)),
      { sender: dr.id, at: '2026-03-01T09:00:00Z' },
      { sender: dr.id, at: '2026-03-01T09:00:00Z' },
      { sender: noa.id, at: '2026-03-01T10:00:00Z' },
    ]);
    const before = await api(noa, 'GET', `/${id}/messages?before=2026-03-01T09:00:00Z`);
    expect(ids(before.body)).toEqual(ids(stored.slice(0, 3)));
    const limited = await api(
      noa,
      'GET',
      `/${id}/messages?before=2026-03-01T09:30:00.000Z&limit=2`,
    );
    expect(ids(limited.body)).toEqual(ids(chronological(stored.slice(3, 5))));
    // An offset, and its + left unencoded (it arrives as a space).
    const offset = await api(noa, 'GET', `/${id}/messages?before=2026-03-01T11:00:00+02:00`);
    expect(ids(offset.body)).toEqual(ids(stored.slice(0, 3)));
    const encoded = await api(
      noa,
      'GET',
      `/${id}/messages?before=${encodeURIComponent('2026-03-01T11:00:00+02:00')}`,
    );
    expect(ids(encoded.body)).toEqual(ids(stored.slice(0, 3)));
    expect((await api(noa, 'GET', `/${id}/messages?before=2000-01-01T00:00:00Z`)).body).toEqual([]);
  });

  it('answers [] for a conversation without messages', async () => {
    const { noa, id } = await pair();
    expect((await api(noa, 'GET', `/${id}/messages`)).body).toEqual([]);
  });
});

describe('POST /conversations/:id/messages', () => {
  it('sends: 201 with the message, and in the same transaction the activity, notification and events', async () => {
    const { dr, noa, id } = await pair();
    await db`insert into public.user_settings (user_id, locale) values (${dr.id}, 'he')`;
    const res = await api(noa, 'POST', `/${id}/messages`, {
      json: { content: '  Bonjour docteur  ', message_type: 'text' },
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual(MESSAGE_KEYS);
    expect(res.body).toEqual({
      id: expect.any(String),
      conversation_id: id,
      sender_id: noa.id,
      content: 'Bonjour docteur',
      message_type: 'text',
      is_read: false,
      read_at: null,
      created_at: expect.stringMatching(ISO),
    });

    const [conversation] = await db`
      select to_char(last_message_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at
      from public.conversations where id = ${id}`;
    expect(conversation.at).toBe(res.body.created_at);

    expect(await notificationsOf(dr.id)).toEqual([{
      type: 'new_message',
      title: 'הודעה חדשה',
      body: 'Noa Cohen שלח/ה לך הודעה.',
      data: { conversation_id: id, sender_id: noa.id },
      is_read: false,
    }]);
    expect(await notificationsOf(noa.id)).toEqual([]);

    expect(await eventsOf(noa.id)).toEqual([{ event: 'message:new', payload: res.body }]);
    const practitionerEvents = await eventsOf(dr.id);
    expect(practitionerEvents.map((e) => e.event)).toEqual(['message:new', 'notification:new']);
    expect(practitionerEvents[0].payload).toEqual(res.body);
    expect(practitionerEvents[1].payload).toMatchObject({
      user_id: dr.id,
      type: 'new_message',
      data: { conversation_id: id, sender_id: noa.id },
    });
  });

  it('notifies the patient, in their language by default, when the practitioner writes', async () => {
    const { dr, noa, id } = await pair();
    const res = await api(dr.user, 'POST', `/${id}/messages`, { json: { content: 'À demain' } });
    expect(res.status).toBe(201);
    expect(res.body.message_type).toBe('text');
    expect(await notificationsOf(noa.id)).toEqual([expect.objectContaining({
      title: 'Nouveau message',
      body: 'Yossi Levi vous a envoyé un message.',
      data: { conversation_id: id, sender_id: dr.id },
    })]);
    const listed = (await api(noa, 'GET', '')).body[0];
    expect(listed.last_message).toMatchObject({ id: res.body.id, content: 'À demain' });
    expect(listed.unread_count).toBe(1);
    expect(listed.last_message_at).toBe(res.body.created_at);
  });

  it('names a sender without a name on file in the words of the locale', async () => {
    const { dr, noa, id } = await pair();
    await db`update public.profiles set first_name = null, last_name = null where id = ${noa.id}`;
    await db`insert into public.user_settings (user_id, locale) values (${dr.id}, 'en')`;
    await api(noa, 'POST', `/${id}/messages`, { json: { content: 'Hi' } });
    const [note] = await notificationsOf(dr.id);
    expect(note.body).toBe('A patient sent you a message.');
  });

  it('sends pictures and files as https links', async () => {
    const { noa, id } = await pair();
    for (
      const [type, content] of [
        ['image', 'https://cdn.example/x-ray.png'],
        ['file', 'https://storage.example/referral.pdf?token=abc#page=2'],
      ]
    ) {
      const res = await api(noa, 'POST', `/${id}/messages`, {
        json: { content, message_type: type },
      });
      expect(res.status, type).toBe(201);
      expect(res.body).toMatchObject({ content, message_type: type });
    }
  });

  describe('a failure in any side effect leaves nothing behind', () => {
    const failures = [
      ['the notification', 'public.notifications', 'new.user_id'],
      ['an event', 'private.events', 'new.user_id'],
      ["the conversation's activity", 'public.conversations', 'new.practitioner_id'],
      [
        'its push delivery record',
        'private.push_deliveries',
        '(select user_id from public.notifications where id = new.notification_id)',
      ],
    ] as const;

    for (const [what, table, who] of failures) {
      it(`when ${what} cannot be written`, async () => {
        const { dr, noa, id } = await pair();
        const name = `fail_for_${dr.id.replaceAll('-', '_')}`;
        // Fails only for this test's practitioner: the other test files share the database.
        await db.unsafe(`
          create function public.${name}() returns trigger language plpgsql as $$
          begin
            if ${who} = '${dr.id}' then raise exception 'side effect refused'; end if;
            return new;
          end $$;
          create trigger ${name} before insert or update on ${table}
            for each row execute function public.${name}();`);
        try {
          const before = await snapshot(writtenFor(dr, noa));
          const res = await api(noa, 'POST', `/${id}/messages`, { json: { content: 'Hello' } });
          expect(res.status).toBe(500);
          expect(res.body.error.code).toBe('internal_error');
          expect(await snapshot(writtenFor(dr, noa))).toEqual(before);
          const [{ last }] = await db`
            select last_message_at as last from public.conversations where id = ${id}`;
          expect(last).toBeNull();
        } finally {
          await db.unsafe(`drop trigger ${name} on ${table}; drop function public.${name}();`);
        }
        expect((await api(noa, 'POST', `/${id}/messages`, { json: { content: 'Hello' } })).status)
          .toBe(201);
      });
    }
  });
});

describe('PATCH /conversations/:id/read', () => {
  it("marks read the other party's messages and my notifications of the conversation, idempotently", async () => {
    const { dr, noa, id } = await pair();
    const elsewhere = await conversationBetween(noa.id, (await practice('Dana', 'Mizrahi')).id);
    const [other] = await db`select practitioner_id from public.conversations
      where id = ${elsewhere}`;
    for (const content of ['One', 'Two']) {
      await api(noa, 'POST', `/${id}/messages`, { json: { content } });
    }
    await api(dr.user, 'POST', `/${id}/messages`, { json: { content: 'Three' } });
    await api(noa, 'POST', `/${elsewhere}/messages`, { json: { content: 'Elsewhere' } });
    expect((await notificationsOf(dr.id)).map((n) => n.is_read)).toEqual([false, false]);

    const res = await api(dr.user, 'PATCH', `/${id}/read`);
    expect(res.status).toBe(204);
    const rows = await db<{ content: string; is_read: boolean; read: boolean }[]>`
      select content, is_read, read_at is not null as read from public.messages
      where conversation_id = ${id} order by created_at, id`;
    expect(rows).toEqual([
      { content: 'One', is_read: true, read: true },
      { content: 'Two', is_read: true, read: true },
      { content: 'Three', is_read: false, read: false },
    ]);
    expect((await notificationsOf(dr.id)).map((n) => n.is_read)).toEqual([true, true]);
    // The patient's notification of their own conversation is theirs to read.
    expect((await notificationsOf(noa.id)).map((n) => n.is_read)).toEqual([false]);
    expect((await notificationsOf(other.practitioner_id)).map((n) => n.is_read)).toEqual([false]);
    expect((await api(dr.user, 'GET', '')).body[0].unread_count).toBe(0);

    const [{ at }] = await db`select max(read_at) as at from public.messages
      where conversation_id = ${id}`;
    const before = await snapshot(writtenFor(dr, noa));
    expect((await api(dr.user, 'PATCH', `/${id}/read`)).status).toBe(204);
    expect(await snapshot(writtenFor(dr, noa))).toEqual(before);
    const [{ again }] = await db`select max(read_at) as again from public.messages
      where conversation_id = ${id}`;
    expect(again).toEqual(at);

    expect((await api(noa, 'PATCH', `/${id}/read`)).status).toBe(204);
    expect((await notificationsOf(noa.id)).map((n) => n.is_read)).toEqual([true]);
    const listed = (await api(noa, 'GET', '')).body.map((
      i: { id: string; unread_count: number },
    ) => [i.id, i.unread_count]);
    expect(listed).toContainEqual([id, 0]);
  });

  it('is 204 on a conversation with nothing to read', async () => {
    const { noa, id } = await pair();
    expect((await api(noa, 'PATCH', `/${id}/read`)).status).toBe(204);
  });
});

describe('an admin acting for a practice', () => {
  it('reads, writes as the practice and marks read for it, each write on record', async () => {
    const { dr, noa, id } = await pair();
    const ada = await admin();
    const acting = `?practitioner_id=${dr.id}`;
    await api(noa, 'POST', `/${id}/messages`, { json: { content: 'Is the clinic open?' } });

    const listed = await api(ada, 'GET', acting);
    expect(listed.body.map((i: { id: string; unread_count: number }) => [i.id, i.unread_count]))
      .toEqual([[id, 1]]);
    const page = await api(ada, 'GET', `/${id}/messages${acting}`);
    expect(page.body.map((m: { content: string }) => m.content)).toEqual(['Is the clinic open?']);

    const sent = await api(ada, 'POST', `/${id}/messages${acting}`, {
      json: { content: 'Yes, until 18:00.' },
    });
    expect(sent.status).toBe(201);
    expect(sent.body.sender_id).toBe(dr.id);
    expect((await notificationsOf(noa.id)).map((n) => n.body)).toEqual([
      'Yossi Levi vous a envoyé un message.',
    ]);

    expect((await api(ada, 'PATCH', `/${id}/read${acting}`)).status).toBe(204);
    const states = await db`select sender_id, is_read from public.messages
      where conversation_id = ${id} order by created_at, id`;
    expect(states).toEqual([
      { sender_id: noa.id, is_read: true },
      { sender_id: dr.id, is_read: false },
    ]);
    expect((await notificationsOf(dr.id)).map((n) => n.is_read)).toEqual([true]);

    const audit = await db`select action, entity, entity_id, details from public.audit_log
      where actor_id = ${ada.id} order by id`;
    expect(audit).toEqual([
      {
        action: 'message.create',
        entity: 'messages',
        entity_id: sent.body.id,
        details: { practitioner_id: dr.id, conversation_id: id },
      },
      {
        action: 'conversation.read',
        entity: 'conversations',
        entity_id: id,
        details: { practitioner_id: dr.id, conversation_id: id },
      },
    ]);
    // Nothing of it for the practitioner's own writes.
    await api(dr.user, 'POST', `/${id}/messages`, { json: { content: 'Thanks' } });
    const [{ n }] = await db`select count(*)::int as n from public.audit_log
      where actor_id = ${dr.id}`;
    expect(n).toBe(0);
  });
});

describe("the platform's system messages", () => {
  it('reach both sockets and the lists, and notify nobody', async () => {
    const { dr, noa, id } = await pair();
    const [system] = await insertMessages(id, [{
      sender: dr.id,
      type: 'system',
      content: 'Appointment confirmed.',
    }]);
    expect(await notificationsOf(noa.id)).toEqual([]);
    for (const user of [noa.id, dr.id]) {
      const events = await eventsOf(user);
      expect(events).toEqual([{
        event: 'message:new',
        payload: expect.objectContaining({
          id: system.id,
          conversation_id: id,
          message_type: 'system',
          created_at: system.created_at,
        }),
      }]);
    }
    const [item] = (await api(noa, 'GET', '')).body;
    expect(item.last_message).toMatchObject({ id: system.id, message_type: 'system' });
  });
});
