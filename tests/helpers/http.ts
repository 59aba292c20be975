import { expectDocumentedResponse } from './openapi-conformance.ts';

interface Fetchable {
  request(input: string, init?: RequestInit): Response | Promise<Response>;
}

export interface CallOptions {
  token?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
}

// deno-lint-ignore no-explicit-any -- tests read the body they expect field by field
export interface CallResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * Sends a real HTTP request to an app in-process and decodes the JSON answer, which must match
 * the app's OpenAPI document.
 */
// deno-lint-ignore no-explicit-any -- as CallResult
export async function call<T = any>(
  app: Fetchable,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<CallResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(options.json);
  }
  const res = await app.request(path, { method, headers, body });
  const text = await res.text();
  const decoded = text ? JSON.parse(text) : undefined;
  await expectDocumentedResponse(app, method, path, res, decoded);
  return { status: res.status, body: decoded, headers: res.headers };
}
