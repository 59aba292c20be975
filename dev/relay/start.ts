import { type ChildProcess, spawn } from 'node:child_process';
import { ROOT } from '../lib/database.ts';

export interface RelayProcessOptions {
  port: number;
  /** The relay's environment (DATABASE_URL, SUPABASE_URL, SUPABASE_JWKS, RELAY_*...). */
  env: Record<string, string | undefined>;
  /** `inherit` shows its log in the terminal; `pipe` keeps it (output()). */
  output?: 'inherit' | 'pipe';
  /** Stops the relay, also while it is starting. */
  signal?: AbortSignal;
}

export interface RunningRelayProcess {
  url: string;
  pid: number;
  /** What it printed so far, with `output: 'pipe'`. */
  output(): string;
  /** Settles when the process ends, with its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** SIGTERM (the relay's graceful stop), SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** Ends it at once, as a crash would (no position saved, no socket told). */
  kill(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

function waitForExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('close', (code) => resolve(code));
  });
}

/**
 * Runs the relay's own entry point (realtime-relay/main.ts) as a process of its own, as it is
 * deployed, and resolves once its /healthz answers. The dev stack, the tests and the benchmark
 * start it this way.
 */
export async function startRelayProcess(
  options: RelayProcessOptions,
): Promise<RunningRelayProcess> {
  const url = `http://127.0.0.1:${options.port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'realtime-relay/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      RELAY_HOST: '127.0.0.1',
      ...options.env,
      RELAY_PORT: String(options.port),
    },
    stdio: ['ignore', options.output ?? 'inherit', options.output ?? 'inherit'],
    // Its own process group: Ctrl-C reaches only the parent, which then stops it in order.
    detached: true,
    signal: options.signal,
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  child.on('error', (e) => (output += `\n${e.message}`));
  const exited = waitForExit(child);
  const running = () => child.exitCode === null && child.signalCode === null;

  const stop = async () => {
    if (!running()) return;
    child.kill('SIGTERM');
    const killed = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killed);
  };
  const kill = async () => {
    if (!running()) return;
    child.kill('SIGKILL');
    await exited;
  };

  let ended = false;
  const onExit = exited.then((code) => {
    ended = true;
    throw new Error(`The relay stopped while starting (exit code ${code}).\n${output}`);
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const ready = (async () => {
    while (!ended && Date.now() < deadline) {
      const answered = await fetch(`${url}/healthz`).then((res) => res.ok, () => false);
      if (answered) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!ended) throw new Error(`The relay did not answer on ${url}/healthz.\n${output}`);
  })();
  try {
    await Promise.race([ready, onExit]);
  } catch (e) {
    await kill();
    throw e;
  }
  onExit.catch(() => {});
  return { url, pid: child.pid!, output: () => output, exited, stop, kill };
}
