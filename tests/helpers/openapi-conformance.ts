import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

interface Fetchable {
  request(input: string, init?: RequestInit): Response | Promise<Response>;
}

interface Operation {
  responses?: Record<string, { content?: Record<string, unknown> }>;
}

interface Document {
  paths: Record<string, Record<string, Operation>>;
}

/** A document's operations, each with the regular expression of its path and its validators. */
interface Conformance {
  operations: { method: string; path: string; pattern: RegExp; operation: Operation }[];
  ajv: Ajv2020;
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
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(doc, DOCUMENT_ID);
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
  return { operations, ajv };
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
  const url = new URL(path, 'http://app');
  const group = url.pathname.split('/')[1];
  if (!documents.has(app)) documents.set(app, loadConformance(app, group));
  const conformance = await documents.get(app);
  // The document is no operation of itself.
  const found = url.pathname !== `/${group}/openapi.json` &&
    conformance?.operations.find((o) =>
      o.method === method.toLowerCase() && o.pattern.test(url.pathname)
    );
  if (!conformance || !found) return;
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
