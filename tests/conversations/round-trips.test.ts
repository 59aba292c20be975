import { describe, expect, it } from 'vitest';
import { wireCounter } from '../../dev/lib/round-trips.ts';
import { addDriverOptions } from '../../shared/db/client.ts';
import {
  api,
  appointmentBetween,
  conversationBetween,
  insertMessages,
  patient,
  practice,
} from './helpers.ts';

// This file's pool counts what it sends; each test file has its own pool.
const wire = wireCounter();
addDriverOptions(wire.options);

/** Statements and round trips per run of `act`, once warm. */
async function perRun(act: () => Promise<unknown>, runs = 3) {
  await act();
  const before = { ...wire.counts };
  for (let i = 0; i < runs; i++) await act();
  return {
    statements: (wire.counts.statements - before.statements) / runs,
    roundTrips: (wire.counts.writes - before.writes) / runs,
  };
}

/** The gate; then begin, role and claims, the one statement and the commit, in one write. */
const ONE_STATEMENT = { statements: 5, roundTrips: 2 };

describe('the cost of each request', () => {
  it('lists 1 or 40 conversations in the same single statement', async () => {
    const dr = await practice();
    const first = await patient();
    await appointmentBetween(dr, first.id);
    const list = async () => {
      const res = await api(dr.user, 'GET', '');
      expect(res.status).toBe(200);
      return res.body.length;
    };
    expect(await perRun(list)).toEqual(ONE_STATEMENT);
    for (let i = 0; i < 39; i++) {
      const id = await conversationBetween((await patient(`P${i}`)).id, dr.id);
      await insertMessages(id, [{ sender: dr.id }, { sender: dr.id }]);
    }
    expect(await list()).toBe(40);
    expect(await perRun(list)).toEqual(ONE_STATEMENT);
  });

  it('reads a page, sends a message and marks read in one statement each', async () => {
    const dr = await practice();
    const noa = await patient();
    const id = await conversationBetween(noa.id, dr.id);
    expect(
      await perRun(async () =>
        expect((await api(noa, 'POST', `/${id}/messages`, { json: { content: 'Hi' } })).status)
          .toBe(201)
      ),
    ).toEqual(ONE_STATEMENT);
    expect(
      await perRun(async () =>
        expect((await api(noa, 'GET', `/${id}/messages?limit=2`)).status).toBe(200)
      ),
    ).toEqual(ONE_STATEMENT);
    expect(
      await perRun(async () =>
        expect((await api(dr.user, 'PATCH', `/${id}/read`)).status).toBe(204)
      ),
    ).toEqual(ONE_STATEMENT);
  });

  it('opens or finds a conversation in one write of its statements, then the commit', async () => {
    const dr = await practice();
    const noa = await patient();
    const open = (json: Record<string, unknown>) => async () =>
      expect((await api(noa, 'POST', '', { json: { practitioner_id: dr.id, ...json } })).status)
        .toBeLessThan(202);
    // The gate; begin, role and claims, the insert and the read; the commit.
    expect(await perRun(open({}))).toEqual({ statements: 6, roundTrips: 3 });
    // With a first message, its insert goes in the same write.
    expect(await perRun(open({ content: 'Hi' }))).toEqual({ statements: 7, roundTrips: 3 });
  });
});
