import { readFile, unlink, writeFile } from 'node:fs/promises';
import { unlinkSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../lib/database.ts';

/** Where the dev stack keeps its state: `.dev/` unless DEV_STATE_DIR names another folder. */
export function stateDir(): string {
  return path.resolve(ROOT, process.env.DEV_STATE_DIR || '.dev');
}

export const stateFiles = (dir = stateDir()) => ({
  stack: path.join(dir, 'stack.json'),
  keys: path.join(dir, 'keys.json'),
  healthKeys: path.join(dir, 'health-keys.json'),
  postgres: path.join(dir, 'postgres'),
  storage: path.join(dir, 'storage'),
});

/** What `.dev/stack.json` tells scripts about the running stack. */
export interface StackInfo {
  pid: number;
  gatewayPid: number;
  relayPid: number;
  startedAt: string;
  supabaseUrl: string;
  functionsUrl: string;
  apiUrl: string;
  docsUrl: string;
  openapiUrl: string;
  jwksUrl: string;
  /** The realtime relay (Socket.io), RELAY_PORT. */
  relayUrl: string;
  databaseUrl: string;
  embeddedDatabase: boolean;
  keysFile: string;
  storageDir: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function readStackFile(file: string): Promise<Partial<StackInfo> | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The stack whose process still runs, or undefined (a file left by a killed stack is ignored). */
export async function runningStack(
  file = stateFiles().stack,
): Promise<Partial<StackInfo> | undefined> {
  const info = await readStackFile(file);
  return info?.pid && isAlive(info.pid) ? info : undefined;
}

/**
 * Claims the state folder for this process: creating the file is atomic, so of two stacks
 * started at once only one proceeds. Returns the running stack when another one holds it.
 */
export async function claimStack(
  file: string,
): Promise<{ claimed: true } | { claimed: false; running: Partial<StackInfo> }> {
  for (;;) {
    try {
      await writeFile(file, JSON.stringify({ pid: process.pid, starting: true }), { flag: 'wx' });
      return { claimed: true };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const running = await runningStack(file);
    if (running) return { claimed: false, running };
    await unlink(file).catch(() => {});
  }
}

export const publishStack = (file: string, info: StackInfo) =>
  writeFile(file, `${JSON.stringify(info, null, 2)}\n`);

/** Synchronous, so it also runs from a signal handler before the process exits. */
export function releaseStack(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}
