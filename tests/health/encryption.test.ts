import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { rotateHealthKeys } from '../../dev/rotate-health-key/rotate.ts';
import { createDatabase, dropDatabase, prepareDatabase } from '../../dev/lib/database.ts';
import { createHealthKeys, newEncryptionKey } from '../../dev/lib/health-keys.ts';
import { ConfigError, parseConfig, parseHealthKeys } from '../../shared/config.ts';
import { seal, sealedKeyId, unseal, UnsealError } from '../../shared/crypto/sealing.ts';
import { openTeudatZehut, sealTeudatZehut } from '../../shared/health/teudat-zehut.ts';
import { textDates } from '../../shared/db/client.ts';
import { db } from '../helpers/db.ts';
import { health, patient, validTeudatZehut } from './helpers.ts';

// This file's functions run after a rotation began: the current key is `test-2`, and the key of
// tests/setup.ts, `test-1`, only opens older values. And the unreadable value's log line is part
// of what is tested: errors are logged.
vi.hoisted(() => {
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
  process.env.HEALTH_ENCRYPTION_KEYS = `test-2:${key},${process.env.HEALTH_ENCRYPTION_KEYS}`;
  process.env.LOG_LEVEL = 'error';
});

const ring = (...entries: string[]) =>
  parseHealthKeys({
    HEALTH_ENCRYPTION_KEYS: entries.join(','),
    HEALTH_HMAC_KEY: createHealthKeys().HEALTH_HMAC_KEY,
  });

describe('sealing (AES-256-GCM, Web Crypto)', () => {
  const keys = ring(newEncryptionKey('k1')).encryption;

  it('opens what it sealed, and stores the key id with the value', async () => {
    const sealed = await seal(keys, '123456782', 'owner-a');
    expect(sealed).toMatch(/^v1\.k1\.[A-Za-z0-9+/]+=*$/);
    expect(sealedKeyId(sealed)).toBe('k1');
    expect(await unseal(keys, sealed, 'owner-a')).toBe('123456782');
  });

  it('uses a fresh 96-bit nonce for every value', async () => {
    const a = await seal(keys, '123456782', 'owner-a');
    const b = await seal(keys, '123456782', 'owner-a');
    expect(a).not.toBe(b);
    const payload = (s: string) => Uint8Array.from(atob(s.split('.')[2]), (c) => c.charCodeAt(0));
    // Nonce, 9 bytes of ciphertext, 16 of tag.
    expect(payload(a)).toHaveLength(12 + 9 + 16);
    expect(payload(a).subarray(0, 12)).not.toEqual(payload(b).subarray(0, 12));
  });

  it('never stores the digits', async () => {
    for (let i = 0; i < 50; i++) {
      const n = validTeudatZehut(String(10_000_000 + i * 1_234_567).slice(0, 8));
      const sealed = await seal(keys, n, 'owner-a');
      expect(sealed).not.toContain(n);
      expect(atob(sealed.split('.')[2])).not.toContain(n);
    }
  });

  it.each([
    ['other additional data (another owner)', (s: string) => ({ s, aad: 'owner-b' })],
    [
      'a flipped byte of ciphertext',
      (s: string) => {
        const bytes = Uint8Array.from(atob(s.split('.')[2]), (c) => c.charCodeAt(0));
        bytes[14] ^= 0x01;
        return { s: `v1.k1.${btoa(String.fromCharCode(...bytes))}`, aad: 'owner-a' };
      },
    ],
    [
      'a flipped byte of the nonce',
      (s: string) => {
        const bytes = Uint8Array.from(atob(s.split('.')[2]), (c) => c.charCodeAt(0));
        bytes[0] ^= 0x80;
        return { s: `v1.k1.${btoa(String.fromCharCode(...bytes))}`, aad: 'owner-a' };
      },
    ],
    [
      'a cut tag',
      (s: string) => {
        const bytes = Uint8Array.from(atob(s.split('.')[2]), (c) => c.charCodeAt(0));
        return {
          s: `v1.k1.${btoa(String.fromCharCode(...bytes.subarray(0, -1)))}`,
          aad: 'owner-a',
        };
      },
    ],
  ])('refuses %s', async (_what, tamper) => {
    const { s, aad } = tamper(await seal(keys, '123456782', 'owner-a'));
    await expect(unseal(keys, s, aad)).rejects.toMatchObject({
      name: 'UnsealError',
      reason: 'not_authentic',
    });
  });

  it.each([
    ['an unknown key id', 'v1.k9.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'unknown_key'],
    ['another version', 'v2.k1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'malformed'],
    ['no payload', 'v1.k1.', 'malformed'],
    ['bad base64', 'v1.k1.%%%%', 'malformed'],
    ['a payload too short', 'v1.k1.AAAA', 'malformed'],
    ['plain digits', '123456782', 'malformed'],
  ])('refuses %s, saying nothing of the value', async (_what, sealed, reason) => {
    const error = await unseal(keys, sealed, 'owner-a').catch((e) => e);
    expect(error).toBeInstanceOf(UnsealError);
    expect(error.reason).toBe(reason);
    expect(error.message).toBe('A sealed value could not be opened.');
  });

  it('opens values of an older key while a newer one is current', async () => {
    const k1 = newEncryptionKey('k1');
    const old = await seal(ring(k1).encryption, '123456782', 'owner-a');
    const both = ring(newEncryptionKey('k2'), k1).encryption;
    expect(both.currentKeyId).toBe('k2');
    expect(await unseal(both, old, 'owner-a')).toBe('123456782');
    expect(sealedKeyId(await seal(both, '123456782', 'owner-a'))).toBe('k2');
  });

  it('hashes the number with its own key: same number, same hash; no digits', async () => {
    const keys2 = ring(newEncryptionKey('k1'));
    const a = await sealTeudatZehut({ kind: 'health_profile', id: 'a' }, '123456782', keys2);
    const b = await sealTeudatZehut({ kind: 'relative', id: 'b' }, '123456782', keys2);
    const c = await sealTeudatZehut({ kind: 'relative', id: 'b' }, '039337423', keys2);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash).toBe(b.hash);
    expect(a.hash).not.toBe(c.hash);
    expect(a.encrypted).not.toBe(b.encrypted);
    // Another HMAC key, another hash: the hash alone cannot be recomputed from the number.
    const other = { ...keys2, hmacKey: ring(newEncryptionKey('k1')).hmacKey };
    expect((await sealTeudatZehut({ kind: 'relative', id: 'b' }, '123456782', other)).hash).not
      .toBe(b.hash);
    await expect(openTeudatZehut({ kind: 'relative', id: 'a' }, a.encrypted, keys2)).rejects
      .toBeInstanceOf(UnsealError);
  });
});

describe('the health keys in the configuration', () => {
  const BASE = {
    SUPABASE_URL: 'https://abc.supabase.co',
    DATABASE_URL: 'postgres://127.0.0.1/dokal',
    LOCAL_STORAGE_DIR: '/tmp/x',
  };
  const failure = (env: Record<string, string>) => {
    try {
      parseConfig({ ...BASE, ...env });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    throw new Error('accepted');
  };

  it('reads a set of keys, the first current, and the HMAC key', () => {
    const keys = createHealthKeys('a');
    const second = newEncryptionKey('b');
    const c = parseConfig({
      ...BASE,
      ...keys,
      HEALTH_ENCRYPTION_KEYS: `${keys.HEALTH_ENCRYPTION_KEYS}, ${second}`,
    });
    expect(c.healthKeys!.encryption.currentKeyId).toBe('a');
    expect([...c.healthKeys!.encryption.keys.keys()]).toEqual(['a', 'b']);
    expect(c.healthKeys!.hmacKey).toHaveLength(32);
  });

  it('runs without health keys (functions that never touch health data)', () => {
    expect(parseConfig(BASE).healthKeys).toBeUndefined();
  });

  it.each([
    ['a key of 16 bytes', `k1:${btoa('x'.repeat(16))}`],
    ['a key that is no base64', 'k1:not base64!'],
    ['a key without an id', btoa('x'.repeat(32))],
    ['an id with a dot', `k.1:${btoa('x'.repeat(32))}`],
    ['the same id twice', `k1:${btoa('x'.repeat(32))},k1:${btoa('y'.repeat(32))}`],
    ['nothing but commas', ',,'],
  ])('refuses %s without repeating it', (_what, value) => {
    const message = failure({ ...createHealthKeys(), HEALTH_ENCRYPTION_KEYS: value });
    expect(message).toContain('HEALTH_ENCRYPTION_KEYS');
    expect(message).not.toContain(value.split(':').at(-1)!.slice(0, 8) || '%%%%');
  });

  it('refuses a short HMAC key, and one key without the other', () => {
    const keys = createHealthKeys();
    expect(failure({ ...keys, HEALTH_HMAC_KEY: btoa('short') })).toContain('HEALTH_HMAC_KEY');
    expect(failure({ HEALTH_ENCRYPTION_KEYS: keys.HEALTH_ENCRYPTION_KEYS })).toContain(
      'HEALTH_HMAC_KEY',
    );
    expect(failure({ HEALTH_HMAC_KEY: keys.HEALTH_HMAC_KEY })).toContain('HEALTH_ENCRYPTION_KEYS');
  });
});

describe('stored teudat zehut', () => {
  it('reads values sealed with an older key, and seals new ones with the current key', async () => {
    const user = await patient();
    const configured = parseHealthKeys(process.env);
    expect(configured.encryption.currentKeyId).toBe('test-2');
    const older = parseHealthKeys({
      HEALTH_ENCRYPTION_KEYS: process.env.HEALTH_ENCRYPTION_KEYS!.split(',')[1],
      HEALTH_HMAC_KEY: process.env.HEALTH_HMAC_KEY,
    });
    const stored = await sealTeudatZehut(
      { kind: 'health_profile', id: user.id },
      '332796184',
      older,
    );
    await db`insert into public.health_profiles (user_id, teudat_zehut_encrypted, teudat_zehut_hash)
      values (${user.id}, ${stored.encrypted}, ${stored.hash})`;
    expect(sealedKeyId(stored.encrypted)).toBe('test-1');
    const res = await health(user, 'GET', '/profile');
    expect(res.status).toBe(200);
    expect(res.body.teudat_zehut).toBe('332796184');

    await health(user, 'PUT', '/profile', { json: { teudat_zehut: '332796184' } });
    const [row] = await db`select teudat_zehut_encrypted, teudat_zehut_hash
      from public.health_profiles where user_id = ${user.id}`;
    expect(sealedKeyId(row.teudat_zehut_encrypted)).toBe('test-2');
    expect(row.teudat_zehut_hash).toBe(stored.hash);
  });

  it('never holds the digits, as written or normalised, in any column', async () => {
    const user = await patient();
    expect((await health(user, 'PUT', '/profile', { json: { teudat_zehut: '3933-7423' } })).status)
      .toBe(200);
    const [{ row }] = await db`select t::text as row from public.health_profiles t
      where user_id = ${user.id}`;
    for (const digits of ['039337423', '39337423', '3933-7423']) {
      expect(row).not.toContain(digits);
    }
    const [{ bytes }] = await db`select convert_to(t::text, 'UTF8') as bytes
      from public.health_profiles t where user_id = ${user.id}`;
    expect(Buffer.from(bytes).includes(Buffer.from('039337423'))).toBe(false);
  });

  it.each([
    [
      "another user's value copied into the row",
      async (userId: string, otherId: string) => {
        await db`update public.health_profiles set
          teudat_zehut_encrypted = (select teudat_zehut_encrypted from public.health_profiles
                                    where user_id = ${otherId})
          where user_id = ${userId}`;
      },
      'not_authentic',
    ],
    [
      'a flipped byte',
      async (userId: string) => {
        const [{ sealed }] = await db`select teudat_zehut_encrypted as sealed
          from public.health_profiles where user_id = ${userId}`;
        const [v, k, payload] = sealed.split('.');
        const bytes = Buffer.from(payload, 'base64');
        bytes[20] ^= 0x04;
        await db`update public.health_profiles
          set teudat_zehut_encrypted = ${`${v}.${k}.${bytes.toString('base64')}`}
          where user_id = ${userId}`;
      },
      'not_authentic',
    ],
    [
      'a value under a key no longer configured',
      async (userId: string) => {
        const stranger = ring(newEncryptionKey('retired')).encryption;
        const sealed = await seal(stranger, '332796184', `teudat_zehut:health_profile:${userId}`);
        await db`update public.health_profiles set teudat_zehut_encrypted = ${sealed}
          where user_id = ${userId}`;
      },
      'unknown_key',
    ],
  ])(
    'answers 500 internal_error for %s, never a number, and logs it without the value',
    async (_what, tamper, reason) => {
      const user = await patient();
      const other = await patient();
      await health(user, 'PUT', '/profile', { json: { teudat_zehut: '332796184' } });
      await health(other, 'PUT', '/profile', { json: { teudat_zehut: '123456782' } });
      await tamper(user.id, other.id);
      const lines: string[] = [];
      const spy = vi.spyOn(console, 'error').mockImplementation((line) => lines.push(line));
      try {
        const res = await health(user, 'GET', '/profile');
        expect(res.status).toBe(500);
        expect(res.body.error.code).toBe('internal_error');
        expect(JSON.stringify(res.body)).not.toMatch(/332796184|123456782/);
      } finally {
        spy.mockRestore();
      }
      const events = lines.map((l) => JSON.parse(l));
      expect(events).toContainEqual(
        expect.objectContaining({
          event: 'teudat_zehut_unreadable',
          owner: 'health_profile',
          reason,
        }),
      );
      expect(events).toContainEqual(
        expect.objectContaining({ event: 'unhandled_error', error: 'UnsealError' }),
      );
      expect(lines.join('\n')).not.toMatch(/332796184|123456782|6184|6782/);
    },
  );
});

describe('npm run rotate-health-key', () => {
  // A database of its own: the rotation covers every row, and other test files write theirs
  // under their own keys meanwhile.
  const name = `dokal_rotation_${process.pid}_${Date.now()}`;
  let sql: postgres.Sql;
  let serverUrl: string;
  beforeAll(async () => {
    const u = new URL(inject('databaseUrl'));
    u.pathname = '/postgres';
    serverUrl = u.toString();
    const url = await createDatabase(serverUrl, name);
    await prepareDatabase(url);
    sql = postgres(url, { max: 2, onnotice: () => {}, types: textDates });
  }, 120_000);
  afterAll(async () => {
    await sql?.end();
    await dropDatabase(serverUrl, name);
  });

  it('re-encrypts to the new key in batches, interrupted half way and resumed', async () => {
    const k1 = newEncryptionKey('k1');
    const k2 = newEncryptionKey('k2');
    const hmac = createHealthKeys().HEALTH_HMAC_KEY;
    const keysOf = (value: string) =>
      parseHealthKeys({ HEALTH_ENCRYPTION_KEYS: value, HEALTH_HMAC_KEY: hmac });
    const before = keysOf(k1);
    const after = keysOf(`${k2},${k1}`);
    // Ten health profiles and four relatives under k1, and their numbers.
    const numbers = new Map<string, string>();
    for (let i = 0; i < 10; i++) {
      const [{ id }] = await sql`insert into auth.users (email)
        values (${`rotation-${i}@test.dokal.local`}) returning id`;
      const n = validTeudatZehut(String(20_000_000 + i * 7_654_321).slice(0, 8));
      const s = await sealTeudatZehut({ kind: 'health_profile', id }, n, before);
      await sql`insert into public.health_profiles
          (user_id, teudat_zehut_encrypted, teudat_zehut_hash, updated_at)
        values (${id}, ${s.encrypted}, ${s.hash}, '2026-01-01T00:00:00Z')`;
      numbers.set(`health_profile:${id}`, n);
      if (i < 4) {
        const relativeId = crypto.randomUUID();
        const r = await sealTeudatZehut({ kind: 'relative', id: relativeId }, n, before);
        await sql`insert into public.relatives (id, user_id, first_name, last_name, relation,
            teudat_zehut_encrypted, teudat_zehut_hash)
          values (${relativeId}, ${id}, 'Tom', 'Cohen', 'child', ${r.encrypted}, ${r.hash})`;
        numbers.set(`relative:${relativeId}`, n);
      }
    }
    const stored = () =>
      sql<{ kind: 'health_profile' | 'relative'; id: string; sealed: string; hash: string }[]>`
        select 'health_profile' as kind, user_id as id, teudat_zehut_encrypted as sealed,
               teudat_zehut_hash as hash
        from public.health_profiles
        union all
        select 'relative', id, teudat_zehut_encrypted, teudat_zehut_hash from public.relatives`;
    /** Every stored value opens with the keys given and reads as the number stored. */
    const expectAllOpen = async (keys: typeof after) => {
      for (const row of await stored()) {
        expect(await openTeudatZehut({ kind: row.kind, id: row.id }, row.sealed, keys)).toBe(
          numbers.get(`${row.kind}:${row.id}`),
        );
      }
    };
    const keyIds = async () => (await stored()).map((r) => sealedKeyId(r.sealed)).sort();
    const hashes = (await stored()).map((r) => r.hash).sort();

    // Before the rotation the new configuration reads the old values already.
    await expectAllOpen(after);

    // Stopped (Ctrl-C) after two batches of three.
    const stop = new AbortController();
    let batches = 0;
    const first = await rotateHealthKeys(sql, after, {
      batchSize: 3,
      signal: stop.signal,
      onBatch: () => ++batches === 2 && stop.abort(),
    });
    expect(first).toEqual({
      interrupted: true,
      tables: [{
        table: 'health_profiles',
        reencrypted: 6,
        current: 6,
        changedMeanwhile: 0,
        failed: 0,
        remaining: 4,
      }],
    });
    expect(await keyIds()).toEqual([...Array(8).fill('k1'), ...Array(6).fill('k2')]);
    // Half way, every value opens, under either key.
    await expectAllOpen(after);

    const second = await rotateHealthKeys(sql, after, { batchSize: 3 });
    expect(second).toEqual({
      interrupted: false,
      tables: [
        {
          table: 'health_profiles',
          reencrypted: 4,
          current: 10,
          changedMeanwhile: 0,
          failed: 0,
          remaining: 0,
        },
        {
          table: 'relatives',
          reencrypted: 4,
          current: 4,
          changedMeanwhile: 0,
          failed: 0,
          remaining: 0,
        },
        // The practices' patient records (migration 20261202009100): none sealed here.
        {
          table: 'patient_records',
          reencrypted: 0,
          current: 0,
          changedMeanwhile: 0,
          failed: 0,
          remaining: 0,
        },
      ],
    });
    expect(await keyIds()).toEqual(Array(14).fill('k2'));
    await expectAllOpen(after);
    // The numbers did not change: nor their hashes, nor the profiles' updated_at.
    expect((await stored()).map((r) => r.hash).sort()).toEqual(hashes);
    const [{ touched }] = await sql`select array_agg(distinct updated_at) as touched
      from public.health_profiles`;
    expect(touched).toEqual([new Date('2026-01-01T00:00:00Z')]);
    // k1 can go now: the new key alone opens everything.
    await expectAllOpen(keysOf(k2));

    // A run with nothing left to do changes nothing.
    const third = await rotateHealthKeys(sql, after, { batchSize: 3 });
    expect(third.tables.map((t) => [t.reencrypted, t.remaining])).toEqual([[0, 0], [0, 0], [0, 0]]);

    // A value that does not open is counted, reported by id and left as it is.
    const [{ id: strayId }] = await sql`insert into auth.users (email)
      values ('rotation-stray@test.dokal.local') returning id`;
    const stray = await sealTeudatZehut(
      { kind: 'health_profile', id: strayId },
      '123456782',
      keysOf(newEncryptionKey('gone')),
    );
    await sql`insert into public.health_profiles (user_id, teudat_zehut_encrypted, teudat_zehut_hash)
      values (${strayId}, ${stray.encrypted}, ${stray.hash})`;
    const failures: unknown[] = [];
    const fourth = await rotateHealthKeys(sql, after, { onFailure: (f) => failures.push(f) });
    expect(fourth.tables[0]).toMatchObject({ reencrypted: 0, failed: 1, remaining: 1 });
    expect(failures).toEqual([{ table: 'health_profiles', id: strayId, reason: 'unknown_key' }]);
    const [{ sealed }] = await sql`select teudat_zehut_encrypted as sealed
      from public.health_profiles where user_id = ${strayId}`;
    expect(sealed).toBe(stray.encrypted);
  });
});
