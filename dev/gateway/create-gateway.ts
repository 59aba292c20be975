import { swaggerUI } from '@hono/swagger-ui';
import { Hono } from 'hono';
import { config } from '../../shared/config.ts';
import { apiCors } from '../../shared/http/cors.ts';
import { notFound } from '../../shared/http/errors.ts';
import { handleError } from '../../shared/http/handle-error.ts';
import { forwardToFunctions } from './forward.ts';
import type { FunctionApp } from './function-apps.ts';
import { mergedOpenApi } from './openapi.ts';
import { servePublicObject } from './public-objects.ts';

/**
 * The local stand-in for Supabase's API gateway: the functions at their Supabase and contract
 * addresses, the Auth JWKS, public Storage objects, and the merged API documentation.
 */
export function createGateway(apps: Map<string, FunctionApp>) {
  const c = config();
  const gateway = new Hono();
  // Functions answer CORS themselves, so the gateway's own policy covers only its own routes.
  gateway.use('*', forwardToFunctions(apps), apiCors());

  gateway.get('/auth/v1/.well-known/jwks.json', (ctx) => {
    if (!c.jwks) throw notFound('No signing keys are configured.');
    return ctx.json(JSON.parse(c.jwks));
  });
  gateway.get('/openapi.json', async (ctx) => ctx.json(await mergedOpenApi(apps)));
  gateway.get('/docs', swaggerUI({ url: '/openapi.json', title: 'Dokal API' }));
  gateway.get('/storage/v1/object/public/*', servePublicObject(c.localStorageDir));

  gateway.notFound((ctx) => handleError(notFound('This address does not exist.'), ctx));
  gateway.onError(handleError);
  return gateway;
}
