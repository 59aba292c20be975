import { inject } from 'vitest';
import { jwksOf } from '../../dev/lib/keys.ts';
import { type RunningGateway, startGateway } from '../../dev/gateway/start.ts';
import { freePort } from '../../dev/lib/free-port.ts';

/** The real Deno gateway, as `npm run dev` starts it, on the test database and signing key. */
export async function startTestGateway(
  storageDir: string,
  extraApps?: Record<string, string>,
): Promise<RunningGateway> {
  const port = await freePort();
  return await startGateway({
    port,
    output: 'pipe',
    extraApps,
    env: {
      DATABASE_URL: inject('databaseUrl'),
      SUPABASE_URL: `http://127.0.0.1:${port}`,
      SUPABASE_JWKS: JSON.stringify(jwksOf(inject('keys'))),
      LOCAL_STORAGE_DIR: storageDir,
      RATE_LIMIT_PER_MINUTE: '100000',
      DB_POOL_MAX: '4',
      LOG_LEVEL: 'silent',
    },
  });
}
