import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { z } from 'zod';
import { USER_ROLES } from '../../shared/auth/user.ts';
import { type DevKeys, mintAccessToken } from '../lib/keys.ts';
import { ensureUser, type UserSpec } from '../lib/users.ts';

export const TOKEN_USAGE =
  'Usage: npm run token -- --email <email> [--role patient|practitioner|admin] [--first-name X --last-name Y]';

const argsSchema = z.object({
  email: z.email('--email must be an email address, e.g. --email you@example.com'),
  role: z
    .enum(USER_ROLES, '--role must be patient, practitioner or admin')
    .optional(),
  'first-name': z.string().trim().min(1, '--first-name must not be empty').max(100).optional(),
  'last-name': z.string().trim().min(1, '--last-name must not be empty').max(100).optional(),
});

export class TokenArgsError extends Error {}

/** The command line of `npm run token`, validated; every problem is named at once. */
export function parseTokenArgs(argv: string[]): UserSpec {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        email: { type: 'string' },
        role: { type: 'string' },
        'first-name': { type: 'string' },
        'last-name': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new TokenArgsError(`${(e as Error).message}\n${TOKEN_USAGE}`);
  }
  const result = argsSchema.safeParse(values);
  if (!result.success) {
    const problems = result.error.issues.map((i) =>
      i.code === 'invalid_type' && i.input === undefined
        ? `--${i.path.join('.')} is required`
        : i.message
    );
    throw new TokenArgsError(`${problems.join('\n')}\n${TOKEN_USAGE}`);
  }
  const a = result.data;
  return { email: a.email, role: a.role, firstName: a['first-name'], lastName: a['last-name'] };
}

/**
 * Makes sure the user exists with the requested role and mints an access token for it, as
 * Supabase Auth would after a sign-in.
 */
export async function issueToken(options: {
  databaseUrl: string;
  keys: DevKeys;
  supabaseUrl: string;
  user: UserSpec;
}): Promise<{ userId: string; token: string }> {
  const sql = postgres(options.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const userId = await ensureUser(sql, options.user);
    const token = await mintAccessToken(options.keys, {
      sub: userId,
      email: options.user.email,
      issuer: `${options.supabaseUrl}/auth/v1`,
    });
    return { userId, token };
  } finally {
    await sql.end();
  }
}
