import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** What the gateway needs of a function's Hono app. */
export interface FunctionApp {
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
}

const functionsDir = new URL('../../functions/', import.meta.url);

/**
 * Every `functions/<group>/app.ts`, keyed by group: adding a function needs no gateway change.
 * A function that fails to load stops the gateway, so a broken function is never silently absent.
 */
export async function loadFunctionApps(): Promise<Map<string, FunctionApp>> {
  const entries = await readdir(fileURLToPath(functionsDir), { withFileTypes: true });
  const groups = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const files = await readdir(fileURLToPath(new URL(`${entry.name}/`, functionsDir)));
    if (files.includes('app.ts')) groups.push(entry.name);
  }
  const apps = new Map<string, FunctionApp>();
  for (const group of groups) {
    const module: { app?: FunctionApp } = await import(new URL(`${group}/app.ts`, functionsDir).href);
    if (!module.app) throw new Error(`functions/${group}/app.ts does not export \`app\``);
    apps.set(group, module.app);
  }
  return apps;
}
