// deno-lint-ignore no-explicit-any -- tests read the body they expect field by field
export interface HttpResult<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

/** One request over the network; the body is decoded when it is JSON. */
// deno-lint-ignore no-explicit-any -- as HttpResult
export async function fetchJson<T = any>(
  url: string,
  init: RequestInit = {},
): Promise<HttpResult<T>> {
  const res = await fetch(url, init);
  const text = await res.text();
  const isJson = res.headers.get('content-type')?.includes('application/json');
  return {
    status: res.status,
    body: isJson && text ? JSON.parse(text) : undefined,
    text,
    headers: res.headers,
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
