import path from 'node:path';
import { ROOT } from '../lib/database.ts';
import { type RunningDenoScript, startDenoScript } from '../lib/deno-script.ts';

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
  /**
   * What the extra apps need beyond reading their own folder: files or folders from the
   * repository root they import, and system interfaces (Deno's `--allow-sys`).
   */
  extraPermissions?: { read?: string[]; sys?: string[] };
}

export interface RunningGateway extends RunningDenoScript {
  url: string;
}

/**
 * The permissions the functions need: read the code and the local storage folder (not `.dev/`
 * with its private key, nor `.env`), write only to storage, read the environment, and the
 * network (Postgres, and outside services named in `.env`).
 */
function permissions(storageDir: string | undefined, extraCode: string[], sys: string[]): string[] {
  const code = ['functions', 'shared', 'dev/gateway', 'node_modules', ...extraCode]
    .map((dir) => path.join(ROOT, dir));
  const readable = [...code, ...(storageDir ? [storageDir] : [])];
  return [
    `--allow-read=${readable.join(',')}`,
    ...(storageDir ? [`--allow-write=${storageDir}`] : []),
    ...(sys.length ? [`--allow-sys=${sys.join(',')}`] : []),
    '--allow-env',
    '--allow-net',
    '--no-prompt',
  ];
}

/** Runs `dev/gateway/main.ts` under Deno and resolves once it answers HTTP. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const hostname = options.hostname ?? '127.0.0.1';
  const url = `http://${hostname}:${options.port}`;
  const extraApps = Object.entries(options.extraApps ?? {});
  const script = await startDenoScript({
    name: 'The gateway',
    script: 'dev/gateway/main.ts',
    flags: permissions(
      options.env.LOCAL_STORAGE_DIR,
      [
        ...extraApps.map(([, file]) => path.dirname(file)),
        ...(options.extraPermissions?.read ?? []),
      ],
      options.extraPermissions?.sys ?? [],
    ),
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
