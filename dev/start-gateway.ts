import path from 'node:path';
import { ROOT } from './database.ts';
import { type RunningDenoScript, startDenoScript } from './deno-script.ts';

export interface GatewayOptions {
  port: number;
  hostname?: string;
  /** The functions' environment (DATABASE_URL, SUPABASE_URL, SUPABASE_JWKS, LOCAL_STORAGE_DIR, ...). */
  env: Record<string, string | undefined>;
  /** Stops the gateway, also while it is starting. */
  signal?: AbortSignal;
  /** `inherit` shows the request log in the terminal; `pipe` keeps it for the error message. */
  output?: 'inherit' | 'pipe';
  /**
   * Apps mounted beside the functions: group -> module path from the repository root, exporting
   * `app`. Only the benchmark sets it (its floor app in dev/bench/), never a deployed function.
   */
  extraApps?: Record<string, string>;
}

export interface RunningGateway extends RunningDenoScript {
  url: string;
}

/**
 * The permissions the functions need: read the code and the local storage folder (not `.dev/`
 * with its private key, nor `.env`), write only to storage, read the environment, and the
 * network (Postgres, and outside services named in `.env`).
 */
function permissions(storageDir: string | undefined, extraModules: string[]): string[] {
  const code = ['functions', 'shared', 'dev/gateway', 'node_modules', ...extraModules.map(path.dirname)]
    .map((dir) => path.join(ROOT, dir));
  const readable = [...code, ...(storageDir ? [storageDir] : [])];
  return [
    `--allow-read=${readable.join(',')}`,
    ...(storageDir ? [`--allow-write=${storageDir}`] : []),
    '--allow-env',
    '--allow-net',
    '--no-prompt',
  ];
}

/** Runs `dev/gateway.ts` under Deno and resolves once it answers HTTP. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const hostname = options.hostname ?? '127.0.0.1';
  const url = `http://${hostname}:${options.port}`;
  const extraApps = Object.entries(options.extraApps ?? {});
  const script = await startDenoScript({
    name: 'The gateway',
    script: 'dev/gateway.ts',
    flags: permissions(options.env.LOCAL_STORAGE_DIR, extraApps.map(([, file]) => file)),
    args: [
      `--port=${options.port}`,
      `--hostname=${hostname}`,
      ...extraApps.map(([group, file]) => `--extra-app=${group}=${file}`),
    ],
    env: options.env,
    readyUrl: `${url}/auth/v1/.well-known/jwks.json`,
    signal: options.signal,
    output: options.output,
  });
  return { url, ...script };
}
