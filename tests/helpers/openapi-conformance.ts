import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

interface Fetchable {
  request(input: string, init?: RequestInit): Response | Promise<Response>;
}

interface Operation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<string, { content?: Record<string, unknown> }>;
}

interface Document {
  paths: Record<string, Record<string, Operation>>;
}

/** A document's operations, each with the regular expression of its path and its validators. */
interface Conformance {
  operations: { method: string; path: string; pattern: RegExp; operation: Operation }[];
  ajv: Ajv2020;
  /** For query parameters, which arrive as text: `limit=5` is the integer the schema declares. */
  coercing: Ajv2020;
}

const DOCUMENT_ID = 'openapi.json';

// One document per app: every call of a test file checks against the same, fetched once.
const documents = new WeakMap<Fetchable, Promise<Conformance | null>>();

const pointer = (...segments: string[]) =>
  segments.map((s) => s.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

async function loadConformance(app: Fetchable, group: string): Promise<Conformance | null> {
  const res = await app.request(`/${group}/openapi.json`);
  // Apps built only for tests (the benchmark's, the shared library's) may serve no document.
  if (res.status !== 200) return null;
  const doc = await res.json() as Document;
  // OpenAPI 3.1 schemas are JSON Schema 2020-12; strict off for OpenAPI's own keywords (example).
  const [ajv, coercing] = [false, true].map((coerceTypes) => {
    const validator = new Ajv2020({ strict: false, allErrors: true, coerceTypes });
    addFormats.default(validator);
    return validator.addSchema(doc, DOCUMENT_ID);
  });
  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({
      method,
      path,
      pattern: new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`),
      operation,
    }))
  );
  // Literal paths before templated ones, so `/x/reorder` is not taken for `/x/{id}`.
  const params = (path: string) => path.split('{').length;
  operations.sort((a, b) => params(a.path) - params(b.path));
  return { operations, ajv, coercing };
}

async function operationOf(app: Fetchable, method: string, url: URL) {
  const group = url.pathname.split('/')[1];
  if (!documents.has(app)) documents.set(app, loadConformance(app, group));
  const conformance = await documents.get(app);
  // The document is no operation of itself.
  const found = url.pathname !== `/${group}/openapi.json` &&
    conformance?.operations.find((o) =>
      o.method === method.toLowerCase() && o.pattern.test(url.pathname)
    );
  return conformance && found ? { conformance, found } : undefined;
}

/**
 * Throws when a JSON response differs from the schema the app's own OpenAPI document declares
 * for its operation and status: clients generate their types from that document. Responses
 * without a JSON body and paths the document does not know are not checked.
 */
export async function expectDocumentedResponse(
  app: Fetchable,
  method: string,
  path: string,
  res: Response,
  body: unknown,
): Promise<void> {
  if (body === undefined || !res.headers.get('content-type')?.includes('application/json')) return;
  const documented = await operationOf(app, method, new URL(path, 'http://app'));
  if (!documented) return;
  const { conformance, found } = documented;
  const name = `${method.toUpperCase()} ${found.path}`;
  const schemaRef = `${DOCUMENT_ID}#/${
    pointer('paths', found.path, found.method, 'responses', String(res.status))
  }/content/application~1json/schema`;
  if (!found.operation.responses?.[res.status]?.content?.['application/json']) {
    throw new Error(
      `${name} answered ${res.status} with JSON, which its document does not declare`,
    );
  }
  const validate = conformance.ajv.getSchema(schemaRef) as ValidateFunction;
  if (!validate(body)) {
    const errors = conformance.ajv.errorsText(validate.errors, { separator: '\n  ' });
    throw new Error(
      `${name} answered ${res.status} with a body its document does not declare:\n  ${errors}`,
    );
  }
}

/**
 * Where a request differs from what the app's OpenAPI document declares for its operation: the
 * errors of its query parameters and JSON body against their schemas, none when the document
 * accepts it. Tests compare it with what the API does: a client that follows the document must
 * be able to send what the API accepts.
 */
export async function undocumentedRequestParts(
  app: Fetchable,
  method: string,
  path: string,
  json?: unknown,
): Promise<string[]> {
  const url = new URL(path, 'http://app');
  const documented = await operationOf(app, method, url);
  if (!documented) throw new Error(`${method} ${url.pathname} is not in its document`);
  const { conformance, found } = documented;
  const operationRef = `${DOCUMENT_ID}#/${pointer('paths', found.path, found.method)}`;
  const errors: string[] = [];
  const check = (ajv: Ajv2020, ref: string, value: unknown, name: string) => {
    const validate = ajv.getSchema(ref) as ValidateFunction;
    if (!validate(value)) errors.push(ajv.errorsText(validate.errors, { dataVar: name }));
  };
  for (const [name, value] of url.searchParams) {
    const index = (found.operation.parameters ?? [])
      .findIndex((p) => p.in === 'query' && p.name === name);
    // Unknown query parameters are ignored (client-compat).
    if (index >= 0) {
      check(conformance.coercing, `${operationRef}/parameters/${index}/schema`, value, name);
    }
  }
  if (json !== undefined) {
    if (!found.operation.requestBody?.content?.['application/json']) {
      errors.push('the document declares no JSON body');
    } else {
      check(
        conformance.ajv,
        `${operationRef}/requestBody/content/application~1json/schema`,
        json,
        'body',
      );
    }
  }
  return errors;
}
