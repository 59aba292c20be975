import { inject } from 'vitest';
import { mintAccessToken } from '../../dev/lib/keys.ts';
import { ensureUser, type Role } from '../../dev/lib/users.ts';
import { TEST_SUPABASE_URL } from '../setup.ts';
import { db } from './db.ts';

export interface TestUser {
  id: string;
  email: string;
  token: string;
}

/** A new user with a unique email, so tests never share rows. */
export async function createUser(
  options: { role?: Role; firstName?: string; lastName?: string } = {},
): Promise<TestUser> {
  const email = `user-${crypto.randomUUID()}@test.dokal.local`;
  const id = await ensureUser(db, { email, ...options });
  return { id, email, token: await tokenFor(id, email) };
}

export const tokenFor = (sub: string, email: string, expiresInSeconds?: number) =>
  mintAccessToken(inject('keys'), {
    sub,
    email,
    issuer: `${TEST_SUPABASE_URL}/auth/v1`,
    expiresInSeconds,
  });
