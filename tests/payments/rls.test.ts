import { describe, expect, it } from 'vitest';
import { db } from '../helpers/db.ts';
import type { TestUser } from '../helpers/users.ts';
import { patient } from './helpers.ts';

/** Runs `work` as `user` through the Data API's role, as supabase-js would; rolled back. */
async function asDataApi<T>(user: TestUser, work: (tx: typeof db) => Promise<T>): Promise<T> {
  const tx = await db.reserve();
  try {
    await tx`begin`;
    await tx`select set_config('role', 'authenticated', true),
                    set_config('request.jwt.claims', ${
      JSON.stringify({ sub: user.id, role: 'authenticated' })
    }, true)`;
    return await work(tx as unknown as typeof db);
  } finally {
    await tx`rollback`;
    tx.release();
  }
}

const refusedWith = async (statement: Promise<unknown>) => {
  try {
    await statement;
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return 'accepted';
};

describe('payments under row-level security', () => {
  it("lets owners read their own cards and payments, nobody else's", async () => {
    const noa = await patient();
    const dan = await patient('Dan');
    for (const owner of [noa, dan]) {
      await db`insert into public.payment_methods (user_id, brand, last4, expiry_month, expiry_year)
               values (${owner.id}, 'Visa', '4242', 12, 2099)`;
      await db`insert into public.payment_transactions (user_id, amount_agorot, description)
               values (${owner.id}, 15000, 'Consultation')`;
    }
    const seen = await asDataApi(noa, async (tx) => ({
      methods: await tx`select user_id from public.payment_methods`,
      payments: await tx`select user_id from public.payment_transactions`,
    }));
    expect(seen.methods.map((r) => r.user_id)).toEqual([noa.id]);
    expect(seen.payments.map((r) => r.user_id)).toEqual([noa.id]);
  });

  it('lets users write nothing directly: no insert, update or delete, no notification log', async () => {
    const noa = await patient();
    await db`insert into public.payment_transactions (user_id, amount_agorot, description)
             values (${noa.id}, 15000, 'Consultation')`;
    const attempts: Array<[string, (tx: typeof db) => Promise<unknown>]> = [
      [
        'insert a card',
        (tx) =>
          tx`insert into public.payment_methods (user_id, brand, last4, expiry_month, expiry_year)
           values (${noa.id}, 'Visa', '4242', 12, 2099)`,
      ],
      [
        'make a card the default',
        (tx) => tx`update public.payment_methods set is_default = true where user_id = ${noa.id}`,
      ],
      ['delete a card', (tx) => tx`delete from public.payment_methods where user_id = ${noa.id}`],
      [
        'insert a payment',
        (tx) =>
          tx`insert into public.payment_transactions (user_id, amount_agorot, description)
           values (${noa.id}, 100, 'Free money')`,
      ],
      [
        'mark a payment completed',
        (tx) =>
          tx`update public.payment_transactions set status = 'completed' where user_id = ${noa.id}`,
      ],
      ['read the notifications', (tx) => tx`select * from private.payme_notifications`],
      [
        'apply a notification',
        (tx) =>
          tx`select private.apply_payme_notification('SALE1', 'sale-complete', 'completed',
                                                    '{}'::jsonb, null, null)`,
      ],
    ];
    for (const [name, attempt] of attempts) {
      expect(await asDataApi(noa, (tx) => refusedWith(attempt(tx))), name).toBe('42501');
    }
    const [row] = await db`
      select status::text from public.payment_transactions where user_id = ${noa.id}`;
    expect(row.status).toBe('pending');
  });

  it('guards the status machine in the database, whoever writes', async () => {
    const noa = await patient();
    const [payment] = await db`
      insert into public.payment_transactions (user_id, amount_agorot, description, status)
      values (${noa.id}, 15000, 'Consultation', 'completed') returning id`;
    for (const status of ['pending', 'failed', 'completed']) {
      expect(
        await refusedWith(
          db`update public.payment_transactions set status = ${status} where id = ${payment.id}`,
        ),
        status,
      ).toBe('DK409');
    }
    await db`update public.payment_transactions set status = 'refunded' where id = ${payment.id}`;
    expect(
      await refusedWith(
        db`update public.payment_transactions set status = 'completed' where id = ${payment.id}`,
      ),
    ).toBe('DK409');
  });
});
