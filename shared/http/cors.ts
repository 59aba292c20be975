import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { config } from '../config.ts';

/**
 * The one CORS policy: every function and the local gateway answer the clients' preflights
 * (including those of authenticated requests) the same way.
 */
export function apiCors(): MiddlewareHandler {
  const origins = config().corsOrigins;
  return cors({
    origin: origins.includes('*') ? '*' : origins,
    allowHeaders: ['Authorization', 'Content-Type', 'X-Client-App', 'apikey', 'x-client-info'],
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    exposeHeaders: [
      'X-Request-Id',
      'Retry-After',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
    ],
    maxAge: 86400,
  });
}
