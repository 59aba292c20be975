import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from '../lib/database.ts';

const require = createRequire(import.meta.url);

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

export interface RunningGateway {
  url: string;
  pid: number;
  /** Settles when the Deno process ends, with its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** The Deno binary the npm `deno` package installed (its bin.cjs wrapper would sit between us and the signals). */
function denoBinary(): string {
  const installer: { runInstall(): string } = require('deno/install_api.cjs');
  return installer.runInstall();
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

const READY_TIMEOUT_MS = 120_000;

async function waitUntilListening(url: string, exited: Promise<number | null>, output: () => string) {
  let ended = false;
  const onExit = exited.then((code) => {
    ended = true;
    throw new Error(`The gateway stopped while starting (exit code ${code}).\n${output()}`);
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const listening = (async () => {
    while (!ended && Date.now() < deadline) {
      const answered = await fetch(`${url}/auth/v1/.well-known/jwks.json`).then(
        async (res) => (await res.arrayBuffer(), true),
        () => false,
      );
      if (answered) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!ended) throw new Error(`The gateway did not start listening on ${url}.\n${output()}`);
  })();
  await Promise.race([listening, onExit]);
}

function waitForExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('close', (code) => resolve(code));
  });
}

/** Runs `dev/gateway/main.ts` under Deno and resolves once it answers HTTP. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const hostname = options.hostname ?? '127.0.0.1';
  const url = `http://${hostname}:${options.port}`;
  const extraApps = Object.entries(options.extraApps ?? {});
  const child = spawn(
    denoBinary(),
    [
      'run',
      ...permissions(options.env.LOCAL_STORAGE_DIR, extraApps.map(([, file]) => file)),
      '--config=deno.json',
      '--no-lock',
      'dev/gateway/main.ts',
      `--port=${options.port}`,
      `--hostname=${hostname}`,
      ...extraApps.map(([group, file]) => `--extra-app=${group}=${file}`),
    ],
    {
      cwd: ROOT,
      env: { ...process.env, ...options.env, DENO_NO_UPDATE_CHECK: '1' },
      stdio: ['ignore', options.output ?? 'inherit', options.output ?? 'inherit'],
      // Its own process group: Ctrl-C reaches only the stack, which then stops the gateway in order.
      detached: true,
      signal: options.signal,
    },
  );
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  // A failed spawn, or the abort of `signal`: the process then ends (or never began) and
  // `exited` settles; the reason only joins the output.
  child.on('error', (e) => (output += `\n${e.message}`));
  const exited = waitForExit(child);

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killed = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killed);
  };

  try {
    await waitUntilListening(url, exited, () => output);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, pid: child.pid!, exited, stop };
}
