import path from 'node:path';
import { ROOT } from '../../lib/database.ts';
import { type RunningDenoScript, startDenoScript } from '../../lib/deno-script.ts';
import { freePort } from '../../lib/free-port.ts';
import type { ReferenceKind } from './kinds.ts';

export interface ReferenceServer extends RunningDenoScript {
  kind: ReferenceKind;
  url: string;
}

/** The code it reads: itself, the wire counter, and the driver. */
const READABLE = ['dev/bench/reference', 'dev/lib/round-trips.ts', 'node_modules'];

/**
 * One reference server under Deno, the gateway's runtime; `claims` are the `request.jwt.claims`
 * its transaction sets (those of a bench user).
 */
export async function startReferenceServer(
  kind: ReferenceKind,
  databaseUrl: string,
  claims: object,
): Promise<ReferenceServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const script = await startDenoScript({
    name: `The reference server (${kind})`,
    script: 'dev/bench/reference/server.ts',
    flags: [
      `--allow-read=${READABLE.map((p) => path.join(ROOT, p)).join(',')}`,
      '--allow-env',
      '--allow-net',
      '--no-prompt',
    ],
    args: [`--port=${port}`, `--kind=${kind}`],
    env: { DATABASE_URL: databaseUrl, BENCH_CLAIMS: JSON.stringify(claims) },
    readyUrl: `${url}/counts`,
    output: 'pipe',
  });
  return { kind, url, ...script };
}
