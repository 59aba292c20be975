import { expect } from 'vitest';
import { db } from './db.ts';
import type { CallResult } from './http.ts';
import { createUser } from './users.ts';

/** A 4xx in the contract's error shape, with a sentence a patient can read. */
export function expectRefusal(res: CallResult, status: number, label = '') {
  expect(res.status, label).toBe(status);
  expect(res.body, label).toEqual({
    error: {
      code: expect.any(String),
      message: expect.stringMatching(/^[A-Z].*[.!]$/),
      details: expect.any(Object),
    },
  });
}

/**
 * Authorization headers a request must be refused with (401), whatever it asks: none, other
 * schemes, garbage, a token that is not a JWT, a token of a user who does not exist.
 */
export async function badAuthorizations(): Promise<Array<Record<string, string>>> {
  const ghost = await createUser();
  await db`delete from auth.users where id = ${ghost.id}`;
  return [
    {},
    { authorization: '' },
    { authorization: 'Bearer' },
    { authorization: 'Bearer ' },
    { authorization: 'Basic dXNlcjpwYXNz' },
    { authorization: 'Bearer not-a-token' },
    { authorization: 'Bearer a.b.c' },
    { authorization: `Bearer ${ghost.token.slice(0, -4)}AAAA` },
    { authorization: `Bearer ${ghost.token}x` },
    { authorization: `Token ${ghost.token}` },
    { authorization: `Bearer ${ghost.token}` },
  ];
}

/** Path ids that are not ids: 400 before anything is looked up. */
export const MALFORMED_IDS = [
  'abc',
  '123',
  `${crypto.randomUUID()}x`,
  crypto.randomUUID().slice(0, 35),
  crypto.randomUUID().replaceAll('-', '_'),
  `{${crypto.randomUUID()}}`,
  'null',
  'undefined',
  '%20',
  `${'a'.repeat(8)}-${'g'.repeat(4)}-4000-8000-${'a'.repeat(12)}`,
  '0',
];
