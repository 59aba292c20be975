import { describe, expect, it, vi } from 'vitest';
import { call } from '../helpers/http.ts';
import { createUser } from '../helpers/users.ts';
import { probeApp } from './probe-app.ts';
import { signHs256, supabaseClaims } from './tokens.ts';

// A project still on the shared JWT secret: set before the apps load and read their configuration.
const LEGACY_SECRET = vi.hoisted(() => {
  const secret = `legacy-secret-${crypto.randomUUID()}`;
  process.env.JWT_LEGACY_SECRET = secret;
  return secret;
});

const probe = probeApp();

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('the legacy HS256 secret, when configured', () => {
  it('accepts a token signed with it, the role still coming from the profile', async () => {
    const user = await createUser({ role: 'practitioner' });
    const token = await signHs256(
      supabaseClaims(user.id, { role: 'authenticated' }),
      LEGACY_SECRET,
    );
    const res = await call(probe, 'GET', '/probe/me', { headers: bearer(token) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: user.id, role: 'practitioner' });
  });

  it('still accepts tokens signed with the asymmetric keys', async () => {
    const user = await createUser();
    expect((await call(probe, 'GET', '/probe/me', { token: user.token })).status).toBe(200);
  });

  it.each([
    ['another secret', () => `other-secret-${crypto.randomUUID()}`, {}],
    ['the right secret but an expired token', () => LEGACY_SECRET, {
      exp: Math.floor(Date.now() / 1000) - 60,
    }],
    ['the right secret but the anon audience', () => LEGACY_SECRET, { aud: 'anon' }],
    ['the right secret but another issuer', () => LEGACY_SECRET, { iss: 'supabase' }],
    ['the right secret but no expiry', () => LEGACY_SECRET, { exp: undefined }],
  ])('refuses a token signed with %s', async (_name, secret, overrides) => {
    const user = await createUser();
    const token = await signHs256(supabaseClaims(user.id, overrides), secret());
    const res = await call(probe, 'GET', '/probe/me', { headers: bearer(token) });
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({
      code: 'unauthorized',
      message: expect.any(String),
      details: {},
    });
  });

  it('refuses the service role key shape (no user audience) even with the right secret', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signHs256({
      iss: 'supabase',
      role: 'service_role',
      iat: now,
      exp: now + 3600,
    }, LEGACY_SECRET);
    const res = await call(probe, 'GET', '/probe/me', { headers: bearer(token) });
    expect(res.status).toBe(401);
  });
});
