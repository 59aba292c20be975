import { beforeAll, describe, expect, it } from 'vitest';
import { snapshot } from '../helpers/db.ts';
import type { Practice } from '../helpers/practice.ts';
import type { TestUser } from '../helpers/users.ts';
import {
  admin,
  api,
  appointmentBetween,
  insertMessages,
  patient,
  practice,
  writtenFor,
} from './helpers.ts';

const SECRET = 'My results came back positive';

interface Caller {
  who: string;
  user?: TestUser;
  /** The `practitioner_id` query parameter the caller sends. */
  acting?: () => string;
}

describe('who may see and do what', () => {
  let a: TestUser;
  let b: TestUser;
  let dr: Practice;
  let colleague: Practice;
  let ada: TestUser;
  let id: string;
  const callers: Array<Caller & { party: boolean }> = [];

  beforeAll(async () => {
    a = await patient('Avi');
    b = await patient('Bat');
    dr = await practice('Yossi', 'Levi');
    colleague = await practice('Dana', 'Mizrahi');
    ada = await admin();
    ({ conversationId: id } = await appointmentBetween(dr, a.id));
    await insertMessages(id, [{ sender: a.id, content: SECRET }, { sender: dr.id }]);
    callers.push(
      { who: 'patient A, its patient', user: a, party: true },
      { who: 'patient B', user: b, party: false },
      { who: 'its practitioner', user: dr.user, party: true },
      {
        who: 'its practitioner for their practice',
        user: dr.user,
        acting: () => dr.id,
        party: true,
      },
      { who: 'another practitioner', user: colleague.user, party: false },
      {
        who: 'another practitioner for their practice',
        user: colleague.user,
        acting: () => colleague.id,
        party: false,
      },
      { who: 'an admin', user: ada, party: false },
      { who: 'an admin for its practice', user: ada, acting: () => dr.id, party: true },
      { who: 'an admin for another practice', user: ada, acting: () => colleague.id, party: false },
    );
  });

  const query = (c: Caller) => (c.acting ? `?practitioner_id=${c.acting()}` : '');

  it('lists the conversation to its parties only, and to an admin acting for its practice', async () => {
    for (const c of callers) {
      const res = await api(c.user, 'GET', query(c));
      expect(res.status, c.who).toBe(200);
      const ids = res.body.map((item: { id: string }) => item.id);
      expect(ids.includes(id), c.who).toBe(c.party);
      if (!c.party) expect(JSON.stringify(res.body), c.who).not.toContain(SECRET);
    }
    expect((await api(undefined, 'GET', '')).status).toBe(401);
  });

  it('shows its messages to them only: 404 to everyone else, with nothing of it', async () => {
    for (const c of callers) {
      const res = await api(c.user, 'GET', `/${id}/messages${query(c)}`);
      expect(res.status, c.who).toBe(c.party ? 200 : 404);
      if (c.party) expect(res.body[0].content, c.who).toBe(SECRET);
      else {
        expect(res.body.error.code, c.who).toBe('not_found');
        expect(JSON.stringify(res.body), c.who).not.toContain(SECRET);
        expect(JSON.stringify(res.body), c.who).not.toContain(a.id);
      }
    }
    expect((await api(undefined, 'GET', `/${id}/messages`)).status).toBe(401);
  });

  it('lets only them write in it; the others get 404 and write nothing', async () => {
    for (const c of callers) {
      const before = await snapshot(writtenFor(a, dr, b, colleague, ada));
      const res = await api(c.user, 'POST', `/${id}/messages${query(c)}`, {
        json: { content: `From ${c.who}` },
      });
      expect(res.status, c.who).toBe(c.party ? 201 : 404);
      if (!c.party) {
        expect(await snapshot(writtenFor(a, dr, b, colleague, ada)), c.who).toEqual(before);
        expect(JSON.stringify(res.body), c.who).not.toContain(id);
      } else {
        // A practice writes as its practitioner, whoever signs in for it.
        expect(res.body.sender_id, c.who).toBe(c.user === a ? a.id : dr.id);
      }
    }
    const none = await api(undefined, 'POST', `/${id}/messages`, { json: { content: 'x' } });
    expect(none.status).toBe(401);
  });

  it('lets only them mark it read; the others get 404 and change nothing', async () => {
    for (const c of callers) {
      await insertMessages(id, [{ sender: a.id }, { sender: dr.id }]);
      const before = await snapshot(writtenFor(a, dr, b, colleague, ada));
      const res = await api(c.user, 'PATCH', `/${id}/read${query(c)}`);
      expect(res.status, c.who).toBe(c.party ? 204 : 404);
      if (!c.party) {
        expect(await snapshot(writtenFor(a, dr, b, colleague, ada)), c.who).toEqual(before);
      }
    }
    expect((await api(undefined, 'PATCH', `/${id}/read`)).status).toBe(401);
  });

  it('answers the pair their conversation when they open it, and nobody else', async () => {
    const opens: Array<[Caller, unknown, number]> = [
      [{ who: 'patient A', user: a }, { practitioner_id: dr.id }, 200],
      [{ who: 'its practitioner', user: dr.user }, { patient_id: a.id }, 200],
      [
        { who: 'an admin for its practice', user: ada, acting: () => dr.id },
        { patient_id: a.id },
        200,
      ],
      [{ who: 'another practitioner', user: colleague.user }, { patient_id: a.id }, 400],
      [{ who: 'an admin', user: ada }, { patient_id: a.id }, 400],
      [{ who: 'an admin for another practice', user: ada, acting: () => colleague.id }, {
        patient_id: a.id,
      }, 400],
      [{ who: 'patient B', user: b }, { patient_id: a.id }, 403],
      [{ who: 'no token' }, { practitioner_id: dr.id }, 401],
    ];
    for (const [c, json, status] of opens) {
      const res = await api(c.user, 'POST', query(c), { json });
      expect(res.status, c.who).toBe(status);
      if (status === 200) expect(res.body.id, c.who).toBe(id);
      else expect(JSON.stringify(res.body), c.who).not.toContain(id);
    }
  });

  it('lets nobody but an admin act for another practice', async () => {
    for (
      const [who, user] of [['a patient', a], ['another practitioner', colleague.user]] as const
    ) {
      for (
        const [method, path] of [
          ['GET', ''],
          ['GET', `/${id}/messages`],
          ['POST', `/${id}/messages`],
          ['PATCH', `/${id}/read`],
        ]
      ) {
        const res = await api(user, method, `${path}?practitioner_id=${dr.id}`, {
          json: method === 'POST' ? { content: 'x' } : undefined,
        });
        expect(res.status, `${who} ${method} ${path}`).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
      }
    }
  });
});
