import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { ROOT } from '../../dev/lib/database.ts';
import { denoBinary } from '../../dev/lib/deno-script.ts';

const FIXTURE = 'tests/faults/fixtures/backend-dies.mjs';

function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: inject('databaseUrl'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Unpatched, a late query may also never settle: that fails here rather than at the test's timeout.
      timeout: 20_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const runtimes: Array<[string, () => Promise<Awaited<ReturnType<typeof run>>>]> = [
  ['Node', () => run(process.execPath, [FIXTURE])],
  [
    'Deno',
    () => run(denoBinary(), ['run', '--config=deno.json', '--no-lock', '--allow-net', '--allow-env', '--allow-read', FIXTURE]),
  ],
];

describe('postgres.js after the server closed a connection (porsager/postgres#1208)', () => {
  it('is patched in node_modules, where Node and Deno both load it', () => {
    for (const dir of ['src', 'cjs/src', 'cf/src']) {
      for (const file of ['connection.js', 'index.js']) {
        const code = readFileSync(path.join(ROOT, 'node_modules/postgres', dir, file), 'utf8');
        expect(code, `${dir}/${file}`).toContain('dokal: patched by dev/patch-postgres.mjs');
      }
    }
  });

  it.each(runtimes)('%s: late queries reject with a connection error and the process lives on', async (_, start) => {
    const { code, stdout, stderr } = await start();
    expect(stderr).not.toMatch(/reading 'write'|evaluating 'socket\.write'/);
    expect(code, `exit code; output:\n${stdout}${stderr}`).toBe(0);
    const settled = JSON.parse(stdout.trim().split('\n').at(-1)!);
    for (const late of ['first', 'second', 'begin']) {
      expect(['CONNECTION_CLOSED', 'ECONNRESET', 'EPIPE'], late).toContain(settled[late]);
    }
    expect(settled.after).toBe('ok');
  });
});
