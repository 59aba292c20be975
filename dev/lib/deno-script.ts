import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { ROOT } from './database.ts';

const require = createRequire(import.meta.url);

export interface DenoScriptOptions {
  /** What the error messages call it ("The gateway"). */
  name: string;
  /** Module path from the repository root. */
  script: string;
  /** Deno's own flags (permissions...), before the script. */
  flags: string[];
  /** The script's arguments. */
  args: string[];
  env: Record<string, string | undefined>;
  /** Answers any HTTP status once the script listens. */
  readyUrl: string;
  /** Stops the script, also while it is starting. */
  signal?: AbortSignal;
  /** `inherit` shows the script's output in the terminal; `pipe` keeps it for the error message. */
  output?: 'inherit' | 'pipe';
}

export interface RunningDenoScript {
  pid: number;
  /** What it printed so far, when started with `output: 'pipe'`. */
  output(): string;
  /** Settles when the Deno process ends, with its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** The Deno binary the npm `deno` package installed (its bin.cjs wrapper would sit between us and the signals). */
export function denoBinary(): string {
  const installer: { runInstall(): string } = require('deno/install_api.cjs');
  return installer.runInstall();
}

const READY_TIMEOUT_MS = 120_000;

async function waitUntilListening(
  name: string,
  url: string,
  exited: Promise<number | null>,
  output: () => string,
) {
  let ended = false;
  const onExit = exited.then((code) => {
    ended = true;
    throw new Error(`${name} stopped while starting (exit code ${code}).\n${output()}`);
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const listening = (async () => {
    while (!ended && Date.now() < deadline) {
      const answered = await fetch(url).then(
        async (res) => (await res.arrayBuffer(), true),
        () => false,
      );
      if (answered) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!ended) throw new Error(`${name} did not start listening on ${url}.\n${output()}`);
  })();
  await Promise.race([listening, onExit]);
}

function waitForExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('close', (code) => resolve(code));
  });
}

/** Runs a Deno script from the repository root and resolves once it answers HTTP. */
export async function startDenoScript(options: DenoScriptOptions): Promise<RunningDenoScript> {
  const child = spawn(
    denoBinary(),
    ['run', ...options.flags, '--config=deno.json', '--no-lock', options.script, ...options.args],
    {
      cwd: ROOT,
      env: { ...process.env, ...options.env, DENO_NO_UPDATE_CHECK: '1' },
      stdio: ['ignore', options.output ?? 'inherit', options.output ?? 'inherit'],
      // Its own process group: Ctrl-C reaches only the parent, which then stops the script in order.
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
    await waitUntilListening(options.name, options.readyUrl, exited, () => output);
  } catch (e) {
    await stop();
    throw e;
  }
  return { pid: child.pid!, exited, stop, output: () => output };
}
