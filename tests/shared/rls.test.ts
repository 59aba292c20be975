import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JwtClaims } from '../../shared/auth/user.ts';
import { asUser } from '../../shared/db/as-user.ts';
import { closeDb, type Tx } from '../../shared/db/client.ts';
import { db } from '../helpers/db.ts';
import { createUser, type TestUser } from '../helpers/users.ts';

afterAll(closeDb);

const claimsOf = (user: TestUser): JwtClaims => ({
  sub: user.id,
  role: 'authenticated',
  aud: 'authenticated',
});

/** Runs one statement the way supabase-js does for a visitor who is not signed in. */
function asAnon<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.begin(async (tx) => {
    await tx`select set_config('role', 'anon', true),
                    set_config('request.jwt.claims', '{"role":"anon"}', true)`;
    return await work(tx);
  }) as Promise<T>;
}

async function arrange(user: TestUser, names: string[]) {
  for (const name of names) {
    await db`insert into public.relatives (user_id, first_name, last_name, relation)
             values (${user.id}, ${name}, 'Cohen', 'child')`;
  }
  await db`insert into public.user_settings (user_id, locale) values (${user.id}, 'he')`;
  await db`insert into public.audit_log (actor_id, action, entity) values (${user.id}, 'test', 'relatives')`;
}

const USER_TABLES = ['profiles', 'relatives', 'user_settings', 'audit_log'] as const;
const OWNER_COLUMN = {
  profiles: 'id',
  relatives: 'user_id',
  user_settings: 'user_id',
  audit_log: 'actor_id',
};

describe('row-level security on the user path (asUser)', () => {
  let a: TestUser;
  let b: TestUser;

  beforeAll(async () => {
    a = await createUser({ firstName: 'Avi' });
    b = await createUser({ firstName: 'Bat' });
    await arrange(a, ['A1', 'A2']);
    await arrange(b, ['B1', 'B2', 'B3']);
  });

  it.each(USER_TABLES)('shows A only their own rows of %s, with no WHERE clause', async (table) => {
    const rows = await asUser(claimsOf(a), (tx) => tx.unsafe(`select * from ${table}`));
    const owner = OWNER_COLUMN[table];
    const [{ n }] = await db.unsafe(
      `select count(*)::int as n from public.${table} where ${owner} = $1`,
      [a.id],
    );
    expect(n).toBeGreaterThan(0);
    expect(rows).toHaveLength(n);
    expect(rows.every((r) => r[owner] === a.id)).toBe(true);
    const [{ total }] = await db.unsafe(`select count(*)::int as total from public.${table}`);
    expect(total).toBeGreaterThan(n);
  });

  it("changes only A's rows with an UPDATE without WHERE", async () => {
    const updated = await asUser(
      claimsOf(a),
      (tx) => tx`update relatives set first_name = 'x' returning user_id`,
    );
    expect(updated.map((r) => r.user_id)).toEqual([a.id, a.id]);
    const theirs =
      await db`select first_name from public.relatives where user_id = ${b.id} order by first_name`;
    expect(theirs.map((r) => r.first_name)).toEqual(['B1', 'B2', 'B3']);
  });

  it("cannot touch B's rows by naming them", async () => {
    const [theirs] = await db`select id from public.relatives where user_id = ${b.id} limit 1`;
    const result = await asUser(claimsOf(a), async (tx) => ({
      updated: (await tx`update relatives set first_name = 'x' where id = ${theirs.id}`).count,
      deleted: (await tx`delete from relatives where id = ${theirs.id}`).count,
      profile: (await tx`update profiles set first_name = 'x' where id = ${b.id}`).count,
      settings: (await tx`update user_settings set locale = 'en' where user_id = ${b.id}`).count,
    }));
    expect(result).toEqual({ updated: 0, deleted: 0, profile: 0, settings: 0 });
    const [profile] = await db`select first_name from public.profiles where id = ${b.id}`;
    expect(profile.first_name).toBe('Bat');
  });

  it('cannot insert a relative for B', async () => {
    const before =
      await db`select count(*)::int as n from public.relatives where user_id = ${b.id}`;
    await expect(
      asUser(
        claimsOf(a),
        (tx) =>
          tx`insert into relatives (user_id, first_name, last_name, relation) values (${b.id}, 'X', 'Y', 'child')`,
      ),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      asUser(
        claimsOf(a),
        (tx) =>
          tx`insert into audit_log (actor_id, action, entity) values (${b.id}, 'forged', 'relatives')`,
      ),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      asUser(claimsOf(a), (tx) => tx`insert into user_settings (user_id) values (${b.id})`),
    ).rejects.toMatchObject({ code: '42501' });
    expect(await db`select count(*)::int as n from public.relatives where user_id = ${b.id}`)
      .toEqual(before);
  });

  it('cannot move one of its relatives to B', async () => {
    await expect(
      asUser(claimsOf(a), (tx) => tx`update relatives set user_id = ${b.id}`),
    ).rejects.toMatchObject({ code: '42501' });
    const [{ n }] =
      await db`select count(*)::int as n from public.relatives where user_id = ${a.id}`;
    expect(n).toBe(2);
  });

  it.each([
    ['role', "update profiles set role = 'admin'"],
    ['email', "update profiles set email = 'someone.else@test.dokal.local'"],
  ])('cannot change its own %s (permission denied)', async (_column, statement) => {
    await expect(asUser(claimsOf(a), (tx) => tx.unsafe(statement))).rejects.toMatchObject({
      code: '42501',
    });
    const [profile] = await db`select role, email from public.profiles where id = ${a.id}`;
    expect(profile).toEqual({ role: 'patient', email: a.email });
  });

  it('can change the editable columns of its own profile', async () => {
    const count = await asUser(
      claimsOf(a),
      async (tx) => (await tx`update profiles set city = 'Haifa'`).count,
    );
    expect(count).toBe(1);
  });

  it('cannot rewrite or erase the audit log', async () => {
    await expect(asUser(claimsOf(a), (tx) => tx`update audit_log set action = 'x'`)).rejects
      .toMatchObject({
        code: '42501',
      });
    await expect(asUser(claimsOf(a), (tx) => tx`delete from audit_log`)).rejects.toMatchObject({
      code: '42501',
    });
  });

  it('cannot reach the rate limit counters', async () => {
    await expect(asUser(claimsOf(a), (tx) => tx`select * from private.rate_limit_counters`)).rejects
      .toMatchObject({ code: '42501' });
    await expect(
      asUser(claimsOf(a), (tx) => tx`select * from private.hit_rate_limit(${`user:${b.id}`})`),
    ).rejects
      .toMatchObject({ code: '42501' });
  });

  it("deletes only A's relatives with a DELETE without WHERE", async () => {
    const deleted = await asUser(
      claimsOf(a),
      async (tx) => (await tx`delete from relatives`).count,
    );
    expect(deleted).toBe(2);
    const [{ n }] =
      await db`select count(*)::int as n from public.relatives where user_id = ${b.id}`;
    expect(n).toBe(3);
  });

  it('sees nothing without claims, even as the authenticated role', async () => {
    const rows = await asUser({} as JwtClaims, (tx) => tx`select id from relatives`);
    expect(rows).toEqual([]);
  });
});

describe('the anonymous role', () => {
  beforeAll(async () => {
    await arrange(await createUser(), ['C1']);
  });

  it.each(USER_TABLES)('cannot read %s', async (table) => {
    await expect(asAnon((tx) => tx.unsafe(`select * from public.${table}`))).rejects.toMatchObject({
      code: '42501',
    });
  });

  it.each(USER_TABLES)('cannot write %s', async (table) => {
    await expect(asAnon((tx) => tx.unsafe(`delete from public.${table}`))).rejects.toMatchObject({
      code: '42501',
    });
  });
});

describe('every table', () => {
  it('has row-level security enabled in the public schema', async () => {
    const unprotected = await db`
      select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity
      order by 1`;
    expect(unprotected.map((r) => r.relname)).toEqual([]);
  });
});

describe('the Data API schema', () => {
  it('offers anonymous callers no function of ours, only the timerange type constructors', async () => {
    // `public` is what supabase-js reaches with the public anon key; the availability and
    // search functions live in `app` so nobody calls them around the API's checks.
    const callable = await db`
      select p.proname from pg_proc p
      where p.pronamespace = 'public'::regnamespace and has_function_privilege('anon', p.oid, 'execute')
        and p.proname not in ('timerange', 'timemultirange')`;
    expect(callable.map((r) => r.proname)).toEqual([]);
    const [{ reachable }] = await db`
      select has_function_privilege('anon', 'app.practitioner_free_slots(uuid[], date, date, timestamptz)', 'execute')
        and has_schema_privilege('anon', 'app', 'usage') as reachable`;
    expect(reachable).toBe(true);
  });
});
