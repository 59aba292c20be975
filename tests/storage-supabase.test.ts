import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../shared/http/errors.ts';
import { supabaseStorage } from '../shared/storage/supabase-storage.ts';
import { freePort } from '../dev/lib/free-port.ts';
import { jpeg, png } from './helpers/images.ts';

const KEY = 'service-role-key-for-tests';
const PUBLIC_BASE = 'https://cdn.test.dokal.local';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A stand-in for Supabase Storage that behaves like its REST API: it checks the service key,
 * keeps uploaded objects, refuses to overwrite without `x-upsert`, deletes by `prefixes`, and
 * records every request for the assertions.
 */
function fakeStorage() {
  const received: Received[] = [];
  const objects = new Map<string, Buffer>();
  let override: ((res: ServerResponse) => void) | undefined;

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = {
      method: req.method!,
      url: req.url!,
      headers: req.headers,
      body: Buffer.concat(chunks),
    };
    received.push(request);
    if (override) return override(res);
    if (req.headers.authorization !== `Bearer ${KEY}` || req.headers.apikey !== KEY) {
      return json(res, 400, {
        statusCode: '403',
        error: 'Unauthorized',
        message: 'Invalid Compact JWS',
      });
    }
    const upload = /^\/storage\/v1\/object\/([^/]+)\/(.+)$/.exec(request.url);
    if (request.method === 'POST' && upload) {
      const key = `${upload[1]}/${upload[2]}`;
      if (objects.has(key) && req.headers['x-upsert'] !== 'true') {
        return json(res, 400, {
          statusCode: '409',
          error: 'Duplicate',
          message: 'The resource already exists',
        });
      }
      objects.set(key, request.body);
      return json(res, 200, { Key: key, Id: crypto.randomUUID() });
    }
    const bucket = /^\/storage\/v1\/object\/([^/]+)$/.exec(request.url);
    if (request.method === 'DELETE' && bucket) {
      const { prefixes } = JSON.parse(request.body.toString()) as { prefixes: string[] };
      const deleted = prefixes.filter((p) => objects.delete(`${bucket[1]}/${p}`));
      return json(res, 200, deleted.map((name) => ({ name, bucket_id: bucket[1] })));
    }
    json(res, 400, { statusCode: '404', error: 'not_found', message: 'Route not found' });
  }

  const server = createServer((req, res) => void handle(req, res));
  return {
    received,
    objects,
    answerWith(fn: ((res: ServerResponse) => void) | undefined) {
      override = fn;
    },
    async start(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const fake = fakeStorage();
let url: string;

beforeAll(async () => {
  url = await fake.start();
});
afterEach(() => {
  fake.received.length = 0;
  fake.objects.clear();
  fake.answerWith(undefined);
});
afterAll(async () => {
  await fake.stop();
});

const storage = (overrides: { url?: string; serviceRoleKey?: string; timeoutMs?: number } = {}) =>
  supabaseStorage({ url, serviceRoleKey: KEY, publicBaseUrl: PUBLIC_BASE, ...overrides });

async function expectCleanFailure(promise: Promise<unknown>, leaked: string[] = []) {
  const failure: ApiError = await promise.then(
    () => expect.fail('the storage call should have failed'),
    (e) => e,
  );
  expect(failure).toBeInstanceOf(ApiError);
  expect(failure.status).toBe(503);
  expect(failure.toBody()).toEqual({
    error: {
      code: 'service_unavailable',
      message: expect.stringMatching(/try again/),
      details: {},
    },
  });
  for (const text of leaked) expect(JSON.stringify(failure.toBody())).not.toContain(text);
}

describe('Supabase Storage adapter', () => {
  it('uploads with the documented request and returns the public URL', async () => {
    const bytes = png();
    const publicUrl = await storage().put('avatars', 'user-1/pic.png', bytes, 'image/png');
    expect(publicUrl).toBe(`${PUBLIC_BASE}/storage/v1/object/public/avatars/user-1/pic.png`);
    expect(fake.received).toHaveLength(1);
    const [request] = fake.received;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/storage/v1/object/avatars/user-1/pic.png');
    expect(request.headers).toMatchObject({
      authorization: `Bearer ${KEY}`,
      apikey: KEY,
      'content-type': 'image/png',
      'x-upsert': 'false',
      'cache-control': 'max-age=31536000',
      'content-length': String(bytes.length),
    });
    expect(new Uint8Array(request.body)).toEqual(bytes);
    expect(fake.objects.get('avatars/user-1/pic.png')).toEqual(Buffer.from(bytes));
  });

  it('deletes with one DELETE on the bucket carrying the keys as prefixes', async () => {
    const s = storage();
    await s.put('avatars', 'user-1/a.png', png(), 'image/png');
    await s.put('avatars', 'user-1/b.jpg', jpeg(), 'image/jpeg');
    await s.put('avatars', 'user-2/c.png', png(), 'image/png');
    fake.received.length = 0;
    await s.remove('avatars', ['user-1/a.png', 'user-1/b.jpg', 'user-1/gone.png']);
    expect(fake.received).toHaveLength(1);
    const [request] = fake.received;
    expect(request.method).toBe('DELETE');
    expect(request.url).toBe('/storage/v1/object/avatars');
    expect(request.headers).toMatchObject({
      authorization: `Bearer ${KEY}`,
      apikey: KEY,
      'content-type': 'application/json',
    });
    expect(JSON.parse(request.body.toString())).toEqual({
      prefixes: ['user-1/a.png', 'user-1/b.jpg', 'user-1/gone.png'],
    });
    expect([...fake.objects.keys()]).toEqual(['avatars/user-2/c.png']);
  });

  it('sends nothing when there is nothing to delete', async () => {
    await storage().remove('avatars', []);
    expect(fake.received).toEqual([]);
  });

  it('accepts a project URL written with a trailing slash', async () => {
    await storage({ url: `${url}/` }).put('avatars', 'user-1/pic.png', png(), 'image/png');
    expect(fake.received[0].url).toBe('/storage/v1/object/avatars/user-1/pic.png');
  });

  it('never overwrites: a duplicate key is a clean 503 without Storage’s own words', async () => {
    const s = storage();
    await s.put('avatars', 'user-1/pic.png', png(), 'image/png');
    await expectCleanFailure(s.put('avatars', 'user-1/pic.png', jpeg(), 'image/jpeg'), [
      'Duplicate',
      'exists',
    ]);
    expect(fake.objects.get('avatars/user-1/pic.png')).toEqual(Buffer.from(png()));
  });

  it('turns a refused key into a clean 503', async () => {
    await expectCleanFailure(
      storage({ serviceRoleKey: 'wrong' }).put('avatars', 'u/p.png', png(), 'image/png'),
      [
        'JWS',
        'wrong',
      ],
    );
  });

  it('turns a failed delete into a clean 503', async () => {
    fake.answerWith((res) =>
      res.writeHead(500, { 'content-type': 'text/plain' }).end('internal detail: bucket db down')
    );
    await expectCleanFailure(storage().remove('avatars', ['u/p.png']), [
      'internal detail',
      'bucket',
    ]);
  });

  it('turns an unreachable service into a clean 503', async () => {
    const closedPort = await freePort();
    await expectCleanFailure(
      storage({ url: `http://127.0.0.1:${closedPort}` }).put(
        'avatars',
        'u/p.png',
        png(),
        'image/png',
      ),
      ['127.0.0.1'],
    );
  });

  it('gives up on a service that does not answer', async () => {
    fake.answerWith(() => {});
    await expectCleanFailure(
      storage({ timeoutMs: 200 }).put('avatars', 'u/p.png', png(), 'image/png'),
    );
  });

  it.each(['../other-bucket/x.png', 'u//p.png', 'u/p%2F.png', '', 'u/../p.png'])(
    'refuses the object key %j without sending anything',
    async (key) => {
      await expect(storage().put('avatars', key, png(), 'image/png')).rejects.toThrow(TypeError);
      await expect(storage().remove('avatars', [key])).rejects.toThrow(TypeError);
      expect(fake.received).toEqual([]);
    },
  );

  it('is the configured storage when LOCAL_STORAGE_DIR is not set', async () => {
    const env = {
      LOCAL_STORAGE_DIR: '',
      SUPABASE_URL: url,
      SUPABASE_SERVICE_ROLE_KEY: KEY,
      PUBLIC_URL: PUBLIC_BASE,
    };
    const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
    Object.assign(process.env, env);
    vi.resetModules();
    try {
      const { configuredStorage } = await import('../shared/storage/configured-storage.ts');
      const publicUrl = await configuredStorage().put(
        'avatars',
        'user-9/pic.png',
        png(),
        'image/png',
      );
      expect(publicUrl).toBe(`${PUBLIC_BASE}/storage/v1/object/public/avatars/user-9/pic.png`);
      expect(fake.objects.has('avatars/user-9/pic.png')).toBe(true);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
