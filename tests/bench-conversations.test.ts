import { describe, expect, inject, it } from 'vitest';
import {
  conversationFixtures,
  conversationScenarios,
  type ConversationSizes,
  ensureConversationData,
  MESSAGES_PER_CONVERSATION,
} from '../dev/bench/conversations.ts';
import { parseBenchOptions } from '../dev/bench/options.ts';
import { GROUPS } from '../dev/bench/scenarios.ts';
import { app } from '../functions/conversations/app.ts';
import type { Tx } from '../shared/db/client.ts';
import { db } from './helpers/db.ts';
import { TEST_SUPABASE_URL } from './setup.ts';

const SMALL: ConversationSizes = {
  busy: 2,
  perPractitioner: 5,
  perPatient: 4,
  long: 130,
  senders: 3,
};

class Rollback extends Error {}

async function inRolledBackTransaction(work: (tx: Tx) => Promise<void>) {
  await db.begin(async (tx) => {
    await work(tx);
    throw new Rollback();
  }).catch((e) => {
    if (!(e instanceof Rollback)) throw e;
  });
}

describe('bench conversation data', () => {
  it('gives practitioners and patients their conversations and the long ones their messages, once', async () => {
    await inRolledBackTransaction(async (tx) => {
      const sizes = { ...SMALL, perPractitioner: 12, perPatient: 6 };
      const added = await ensureConversationData(tx, sizes);
      // 6 practitioners, 15 patients; 2 x 12 + 2 x (6 - 2) + 3 conversations.
      expect(added).toEqual({
        users: 6 + 15 + 6,
        conversations: 24 + 8 + 3,
        messages: 2 * 130 + 33 * MESSAGES_PER_CONVERSATION,
      });
      const perParty = await tx<{ email: string; n: number }[]>`
        select p.email, count(*)::int as n
        from public.profiles p
        join public.conversations c on p.id in (c.patient_id, c.practitioner_id)
        where p.email like 'bench-conv-%'
        group by p.email`;
      const count = (email: string) => perParty.find((r) => r.email.startsWith(email))?.n;
      expect(count('bench-conv-dr-1@')).toBe(12);
      expect(count('bench-conv-dr-2@')).toBe(12);
      expect(count('bench-conv-pt-1@')).toBe(6);
      expect(count('bench-conv-pt-2@')).toBe(6);
      expect(count('bench-conv-pt-3@')).toBe(2);

      const shapes = await tx<{ n: number; unread: number; activity: boolean }[]>`
        select count(m.id)::int as n, count(m.id) filter (where not m.is_read)::int as unread,
               bool_and(c.last_message_at = (select max(created_at) from public.messages x
                                             where x.conversation_id = c.id)) as activity
        from public.conversations c
        join public.profiles p on p.id = c.patient_id and p.email like 'bench-conv-%'
        join public.messages m on m.conversation_id = c.id
        group by c.id`;
      expect(shapes.filter((s) => s.n === 130)).toHaveLength(2);
      expect(shapes.filter((s) => s.n === MESSAGES_PER_CONVERSATION)).toHaveLength(33);
      expect(shapes.every((s) => s.unread === 2 && s.activity)).toBe(true);
      const [{ events }] = await tx`select count(*)::int as events from private.events e
        join public.profiles p on p.id = e.user_id and p.email like 'bench-conv-%'`;
      expect(events).toBe(0);

      expect(await ensureConversationData(tx, sizes)).toEqual({
        users: 0,
        conversations: 0,
        messages: 0,
      });
    });
  });
});

describe('bench conversation scenarios', () => {
  it('are the group conversations, and each answers 2xx with what it claims to read', async () => {
    expect(GROUPS).toContain('conversations');
    expect(parseBenchOptions(['--group', 'conversations'], {}).group).toBe('conversations');

    await db.begin((tx) => ensureConversationData(tx, SMALL));
    const data = await conversationFixtures(
      db,
      inject('keys'),
      `${TEST_SUPABASE_URL}/auth/v1`,
      SMALL,
    );
    const scenarios = conversationScenarios(data);
    expect(scenarios.every((s) => s.group === 'conversations')).toBe(true);
    const targets = Object.fromEntries(scenarios.map((s) => [s.name, [s.target, s.against]]));
    expect(targets).toEqual({
      'GET /conversations (200 conversations)': [0.3, 'floor'],
      'GET /conversations (patient, 20 conversations)': [undefined, undefined],
      'GET /conversations/:id/messages (10,000 messages)': [0.5, 'floor'],
      'GET /conversations/:id/messages?before (10,000 messages)': [undefined, undefined],
      'POST /conversations/:id/messages': [0.3, 'floor'],
    });
    for (const scenario of scenarios) {
      for (let i = 0; i < 4; i++) {
        const { path, headers } = scenario.next();
        const res = await app.request(path.replace(/^\/functions\/v1/, ''), {
          method: scenario.method,
          headers,
          body: scenario.body,
        });
        expect(res.status, scenario.name).toBeLessThan(300);
        const body = await res.json();
        if (scenario.name === 'GET /conversations (200 conversations)') {
          expect(body).toHaveLength(SMALL.perPractitioner);
        } else if (scenario.name === 'GET /conversations (patient, 20 conversations)') {
          expect(body).toHaveLength(SMALL.perPatient);
        } else if (scenario.name === 'GET /conversations/:id/messages (10,000 messages)') {
          expect(body).toHaveLength(50);
        }
      }
    }
  });
});
