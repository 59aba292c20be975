import type { MiddlewareHandler } from 'hono';
import type { FunctionApp } from './function-apps.ts';
import { methodNotAllowed } from './method-not-allowed.ts';

// `/functions/v1/<group>/...` is Supabase's address; `/api/v1/<group>/...` is the contract's.
const FUNCTION_PATH = /^\/(?:functions|api)\/v1\/([^/]+)(\/.*)?$/;

// What the functions' routes use, with HEAD and OPTIONS (CORS). Others are refused here: a Request
// cannot even be built for TRACE or CONNECT, and no function answers them.
const FORWARDED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

interface ServeInfo {
  remoteAddr?: { hostname?: string };
}

/**
 * Hands a request to its function the way Supabase's edge runtime does: the function sees
 * `/<group>/...`. The address it received the request from is appended to `x-forwarded-for`,
 * as a proxy does (the client's own entries stay in front), so the functions apply the same
 * trusted-hop rule locally as deployed (`TRUSTED_PROXY_HOPS`).
 */
export function forwardToFunctions(apps: Map<string, FunctionApp>): MiddlewareHandler {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const match = FUNCTION_PATH.exec(url.pathname);
    const app = match && apps.get(match[1]);
    if (!match || !app) return await next();
    if (!FORWARDED_METHODS.includes(c.req.method)) {
      throw methodNotAllowed(c.req.method, FORWARDED_METHODS);
    }
    url.pathname = `/${match[1]}${match[2] ?? ''}`;
    const raw = c.req.raw;
    // A fresh init rather than `new Request(url, raw)`: copying `raw.signal` makes Deno warn
    // about its legacy abort behaviour on every request.
    const request = new Request(url, {
      method: raw.method,
      headers: raw.headers,
      body: raw.body,
      redirect: raw.redirect,
      duplex: 'half',
    } as RequestInit);
    const client = (c.env as ServeInfo | undefined)?.remoteAddr?.hostname;
    if (client) {
      const sent = raw.headers.get('x-forwarded-for');
      request.headers.set('x-forwarded-for', sent ? `${sent}, ${client}` : client);
    }
    return await app.fetch(request, c.env);
  };
}
