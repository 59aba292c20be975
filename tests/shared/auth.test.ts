import { decodeProtectedHeader } from 'jose';
import { describe, expect, inject, it, vi } from 'vitest';
import { app as relatives } from '../../functions/relatives/app.ts';
import { db, snapshot } from '../helpers/db.ts';
import { call } from '../helpers/http.ts';
import { createUser, tokenFor } from '../helpers/users.ts';
import { probeApp } from './probe-app.ts';
import {
  signHs256,
  signWithStrangerKey,
  signWithTestKey,
  supabaseClaims,
  unsigned,
} from './tokens.ts';

// This file proves the refusals of a deployment without the legacy secret (auth-legacy.test.ts
// covers the other case); the apps read the configuration once, on load.
vi.hoisted(() => {
  delete process.env.JWT_LEGACY_SECRET;
});

const probe = probeApp();

async function expectUnauthorized(headers: Record<string, string>) {
  const res = await call(probe, 'GET', '/probe/me', { headers });
  expect(res.status).toBe(401);
  expect(res.body).toEqual({
    error: { code: 'unauthorized', message: expect.stringMatching(/\w+ \w+/), details: {} },
  });
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  return res;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('a valid access token', () => {
  it('lets the user in, with the role of their profile', async () => {
    const user = await createUser({ role: 'practitioner' });
    const res = await call(probe, 'GET', '/probe/me', { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: user.id, role: 'practitioner' });
  });

  it('is read from a lowercase "bearer" scheme too', async () => {
    const user = await createUser();
    const res = await call(probe, 'GET', '/probe/me', {
      headers: { authorization: `bearer ${user.token}` },
    });
    expect(res.status).toBe(200);
  });
});

describe('a token already verified', () => {
  it('is refused once it expires, though it was accepted before', async () => {
    const user = await createUser();
    const now = Date.now();
    const token = await signWithTestKey(
      supabaseClaims(user.id, { exp: Math.floor(now / 1000) + 30 }),
    );
    expect((await call(probe, 'GET', '/probe/me', { headers: bearer(token) })).status).toBe(200);
    vi.useFakeTimers({ now: now + 31_000, toFake: ['Date'] });
    try {
      await expectUnauthorized(bearer(token));
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not let a token with one changed character in', async () => {
    const user = await createUser();
    expect((await call(probe, 'GET', '/probe/me', { token: user.token })).status).toBe(200);
    // In the signature's middle: its last character carries unused bits.
    const at = user.token.length - 20;
    const changed = user.token[at] === 'A' ? 'B' : 'A';
    await expectUnauthorized(
      bearer(`${user.token.slice(0, at)}${changed}${user.token.slice(at + 1)}`),
    );
  });
});

describe('every refused token is the same 401 in the contract shape', () => {
  it('refuses a request without an Authorization header', async () => {
    await expectUnauthorized({});
  });

  it.each([
    ['another scheme', (t: string) => `Basic ${t}`],
    ['no scheme', (t: string) => t],
    ['the scheme alone', () => 'Bearer'],
    ['the scheme and a blank', () => 'Bearer   '],
    ['two tokens', (t: string) => `Bearer ${t} ${t}`],
  ])('refuses a header with %s', async (_name, header) => {
    const user = await createUser();
    await expectUnauthorized({ authorization: header(user.token) });
  });

  it.each(['not-a-jwt', 'a.b.c', 'eyJhbGciOiJFUzI1NiJ9.e30', 'eyJ.eyJ.sig', '....'])(
    'refuses the malformed token %j',
    async (token) => {
      await expectUnauthorized(bearer(token));
    },
  );

  it('refuses a token with a tampered payload', async () => {
    const user = await createUser();
    const other = await createUser({ role: 'admin' });
    const [header, , signature] = user.token.split('.');
    const payload = Buffer.from(JSON.stringify(supabaseClaims(other.id))).toString('base64url');
    await expectUnauthorized(bearer(`${header}.${payload}.${signature}`));
  });

  it('refuses an expired token', async () => {
    const user = await createUser();
    const now = Math.floor(Date.now() / 1000);
    await expectUnauthorized(
      bearer(await signWithTestKey(supabaseClaims(user.id, { iat: now - 7200, exp: now - 60 }))),
    );
    await expectUnauthorized(bearer(await tokenFor(user.id, user.email, -1)));
  });

  it('refuses a token that never expires', async () => {
    const user = await createUser();
    await expectUnauthorized(
      bearer(await signWithTestKey(supabaseClaims(user.id, { exp: undefined }))),
    );
  });

  it('refuses a token that is not valid yet', async () => {
    const user = await createUser();
    const later = Math.floor(Date.now() / 1000) + 600;
    await expectUnauthorized(
      bearer(await signWithTestKey(supabaseClaims(user.id, { nbf: later }))),
    );
  });

  it('refuses a token signed by another key under the trusted kid', async () => {
    const user = await createUser();
    const token = await signWithStrangerKey(supabaseClaims(user.id), inject('keys').kid);
    expect(decodeProtectedHeader(token).kid).toBe(inject('keys').kid);
    await expectUnauthorized(bearer(token));
  });

  it('refuses a token signed under an unknown kid', async () => {
    const user = await createUser();
    await expectUnauthorized(
      bearer(await signWithStrangerKey(supabaseClaims(user.id), crypto.randomUUID())),
    );
  });

  it('refuses an unsigned token (alg: none)', async () => {
    const user = await createUser();
    const token = unsigned(supabaseClaims(user.id));
    expect(decodeProtectedHeader(token).alg).toBe('none');
    await expectUnauthorized(bearer(token));
  });

  it('refuses HS256 tokens when no legacy secret is configured', async () => {
    const user = await createUser();
    await expectUnauthorized(bearer(await signHs256(supabaseClaims(user.id), 'x'.repeat(40))));
  });

  it('refuses HS256 tokens keyed with the public key (algorithm confusion)', async () => {
    const user = await createUser();
    const publicKey = new TextEncoder().encode(JSON.stringify(inject('keys').publicJwk));
    await expectUnauthorized(bearer(await signHs256(supabaseClaims(user.id), publicKey)));
  });

  it.each([['anon'], ['service_role'], [['other-app']], [undefined]])(
    'refuses the audience %j',
    async (aud) => {
      const user = await createUser();
      await expectUnauthorized(bearer(await signWithTestKey(supabaseClaims(user.id, { aud }))));
    },
  );

  it.each(['https://evil.example/auth/v1', 'http://127.0.0.1:54321', 'supabase', undefined])(
    'refuses the issuer %j',
    async (iss) => {
      const user = await createUser();
      await expectUnauthorized(bearer(await signWithTestKey(supabaseClaims(user.id, { iss }))));
    },
  );

  it.each([['not-a-uuid'], [42], [undefined]])('refuses the subject %j', async (sub) => {
    await expectUnauthorized(
      bearer(await signWithTestKey({ ...supabaseClaims(''), sub: sub as string })),
    );
  });

  it('refuses a well-signed token of a user who never existed', async () => {
    await expectUnauthorized(bearer(await signWithTestKey(supabaseClaims(crypto.randomUUID()))));
  });

  it('refuses the token of a user deleted after it was minted', async () => {
    const user = await createUser();
    expect((await call(probe, 'GET', '/probe/me', { token: user.token })).status).toBe(200);
    await db`delete from auth.users where id = ${user.id}`;
    await expectUnauthorized(bearer(user.token));
  });

  it('gives the same answer for every kind of refusal, so a forger learns nothing', async () => {
    const user = await createUser();
    const expired = await expectUnauthorized(bearer(await tokenFor(user.id, user.email, -1)));
    const forged = await expectUnauthorized(
      bearer(await signWithStrangerKey(supabaseClaims(user.id), inject('keys').kid)),
    );
    const badAudience = await expectUnauthorized(
      bearer(await signWithTestKey(supabaseClaims(user.id, { aud: 'anon' }))),
    );
    expect(forged.body).toEqual(expired.body);
    expect(badAudience.body).toEqual(expired.body);
  });

  it('writes nothing for a refused request', async () => {
    const user = await createUser();
    const before = await snapshot(['public.relatives']);
    const res = await call(relatives, 'POST', '/relatives', {
      headers: bearer(await tokenFor(user.id, user.email, -1)),
      json: { first_name: 'Sarah', last_name: 'Cohen', relation: 'child' },
    });
    expect(res.status).toBe(401);
    expect(await snapshot(['public.relatives'])).toEqual(before);
  });
});

describe('roles', () => {
  it('answers 403 forbidden in the contract shape when the role does not match', async () => {
    const patient = await createUser({ role: 'patient' });
    const res = await call(probe, 'GET', '/probe/admin-only', { token: patient.token });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      error: { code: 'forbidden', message: expect.any(String), details: {} },
    });
  });

  it('lets each listed role in', async () => {
    const practitioner = await createUser({ role: 'practitioner' });
    const admin = await createUser({ role: 'admin' });
    expect((await call(probe, 'GET', '/probe/staff', { token: practitioner.token })).status).toBe(
      200,
    );
    expect((await call(probe, 'GET', '/probe/staff', { token: admin.token })).status).toBe(200);
    expect((await call(probe, 'GET', '/probe/admin-only', { token: practitioner.token })).status)
      .toBe(403);
    expect((await call(probe, 'GET', '/probe/admin-only', { token: admin.token })).status).toBe(
      200,
    );
  });

  it('takes the role from profiles.role, never from the token claims', async () => {
    const patient = await createUser({ role: 'patient' });
    const claimsAdmin = await signWithTestKey(
      supabaseClaims(patient.id, {
        role: 'admin',
        user_role: 'admin',
        user_metadata: { role: 'admin' },
        app_metadata: { role: 'admin' },
      }),
    );
    const refused = await call(probe, 'GET', '/probe/admin-only', { headers: bearer(claimsAdmin) });
    expect(refused.status).toBe(403);
    expect((await call(probe, 'GET', '/probe/me', { headers: bearer(claimsAdmin) })).body.role)
      .toBe('patient');
  });

  it('follows a role change in profiles with the same token', async () => {
    const user = await createUser({ role: 'patient' });
    expect((await call(probe, 'GET', '/probe/admin-only', { token: user.token })).status).toBe(403);
    await db`update public.profiles set role = 'admin' where id = ${user.id}`;
    expect((await call(probe, 'GET', '/probe/admin-only', { token: user.token })).status).toBe(200);
    await db`update public.profiles set role = 'patient' where id = ${user.id}`;
    expect((await call(probe, 'GET', '/probe/admin-only', { token: user.token })).status).toBe(403);
  });
});
