import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { issueToken, parseTokenArgs, TokenArgsError } from '../../dev/token/issue.ts';
import type { RunningGateway } from '../../dev/gateway/start.ts';
import { db } from '../helpers/db.ts';
import { bearer, fetchJson } from './fetch-json.ts';
import { startTestGateway } from './test-gateway.ts';

let gateway: RunningGateway;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'dokal-token-'));
  gateway = await startTestGateway(path.join(scratch, 'storage'));
});

afterAll(async () => {
  await gateway?.stop();
  await rm(scratch, { recursive: true, force: true });
});

const uniqueEmail = () => `token-${crypto.randomUUID()}@test.dokal.local`;

const issue = (user: Parameters<typeof issueToken>[0]['user']) =>
  issueToken({
    databaseUrl: inject('databaseUrl'),
    keys: inject('keys'),
    supabaseUrl: gateway.url,
    user,
  });

describe('npm run token: arguments', () => {
  it('reads the email, role and names', () => {
    expect(
      parseTokenArgs([
        '--email',
        'ann@example.com',
        '--role',
        'practitioner',
        '--first-name',
        'Ann',
        '--last-name',
        'Lee',
      ]),
    ).toEqual({
      email: 'ann@example.com',
      role: 'practitioner',
      firstName: 'Ann',
      lastName: 'Lee',
    });
    expect(parseTokenArgs(['--email=bob@example.com'])).toEqual({ email: 'bob@example.com' });
  });

  it.each([
    [[], '--email is required'],
    [['--email', 'not-an-email'], '--email must be an email address'],
    [
      ['--email', 'a@example.com', '--role', 'god'],
      '--role must be patient, practitioner or admin',
    ],
    [['--email', 'a@example.com', '--first-name', ' '], '--first-name must not be empty'],
    [['--email', 'a@example.com', '--colour', 'red'], "Unknown option '--colour'"],
    [['--email', 'a@example.com', 'extra'], 'extra'],
    [['--email'], "Option '--email <value>' argument missing"],
  ])('refuses %j with a clear message', (argv, message) => {
    let error: unknown;
    try {
      parseTokenArgs(argv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TokenArgsError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).toContain('Usage: npm run token');
  });
});

describe('npm run token: the user and the token', () => {
  it('creates the user with its profile and role, and mints a token the gateway accepts', async () => {
    const email = uniqueEmail();
    const { userId, token } = await issue({
      email,
      role: 'practitioner',
      firstName: 'Ann',
      lastName: 'Lee',
    });

    const [profile] =
      await db`select first_name, last_name, email, role from public.profiles where id = ${userId}`;
    expect(profile).toEqual({ first_name: 'Ann', last_name: 'Lee', email, role: 'practitioner' });

    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', kid: inject('keys').kid });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      sub: userId,
      email,
      role: 'authenticated',
      aud: 'authenticated',
      iss: `${gateway.url}/auth/v1`,
    });
    expect(claims.exp! - claims.iat!).toBe(3600);

    const res = await fetchJson(`${gateway.url}/functions/v1/profile`, { headers: bearer(token) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: userId, email, role: 'practitioner', first_name: 'Ann' });
  });

  it('reuses an existing user and changes only its role', async () => {
    const email = uniqueEmail();
    const first = await issue({ email, firstName: 'Bob' });
    const second = await issue({ email, role: 'admin' });
    expect(second.userId).toBe(first.userId);

    const users = await db`select count(*)::int as n from auth.users where email = ${email}`;
    expect(users[0].n).toBe(1);
    const res = await fetchJson(`${gateway.url}/api/v1/profile`, { headers: bearer(second.token) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: first.userId, role: 'admin', first_name: 'Bob' });
  });
});
