import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'smol-toml';
import { expect, it } from 'vitest';
import { ROOT } from '../dev/lib/database.ts';

interface FunctionBlock {
  entrypoint?: string;
  verify_jwt?: boolean;
  import_map?: string;
}

// `supabase functions deploy` deploys exactly the blocks of config.toml: a group without one is
// never deployed, one with the platform's JWT check left on refuses anonymous callers of its
// public routes, and a block without its folder fails the deploy.
it('has a [functions.<group>] block for every functions/<group>/index.ts, and no other', async () => {
  const config = parse(await readFile(path.join(ROOT, 'supabase/config.toml'), 'utf8')) as {
    functions?: Record<string, FunctionBlock>;
  };
  const groups = (await readdir(path.join(ROOT, 'functions'), { withFileTypes: true }))
    .filter((e) => e.isDirectory() && existsSync(path.join(ROOT, 'functions', e.name, 'index.ts')))
    .map((e) => e.name)
    .sort();
  expect(groups.length).toBeGreaterThan(0);
  expect(Object.keys(config.functions ?? {}).sort()).toEqual(groups);
  for (const group of groups) {
    expect(config.functions![group], `[functions.${group}]`).toMatchObject({
      entrypoint: `../functions/${group}/index.ts`,
      verify_jwt: false,
      import_map: '../deno.json',
    });
  }
});
