import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './env.ts';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * For routes whose JSON body may be left out (declared with `required: false`): an empty body
 * counts as `{}`, also when it comes with `Content-Type: application/json`, which the route's
 * JSON validator would otherwise refuse as malformed JSON. (Without a content type and without
 * a body, the validator takes `{}` by itself; any other content type stays a 415.) Runs as a
 * route middleware, before the validators.
 */
export const emptyBodyAsEmptyObject = createMiddleware<AppEnv>(async (c, next) => {
  const mediaType = c.req.header('content-type')?.split(';')[0].trim() ?? '';
  if (JSON_MEDIA_TYPE.test(mediaType) && (await c.req.text()).trim() === '') {
    c.req.raw = new Request(c.req.raw.url, {
      method: c.req.method,
      headers: c.req.raw.headers,
      body: '{}',
    });
    c.req.bodyCache = {};
  }
  await next();
});
