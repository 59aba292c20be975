import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** What the gateway needs of a function's Hono app. */
export interface FunctionApp {
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
}

const functionsDir = new URL('../../functions/', import.meta.url);

const repoRoot = new URL('../../', import.meta.url);

async function importApp(group: string, url: URL): Promise<FunctionApp> {
  const module: { app?: FunctionApp } = await import(url.href);
  if (!module.app) throw new Error(`${url.pathname} does not export \`app\` (group ${group})`);
  return module.app;
}

/**
 * Every `functions/<group>/app.ts`, keyed by group: adding a function needs no gateway change.
 * `extra` adds apps that are never deployed (the benchmark's), as group -> path from the repo
 * root. A function that fails to load stops the gateway, so a broken one is never silently absent.
 */
export async function loadFunctionApps(
  extra: Record<string, string> = {},
): Promise<Map<string, FunctionApp>> {
  const entries = await readdir(fileURLToPath(functionsDir), { withFileTypes: true });
  const sources = new Map<string, URL>();
  for (
    const entry of entries.filter((e) => e.isDirectory()).sort((a, b) =>
      a.name.localeCompare(b.name)
    )
  ) {
    const files = await readdir(fileURLToPath(new URL(`${entry.name}/`, functionsDir)));
    if (files.includes('app.ts')) {
      sources.set(entry.name, new URL(`${entry.name}/app.ts`, functionsDir));
    }
  }
  for (const [group, file] of Object.entries(extra)) {
    if (sources.has(group)) {
      throw new Error(`The extra app ${group} would hide the function of that name.`);
    }
    sources.set(group, new URL(file, repoRoot));
  }
  const apps = new Map<string, FunctionApp>();
  for (const [group, url] of sources) apps.set(group, await importApp(group, url));
  return apps;
}
