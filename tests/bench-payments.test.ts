import { describe, expect, it } from 'vitest';
import type { BenchOptions } from '../dev/bench/options.ts';
import { paymentAndReviewScenarios } from '../dev/bench/payments.ts';
import { GROUPS, type Scenario } from '../dev/bench/scenarios.ts';
import { app as payments } from '../functions/payments/app.ts';
import { app as reviews } from '../functions/reviews/app.ts';
import { db } from './helpers/db.ts';
import { call } from './helpers/http.ts';
import { createUser } from './helpers/users.ts';

const options = (group: BenchOptions['group']): BenchOptions => ({
  duration: 0,
  warmup: 0,
  connections: 1,
  sample: 6,
  practitioners: 1,
  group,
});

/** One request of the scenario, sent in-process to its app as the gateway would forward it. */
function send(scenario: Scenario) {
  const { path, headers, body } = scenario.next();
  const appPath = path.replace(/^\/functions\/v1/, '');
  const app = appPath.startsWith('/reviews') ? reviews : payments;
  return call(app, scenario.method, appPath, { headers, body: body ?? scenario.body });
}

describe('the payments and reviews benchmarks', () => {
  it('measure their routes with the targets the issue sets, in their own groups', async () => {
    const users = await Promise.all([1, 2, 3].map(() => createUser()));
    const scenarios = await paymentAndReviewScenarios(db, users, options(undefined), () => {});
    expect(scenarios.every((s) => (GROUPS as readonly string[]).includes(s.group))).toBe(true);
    expect(Object.fromEntries(scenarios.map((s) => [s.name, [s.group, s.target, s.against]])))
      .toEqual({
        'GET /payments/methods (3 cards)': ['payments', 0.6, 'floor'],
        'POST /payments/webhook (replayed notification)': ['payments', 0.4, 'floor'],
        'POST /reviews': ['reviews', 0.3, 'floor'],
      });
    expect(
      (await paymentAndReviewScenarios(db, users, options('payments'), () => {})).map((s) =>
        s.group
      ),
    ).toEqual(['payments', 'payments']);
  });

  it('send requests the API answers 2xx: cards, replays of processed notifications, new reviews', async () => {
    const users = await Promise.all([1, 2].map(() => createUser()));
    const scenarios = await paymentAndReviewScenarios(db, users, options(undefined), () => {});
    const byName = new Map(scenarios.map((s) => [s.name.split(' (')[0], s]));

    const cards = await send(byName.get('GET /payments/methods')!);
    expect(cards.status).toBe(200);
    expect(cards.body).toHaveLength(3);
    expect(cards.body.filter((c: { is_default: boolean }) => c.is_default)).toHaveLength(1);

    const recorded = () =>
      db`select count(*)::int as n from private.payme_notifications
         where payme_sale_id like 'SALEBENCH-%'`;
    const before = await recorded();
    for (let i = 0; i < 4; i++) {
      const replay = await send(byName.get('POST /payments/webhook')!);
      expect(replay.status).toBe(200);
      expect(replay.body).toEqual({ outcome: 'replay' });
    }
    expect(await recorded()).toEqual(before);

    const review = byName.get('POST /reviews')!;
    for (let i = 0; i < 6; i++) expect((await send(review)).status).toBe(201);
    // The pool was sized for six: the seventh comes back to the first appointment.
    expect((await send(review)).status).toBe(409);
  });

  it('make their data once: a second call adds no cards, payments or appointments', async () => {
    const users = await Promise.all([1, 2].map(() => createUser()));
    const ids = users.map((u) => u.id);
    const count = async () => {
      const [row] = await db`
        select (select count(*)::int from public.payment_methods where user_id = any(${ids}::uuid[]))
                 as cards,
               (select count(*)::int from public.payment_transactions
                where payme_sale_id like 'SALEBENCH-%') as payments,
               (select count(*)::int from public.appointments where patient_id = any(${ids}::uuid[]))
                 as appointments`;
      return row;
    };
    await paymentAndReviewScenarios(db, users, options(undefined), () => {});
    const first = await count();
    await paymentAndReviewScenarios(db, users, options(undefined), () => {});
    expect(await count()).toEqual(first);
  });
});
