import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
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

type Schema = Record<string, unknown>;

interface Operation {
  parameters?: { name: string; in: string; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties: Record<string, Schema> }> };
}

const documents = new Map<string, Document>();
for (const [group, app] of apps) {
  documents.set(
    group,
    await (await app.fetch(new Request(`http://app/${group}/openapi.json`))).json(),
  );
}

/**
 * Whether the document lets a field of a JSON request body, or a query parameter, take `value`;
 * query parameters arrive as text, so `limit=5` is the integer its schema declares.
 */
function accepts(method: string, path: string, field: string, value: unknown): boolean {
  const operation = documents.get(path.split('/')[1])?.paths[path]?.[method];
  const param = operation?.parameters?.find((p) => p.in === 'query' && p.name === field);
  const schema = param?.schema ?? fieldSchema(method, path, field);
  return (param ? coercing : ajv).validate(schema, value);
}

/** The schema the document gives a field of a JSON request body. */
function fieldSchema(method: string, path: string, field: string): Schema {
  const operation = documents.get(path.split('/')[1])?.paths[path]?.[method];
  const properties = operation?.requestBody?.content['application/json'].schema.properties;
  const schema = (properties as Record<string, Schema> | undefined)?.[field];
  if (!schema) throw new Error(`${method.toUpperCase()} ${path} documents no field ${field}`);
  return schema;
}

const [ajv, coercing] = [false, true].map((coerceTypes) => {
  const validator = new Ajv2020({ strict: false, coerceTypes });
  addFormats.default(validator);
  return validator;
});

/** The branch of a field's schema that describes its values, beside `""` and null. */
const valueBranch = (schema: Schema) =>
  (schema.anyOf as Schema[]).find((b) =>
    b.type === 'string' && !('enum' in b) && b.pattern !== '^\\s*$'
  );

describe('OpenAPI documents, of the fields a form fills', () => {
  // client-compat: for an optional text or date field, "" means null (blank form fields).
  const takingBlank: Array<[method: string, path: string, fields: string[]]> = [
    ['patch', '/profile', ['first_name', 'last_name', 'phone', 'city', 'date_of_birth', 'sex']],
    ['post', '/relatives', ['date_of_birth', 'kupat_holim', 'insurance_provider']],
    ['patch', '/crm/profile', [
      'first_name',
      'last_name',
      'specialty_id',
      'about',
      'education',
      'phone',
      'email',
      'address_line',
      'street_number',
      'zip_code',
      'city',
      'latitude',
      'longitude',
      'price_min_agorot',
      'price_max_agorot',
      'sector',
      'years_of_experience',
    ]],
    ['post', '/crm/overrides', ['reason']],
    ['post', '/crm/reasons', ['label_fr', 'label_he']],
    ['patch', '/crm/reasons/{id}', ['label_fr', 'label_he']],
    ['get', '/practitioners/search', ['q', 'specialty', 'city', 'lat', 'lng', 'limit']],
    ['get', '/practitioners/{id}/slots', ['from', 'to']],
    ['get', '/practitioners/{id}/reviews', ['limit', 'offset']],
    ['get', '/crm/appointments', ['date', 'from', 'to', 'status', 'limit', 'offset']],
    ['patch', '/crm/appointments/{id}/cancel', ['cancellation_reason']],
    ['patch', '/crm/appointments/{id}/complete', ['practitioner_notes']],
    ['get', '/conversations', ['practitioner_id']],
    ['post', '/conversations', ['content']],
    ['get', '/conversations/{id}/messages', ['limit', 'before', 'before_id', 'practitioner_id']],
    ['patch', '/conversations/{id}/read', ['practitioner_id']],
  ];

  it.each(takingBlank)(
    '%s %s: "" is accepted wherever the API takes it',
    (method, path, fields) => {
      for (const field of fields) expect(accepts(method, path, field, ''), field).toBe(true);
    },
  );

  it.each([['patch', '/profile'], ['patch', '/crm/profile']])(
    '%s %s: a phone number has its pattern and length',
    (method, path) => {
      expect(valueBranch(fieldSchema(method, path, 'phone'))).toMatchObject({
        pattern: expect.any(String),
        minLength: 7,
        maxLength: 32,
      });
      for (const good of ['+972-50-1234567', '050 123 4567', '(03) 555-0100', null, '']) {
        expect(accepts(method, path, 'phone', good), String(good)).toBe(true);
      }
      for (const bad of ['call me', '123456', '1'.repeat(33), '050/1234567', '050+1234567']) {
        expect(accepts(method, path, 'phone', bad), bad).toBe(false);
      }
    },
  );

  it('an email address has its format', () => {
    expect(valueBranch(fieldSchema('patch', '/crm/profile', 'email'))).toMatchObject({
      format: 'email',
      maxLength: 254,
    });
    for (const good of ['dr@clinic.example', 'dr.levi+crm@clinic-tlv.example.co.il', null, '']) {
      expect(accepts('patch', '/crm/profile', 'email', good), String(good)).toBe(true);
    }
    for (
      const bad of ['not-an-email', 'dr@clinic', 'dr levi@clinic.example', 'dr@@clinic.example']
    ) {
      expect(accepts('patch', '/crm/profile', 'email', bad), bad).toBe(false);
    }
  });

  it('kupat holim is taken in any case, and answered lowercase', () => {
    for (const good of ['clalit', 'MACCABI', 'Meuhedet', ' leumit ', 'OTHER', null, '']) {
      expect(accepts('post', '/relatives', 'kupat_holim', good), String(good)).toBe(true);
    }
    for (const bad of ['kaiser', 'clalit maccabi', 1]) {
      expect(accepts('post', '/relatives', 'kupat_holim', bad), String(bad)).toBe(false);
    }
    const { schemas } = (documents.get('relatives') as Document).components;
    expect(schemas.Relative.properties.kupat_holim).toEqual({
      type: ['string', 'null'],
      enum: ['clalit', 'maccabi', 'meuhedet', 'leumit', 'other', null],
    });
  });
});
