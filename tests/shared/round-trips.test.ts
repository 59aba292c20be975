import { beforeAll, describe, expect, it } from 'vitest';
import { wireCounter } from '../../dev/lib/round-trips.ts';
import { app as practitioners } from '../../functions/practitioners/app.ts';
import { app as profile } from '../../functions/profile/app.ts';
import { app as relatives } from '../../functions/relatives/app.ts';
import type { JwtClaims } from '../../shared/auth/user.ts';
import { asAnon, asUser } from '../../shared/db/as-user.ts';
import { addDriverOptions, closeDb, type Tx } from '../../shared/db/client.ts';
import { db } from '../helpers/db.ts';
import { call } from '../helpers/http.ts';
import { createUser, type TestUser } from '../helpers/users.ts';
import { supabaseClaims } from './tokens.ts';

// This file's pool counts what it sends; each test file has its own pool.
const wire = wireCounter();
addDriverOptions(wire.options);

/** Statements and round trips per run of `act`, over `runs` sequential runs. */
async function perRun(act: () => Promise<unknown>, runs = 5) {
  // Once first: a connection prepares each statement on first use (one extra round trip).
  await act();
  const before = { ...wire.counts };
  for (let i = 0; i < runs; i++) await act();
  return {
    statements: (wire.counts.statements - before.statements) / runs,
    roundTrips: (wire.counts.writes - before.writes) / runs,
  };
}

let user: TestUser;
beforeAll(async () => {
  user = await createUser({ firstName: 'Dana', lastName: 'Levi' });
});

describe('round trips per request', () => {
  it('an authenticated read of one statement takes 2: the gate, then its whole transaction', async () => {
    const cost = await perRun(async () => {
      expect((await call(profile, 'GET', '/profile', { token: user.token })).status).toBe(200);
    });
    // The gate; begin, role and claims, the read and the commit.
    expect(cost).toEqual({ statements: 5, roundTrips: 2 });
  });

  it('a public read of one statement takes 1 round trip before its own transaction', async () => {
    const cost = await perRun(async () => {
      const res = await call(practitioners, 'GET', `/practitioners/${crypto.randomUUID()}`);
      expect(res.status).toBe(404);
    });
    expect(cost).toEqual({ statements: 5, roundTrips: 2 });
  });

  it.each([
    ['no token', undefined],
    ['a token that is not a JWT', 'Bearer not-a-jwt'],
  ])('a request with %s costs only its rate-limit hit', async (_, authorization) => {
    const cost = await perRun(async () => {
      const headers: Record<string, string> = authorization ? { authorization } : {};
      expect((await call(relatives, 'GET', '/relatives', { headers })).status).toBe(401);
    });
    expect(cost).toEqual({ statements: 1, roundTrips: 1 });
  });
});

describe('the pipelined opening of a user transaction', () => {
  const claims = (): JwtClaims => ({ ...supabaseClaims(user.id), sub: user.id });

  it('sends the whole transaction of a single statement handed back unawaited in one write', async () => {
    const cost = await perRun(() => asUser(claims(), (tx) => tx`select 1`));
    expect(cost).toEqual({ statements: 4, roundTrips: 1 });
  });

  it('sends begin, role, claims and the first statement of longer work in one write', async () => {
    const cost = await perRun(() =>
      asUser(claims(), async (tx) => {
        await tx`select 1`;
        await tx`select 2`;
      })
    );
    // The opening with the first statement; the second; the commit.
    expect(cost).toEqual({ statements: 5, roundTrips: 3 });
  });

  // Written as the API's queries are (an async function awaiting its statement), so the work
  // asks for its first statement at once: the opening must be issued before it all the same.
  const whoAmI = async (tx: Tx) => await tx`select current_user as role, auth.uid() as uid`;

  it('applies the role and the claims to the first statement of the work', async () => {
    const [first] = await asUser(claims(), whoAmI);
    expect(first).toEqual({ role: 'authenticated', uid: user.id });
    const [anon] = await asAnon(whoAmI);
    expect(anon).toEqual({ role: 'anon', uid: null });
    // The same statement handed back unawaited, sent with the commit behind it.
    const [single] = await asUser(
      claims(),
      (tx) => tx`select current_user as role, auth.uid() as uid`,
    );
    expect(single).toEqual({ role: 'authenticated', uid: user.id });
  });

  it('applies row-level security to the first statement, on new and on reused connections', async () => {
    const other = await createUser();
    for (const owner of [user, other]) {
      await db`insert into public.relatives (user_id, first_name, last_name, relation)
               values (${owner.id}, 'Sarah', 'Cohen', 'child')`;
    }
    const owners = () =>
      asUser(
        claims(),
        async (tx) =>
          await tx<{ user_id: string }[]>`select distinct user_id from public.relatives`,
      );
    await closeDb();
    expect(await owners()).toEqual([{ user_id: user.id }]);
    for (let i = 0; i < 3; i++) expect(await owners()).toEqual([{ user_id: user.id }]);
  });

  it('rolls back work that fails after writing, and the connections stay usable', async () => {
    const name = `Rolled-${crypto.randomUUID()}`;
    const failing = asUser(claims(), async (tx) => {
      await tx`insert into public.relatives (user_id, first_name, last_name, relation)
               values (${user.id}, ${name}, 'Cohen', 'child')`;
      throw new Error('the handler gave up');
    });
    await expect(failing).rejects.toThrow('the handler gave up');
    expect(await db`select 1 from public.relatives where first_name = ${name}`).toEqual([]);
    // More failures than the pool has connections: a connection not given back would block here.
    for (let i = 0; i < 6; i++) {
      await expect(asUser(claims(), (tx) => tx`select 1 / 0`)).rejects.toMatchObject({
        code: '22012',
      });
    }
    expect(await asUser(claims(), (tx) => tx`select 2 as two`)).toEqual([{ two: 2 }]);
  });

  it('writes nothing when a single statement sent with its commit fails', async () => {
    const name = `Refused-${crypto.randomUUID()}`;
    const refused = asUser(
      claims(),
      (tx) =>
        tx`insert into public.relatives (user_id, first_name, last_name, relation)
         values (${user.id}, ${name}, 'Cohen', 'not-a-relation')`,
    );
    await expect(refused).rejects.toMatchObject({ code: '22P02' });
    expect(await db`select 1 from public.relatives where first_name = ${name}`).toEqual([]);
    expect(await asUser(claims(), (tx) => tx`select 3 as three`)).toEqual([{ three: 3 }]);
  });

  it('reports the failing statement itself, not the aborted transaction after it', async () => {
    const work = asUser(claims(), async (tx) => {
      const [a, b] = await Promise.all([tx`select 'x'::int`, tx`select 1`]);
      return [a, b];
    });
    await expect(work).rejects.toMatchObject({ code: '22P02' });
  });
});
