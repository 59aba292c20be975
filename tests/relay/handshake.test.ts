import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningRelayProcess } from '../../dev/relay/start.ts';
import { db } from '../helpers/db.ts';
import { createUser, tokenFor } from '../helpers/users.ts';
import { TEST_SUPABASE_URL } from '../setup.ts';
import { connect, pause, startTestRelay } from './helpers.ts';

let relay: RunningRelayProcess;

beforeAll(async () => {
  relay = await startTestRelay();
});

afterAll(async () => {
  await relay?.stop();
});

/** A token signed with the test key, with these claims laid over a valid one's. */
async function tokenWith(sub: string, claims: Record<string, unknown>) {
  const keys = inject('keys');
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT({ role: 'authenticated', ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: keys.kid, typ: 'JWT' })
    .setSubject(sub)
    .setIssuer((claims.iss as string) ?? `${TEST_SUPABASE_URL}/auth/v1`)
    .setAudience((claims.aud as string) ?? 'authenticated')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(await importJWK(keys.privateJwk, 'ES256'));
}

async function refusal(auth: Record<string, unknown>): Promise<Error> {
  try {
    const client = await connect(relay.url, auth);
    client.close();
  } catch (e) {
    return e as Error;
  }
  throw new Error('The handshake was accepted');
}

describe('the handshake', () => {
  it('accepts a valid token of an existing user', async () => {
    const user = await createUser();
    const client = await connect(relay.url, { token: user.token });
    expect(client.socket.connected).toBe(true);
    client.close();
  });

  it.each([
    ['no token', {}],
    ['an empty token', { token: '' }],
    ['a token that is not a string', { token: 12345 }],
    ['a malformed token', { token: 'not.a.jwt' }],
    ['random text', { token: 'Bearer abc' }],
  ])('refuses %s with connect_error "unauthorized"', async (_, auth) => {
    const error = await refusal(auth);
    expect(error.message).toBe('unauthorized');
  });

  it('refuses an expired token', async () => {
    const user = await createUser();
    const expired = await tokenFor(user.id, user.email, -60);
    expect((await refusal({ token: expired })).message).toBe('unauthorized');
  });

  it('refuses a token for another audience, another issuer, or a forged signature', async () => {
    const user = await createUser();
    expect((await refusal({ token: await tokenWith(user.id, { aud: 'anon' }) })).message)
      .toBe('unauthorized');
    expect(
      (await refusal({ token: await tokenWith(user.id, { iss: 'https://evil.example/auth/v1' }) }))
        .message,
    ).toBe('unauthorized');
    const [head, body] = user.token.split('.');
    const forged = `${head}.${body}.${'A'.repeat(86)}`;
    expect((await refusal({ token: forged })).message).toBe('unauthorized');
  });

  it('refuses the valid token of a deleted user', async () => {
    const user = await createUser();
    await db`delete from auth.users where id = ${user.id}`;
    expect((await refusal({ token: user.token })).message).toBe('unauthorized');
  });

  it('logs each refusal with its reason and never the token', async () => {
    await refusal({ token: 'not.a.jwt' });
    await pause(100);
    const refusals = relay.output().split('\n').filter(Boolean).map((l) => JSON.parse(l))
      .filter((e) => e.event === 'handshake_refused');
    expect(refusals.map((e) => e.reason)).toEqual(
      expect.arrayContaining(['no_token', 'invalid_token', 'unknown_user']),
    );
    expect(relay.output()).not.toContain('not.a.jwt');
  });
});

describe('a token that expires', () => {
  it('ends its socket at the expiry; the client reconnects with a fresh token', async () => {
    const user = await createUser();
    const tokens = [await tokenFor(user.id, user.email, 2), await tokenFor(user.id, user.email)];
    let handshakes = 0;
    const client = await connect(
      relay.url,
      (cb) => cb({ token: tokens[Math.min(handshakes++, 1)] }),
      { reconnection: true },
    );
    const firstId = client.socket.id;
    const reason = await new Promise<string>((resolve) =>
      client.socket.once('disconnect', resolve)
    );
    expect(reason).toBe('transport close');
    await new Promise<void>((resolve) => client.socket.once('connect', () => resolve()));
    expect(client.socket.id).not.toBe(firstId);
    expect(handshakes).toBe(2);
    client.close();
    const expired = relay.output().split('\n').filter(Boolean).map((l) => JSON.parse(l))
      .filter((e) => e.event === 'socket_token_expired');
    expect(expired).toContainEqual(expect.objectContaining({ user_id: user.id }));
  });
});
