import type { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { loadFunctionApps } from '../dev/gateway/function-apps.ts';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const apps = await loadFunctionApps();

/** `METHOD /path` of every route the app answers, in OpenAPI's path syntax. */
function servedRoutes(group: string, app: Hono): string[] {
  const operations = app.routes
    .filter((r) => METHODS.includes(r.method.toLowerCase()) && r.path !== `/${group}/openapi.json`)
    .map((r) => `${r.method.toUpperCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
  return [...new Set(operations)].sort();
}

/** `METHOD /path` of every operation the app's own OpenAPI document describes. */
async function documentedRoutes(group: string, app: Hono): Promise<string[]> {
  const res = await app.request(`/${group}/openapi.json`);
  expect(res.status).toBe(200);
  const { paths } = await res.json() as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(paths)
    .flatMap(([path, item]) =>
      Object.keys(item).filter((m) => METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${path}`)
    )
    .sort();
}

describe('OpenAPI documents', () => {
  it('are served by every function', () => {
    expect([...apps.keys()]).toEqual(
      expect.arrayContaining(['crm', 'practitioners', 'profile', 'relatives', 'settings']),
    );
  });

  it.each([...apps.keys()])(
    '%s: every route is in /openapi.json, and nothing else',
    async (group) => {
      const app = apps.get(group) as unknown as Hono;
      const served = servedRoutes(group, app);
      expect(served.length).toBeGreaterThan(0);
      expect(await documentedRoutes(group, app)).toEqual(served);
    },
  );
});
