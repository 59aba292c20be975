import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stateDir } from './state.ts';

export const serviceSecretFile = (dir = stateDir()) => path.join(dir, 'service-secret');

/**
 * The service secret of the local stack (what pg_cron sends deployed): SERVICE_SECRET when set
 * (.env or the shell), else the one kept in the state folder, made on first start.
 */
export async function loadOrCreateServiceSecret(file = serviceSecretFile()): Promise<string> {
  const given = process.env.SERVICE_SECRET;
  if (given) return given;
  const kept = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (kept) return kept;
  const secret = randomBytes(32).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
