import { type Handler, Hono } from 'hono';
import { config } from '../../shared/config.ts';
import { apiCors } from '../../shared/http/cors.ts';
import { notFound } from '../../shared/http/errors.ts';
import { handleError } from '../../shared/http/handle-error.ts';
import { swaggerUi } from './docs.ts';
import { forwardToFunctions } from './forward.ts';
import type { FunctionApp } from './function-apps.ts';
import { methodNotAllowed } from './method-not-allowed.ts';
import { mergedOpenApi } from './openapi.ts';
import { servePublicObject } from './public-objects.ts';

// The gateway's own routes only read; HEAD is answered by the GET handler, OPTIONS by CORS.
const READ_METHODS = ['GET', 'HEAD', 'OPTIONS'];

/**
 * The local stand-in for Supabase's API gateway: the functions at their Supabase and contract
 * addresses, the Auth JWKS, public Storage objects, and the merged API documentation. Built
 * before it listens, so a function whose OpenAPI clashes with another's stops the start.
 */
export async function createGateway(apps: Map<string, FunctionApp>) {
  const c = config();
  const openapi = await mergedOpenApi(apps);
  const docs = await swaggerUi('/openapi.json');
  const gateway = new Hono();
  // Functions answer CORS themselves, so the gateway's own policy covers only its own routes.
  gateway.use('*', forwardToFunctions(apps), apiCors());

  const routes: Array<[string, Handler]> = [
    ['/auth/v1/.well-known/jwks.json', (ctx) => {
      if (!c.jwks) throw notFound('No signing keys are configured.');
      return ctx.json(JSON.parse(c.jwks));
    }],
    ['/openapi.json', (ctx) => ctx.json(openapi)],
    ['/docs', docs.page],
    ['/docs/:asset', docs.asset],
    ['/storage/v1/object/public/*', servePublicObject(c.localStorageDir)],
  ];
  for (const [path, handler] of routes) {
    gateway.get(path, handler);
    gateway.all(path, (ctx) => {
      throw methodNotAllowed(ctx.req.method, READ_METHODS);
    });
  }

  gateway.notFound((ctx) => handleError(notFound('This address does not exist.'), ctx));
  gateway.onError(handleError);
  return gateway;
}
