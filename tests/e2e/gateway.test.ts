import { type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT } from '../../dev/lib/database.ts';
import { createSigningKeys, jwksOf, mintAccessToken } from '../../dev/lib/keys.ts';
import type { RunningGateway } from '../../dev/gateway/start.ts';
import { ensureUser } from '../../dev/lib/users.ts';
import { db } from '../helpers/db.ts';
import { bearer, fetchJson } from './fetch-json.ts';
import { startTestGateway } from './test-gateway.ts';

const DEFAULT_SETTINGS = { notifications_enabled: true, reminders_enabled: true, locale: 'fr' };
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const SECRET = 'not-for-the-web';

const lockedVersion = (name: string): string =>
  JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'))
    .packages[`node_modules/${name}`].version;

let gateway: RunningGateway;
let scratch: string;
let storageDir: string;
let token: string;

async function newUserToken(issuerBase: string) {
  const email = `e2e-${crypto.randomUUID()}@test.dokal.local`;
  const sub = await ensureUser(db, { email });
  return mintAccessToken(inject('keys'), { sub, email, issuer: `${issuerBase}/auth/v1` });
}

/**
 * node:http sends the path as written, so `..` reaches the gateway without client-side cleanup,
 * and any method, where fetch refuses TRACE.
 */
function rawRequest(
  url: string,
  rawPath: string,
  method = 'GET',
): Promise<{ status: number; text: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = httpRequest({ hostname, port, path: rawPath, method }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'dokal-e2e-'));
  storageDir = path.join(scratch, 'storage');
  await mkdir(path.join(storageDir, 'avatars', 'someone'), { recursive: true });
  await writeFile(path.join(storageDir, 'avatars', 'someone', 'face.png'), PNG);
  await writeFile(path.join(storageDir, 'avatars', 'someone', 'face.webp'), 'RIFF....WEBP');
  await writeFile(path.join(scratch, 'secret.txt'), SECRET);
  gateway = await startTestGateway(storageDir, { echo: 'tests/e2e/fixtures/echo-app.ts' });
  token = await newUserToken(gateway.url);
});

afterAll(async () => {
  if (gateway) {
    await gateway.stop();
    expect(() => process.kill(gateway.pid, 0), 'no Deno process is left behind').toThrow();
  }
  await rm(scratch, { recursive: true, force: true });
});

describe('gateway: functions', () => {
  it('serves a function at its Supabase address and at the contract address', async () => {
    const supabase = await fetchJson(`${gateway.url}/functions/v1/settings`, {
      headers: bearer(token),
    });
    const contract = await fetchJson(`${gateway.url}/api/v1/settings`, { headers: bearer(token) });
    expect(supabase.status).toBe(200);
    expect(supabase.body).toEqual(DEFAULT_SETTINGS);
    expect(contract.status).toBe(200);
    expect(contract.body).toEqual(DEFAULT_SETTINGS);
  });

  it('forwards the method, body and query string to the function', async () => {
    const own = await newUserToken(gateway.url);
    const patched = await fetchJson(`${gateway.url}/api/v1/settings?_t=1`, {
      method: 'PATCH',
      headers: { ...bearer(own), 'content-type': 'application/json' },
      body: JSON.stringify({ locale: 'he' }),
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toEqual({ ...DEFAULT_SETTINGS, locale: 'he' });
    const read = await fetchJson(`${gateway.url}/functions/v1/settings?_t=2`, {
      headers: bearer(own),
    });
    expect(read.body).toEqual({ ...DEFAULT_SETTINGS, locale: 'he' });
  });

  it.each(['/functions/v1', '/api/v1'])(
    'hands %s/<group>/... to the app as /<group>/...',
    async (prefix) => {
      const res = await fetchJson(`${gateway.url}${prefix}/echo/a/b?x=1&_t=2`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'x-forwarded-for': '203.0.113.9' },
        body: 'hello',
      });
      expect(res.status).toBe(200);
      // The address the gateway received the request from is appended, as a proxy does: the
      // client's own entry stays in front, where TRUSTED_PROXY_HOPS=1 ignores it.
      expect(res.body).toEqual({
        method: 'POST',
        path: '/echo/a/b',
        query: { x: '1', _t: '2' },
        forwardedFor: '203.0.113.9, 127.0.0.1',
        body: 'hello',
      });
    },
  );

  it('answers 401 in the contract shape without a token', async () => {
    const res = await fetchJson(`${gateway.url}/functions/v1/settings`);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'unauthorized', details: {} });
    expect(res.body.error.message).toEqual(expect.any(String));
  });

  it('answers 401 to a token signed by another key', async () => {
    const email = `e2e-${crypto.randomUUID()}@test.dokal.local`;
    const sub = await ensureUser(db, { email });
    const forged = await mintAccessToken(await createSigningKeys(), {
      sub,
      email,
      issuer: `${gateway.url}/auth/v1`,
    });
    const res = await fetchJson(`${gateway.url}/api/v1/settings`, { headers: bearer(forged) });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it.each(['/functions/v1/settings', '/api/v1/settings'])(
    'answers the preflight of an authenticated request on %s',
    async (route) => {
      const res = await fetchJson(`${gateway.url}${route}`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:3000',
          'access-control-request-method': 'PATCH',
          'access-control-request-headers': 'authorization, content-type, x-client-app',
        },
      });
      expect(res.status).toBe(204);
      const allowed = res.headers.get('access-control-allow-headers')!.toLowerCase().split(',');
      expect(allowed).toEqual(
        expect.arrayContaining(['authorization', 'content-type', 'x-client-app']),
      );
      expect(res.headers.get('access-control-allow-methods')).toContain('PATCH');
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    },
  );
});

describe('gateway: its own routes', () => {
  it('serves the JWKS that verifies the tokens', async () => {
    const res = await fetchJson(`${gateway.url}/auth/v1/.well-known/jwks.json`, {
      headers: { origin: 'http://localhost:3000' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(jwksOf(inject('keys')));
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const { payload } = await jwtVerify(
      token,
      createRemoteJWKSet(new URL(`${gateway.url}/auth/v1/.well-known/jwks.json`)),
    );
    expect(payload.aud).toBe('authenticated');
  });

  it('answers a preflight on a gateway route', async () => {
    const res = await fetchJson(`${gateway.url}/openapi.json`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'x-client-app',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-headers')).toContain('X-Client-App');
  });

  it('merges every function into one OpenAPI document at the Supabase addresses', async () => {
    const res = await fetchJson(`${gateway.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths['/functions/v1/settings']).sort()).toEqual(['get', 'patch']);
    expect(Object.keys(res.body.paths).every((p) => p.startsWith('/functions/v1/'))).toBe(true);
    expect(res.body.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
  });

  it('serves the interactive documentation from the installed swagger-ui-dist, offline', async () => {
    const res = await fetchJson(`${gateway.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain('SwaggerUIBundle');
    expect(res.text).toContain('url: "/openapi.json"');
    expect(res.text).not.toMatch(/https?:|\/\/[a-z]/i);

    const assets = [...res.text.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(assets.sort()).toEqual([
      '/docs/favicon-32x32.png',
      '/docs/swagger-ui-bundle.js',
      '/docs/swagger-ui.css',
    ]);
    for (const asset of assets) {
      const file = await fetch(new URL(asset, gateway.url));
      expect(file.status, asset).toBe(200);
      const body = await file.text();
      expect(body.length, asset).toBeGreaterThan(0);
      if (asset.endsWith('.js')) {
        expect(body).toContain(`PACKAGE_VERSION:"${lockedVersion('swagger-ui-dist')}"`);
      }
    }
  });

  it('answers 404 for a docs file it does not serve', async () => {
    const res = await fetchJson(`${gateway.url}/docs/swagger-initializer.js`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it.each([
    ['face.png', 'image/png'],
    ['face.webp', 'image/webp'],
  ])('serves the public storage object %s as %s', async (file, type) => {
    const res = await fetch(`${gateway.url}/storage/v1/object/public/avatars/someone/${file}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    if (file === 'face.png') expect(new Uint8Array(await res.arrayBuffer())).toEqual(PNG);
  });

  it.each([
    '/storage/v1/object/public/avatars/someone/missing.png',
    '/storage/v1/object/public/avatars/someone',
    '/storage/v1/object/public/avatars',
  ])('answers 404 for %s, which is no object', async (route) => {
    const res = await fetchJson(`${gateway.url}${route}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it.each([
    '/storage/v1/object/public/avatars/../../secret.txt',
    '/storage/v1/object/public/avatars/..%2F..%2Fsecret.txt',
    '/storage/v1/object/public/..%2Fsecret.txt',
    '/storage/v1/object/public/avatars/%2e%2e/%2e%2e/secret.txt',
    '/storage/v1/object/public/avatars/someone/..%5C..%5C..%5Csecret.txt',
    '/storage/v1/object/public/avatars/%2Fetc%2Fpasswd',
  ])('refuses the traversal %s', async (rawPath) => {
    const res = await rawRequest(gateway.url, rawPath);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain(SECRET);
    expect(JSON.parse(res.text).error.code).toBe('not_found');
  });

  it('refuses a traversal to a file the gateway may read', async () => {
    // The gateway may read the functions' code; an encoded `/` must not lead there from a bucket.
    const target = path.relative(
      path.join(storageDir, 'avatars'),
      path.join(ROOT, 'functions/settings/app.ts'),
    );
    const res = await rawRequest(
      gateway.url,
      `/storage/v1/object/public/avatars/${target.split('/').join('%2F')}`,
    );
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('createApp');
  });

  it.each([
    ['TRACE', '/functions/v1/settings', 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS'],
    ['FOO', '/api/v1/settings', 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS'],
    ['TRACE', '/docs', 'GET, HEAD, OPTIONS'],
    ['POST', '/openapi.json', 'GET, HEAD, OPTIONS'],
    ['DELETE', '/storage/v1/object/public/avatars/someone/face.png', 'GET, HEAD, OPTIONS'],
    ['PROPFIND', '/auth/v1/.well-known/jwks.json', 'GET, HEAD, OPTIONS'],
  ])('answers %s %s with 405 in the contract shape, allowing %s', async (method, route, allow) => {
    const res = await rawRequest(gateway.url, route, method);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(JSON.parse(res.text)).toEqual({
      error: { code: 'method_not_allowed', message: expect.stringContaining(method), details: {} },
    });
  });

  it('answers HEAD on its own routes like GET, without a body', async () => {
    const res = await rawRequest(gateway.url, '/openapi.json', 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.text).toBe('');
  });

  it.each([
    '/nope',
    '/functions/v1/no-such-function',
    '/api/v1/no-such-function/x',
    '/functions/v1/settings/nope',
  ])(
    'answers 404 in the contract shape for %s',
    async (route) => {
      const res = await fetchJson(`${gateway.url}${route}`, { headers: bearer(token) });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        error: { code: 'not_found', message: expect.any(String), details: {} },
      });
    },
  );
});
