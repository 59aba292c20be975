import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { routePath } from 'hono/route';
import { secureHeaders } from 'hono/secure-headers';
import { config } from '../config.ts';
import { apiCors } from './cors.ts';
import type { AppEnv } from './env.ts';
import { notFound, payloadTooLarge } from './errors.ts';
import { handleError } from './handle-error.ts';
import { log } from './logger.ts';
import { limitByAddress } from './rate-limit.ts';
import { authenticate } from '../auth/middleware.ts';
import { requireServiceSecret } from '../auth/service-secret.ts';
import { createRouter } from './create-router.ts';

export interface AppOptions {
  /**
   * `user`: every route needs a signed-in user, except `publicPaths`. `public`: nobody signs in.
   * Both are rate limited, per user or per client address. `service`: no user, only callers
   * holding the service secret (pg_cron's jobs); a refused one is counted per client address.
   */
  auth: 'user' | 'public' | 'service';
  publicPaths?: string[];
  /** With `auth: 'public'`: the paths that need a signed-in user all the same. */
  signedInPaths?: string[];
  /**
   * Larger body limits for named paths: the full path, e.g. `/profile/avatar`, where `:name`
   * stands for any one segment (`/relatives/:id/avatar`).
   */
  bodyLimits?: Record<string, number>;
}

const tooLarge = (): never => {
  throw payloadTooLarge();
};

const SEGMENT_PARAM = /:[^/]+/g;

function limitBodies(defaultMax: number, overrides: Record<string, number>): MiddlewareHandler {
  const fallback = bodyLimit({ maxSize: defaultMax, onError: tooLarge });
  const limit = (max: number) => bodyLimit({ maxSize: max, onError: tooLarge });
  const entries = Object.entries(overrides);
  const byPath = new Map(
    entries.filter(([path]) => !path.includes(':')).map(([path, max]) => [path, limit(max)]),
  );
  const byPattern = entries.filter(([path]) => path.includes(':')).map(([path, max]) =>
    [new RegExp(`^${path.replace(SEGMENT_PARAM, '[^/]+')}$`), limit(max)] as const
  );
  return (c, next) => {
    const path = c.req.path;
    const chosen = byPath.get(path) ?? byPattern.find(([pattern]) => pattern.test(path))?.[1];
    return (chosen ?? fallback)(c, next);
  };
}

const requestLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = performance.now();
  await next();
  log('info', 'request', {
    request_id: c.get('requestId'),
    method: c.req.method,
    route: routePath(c),
    status: c.res.status,
    duration_ms: Math.round((performance.now() - started) * 10) / 10,
    user_id: c.get('user')?.id,
  });
};

/**
 * The Hono app of one API group, served at `/<group>`: the group name is the Edge Function's
 * name, so `<SUPABASE_URL>/functions/v1/<group>/...` reaches it.
 */
export function createApp(group: string, options: AppOptions) {
  const c = config();
  const app = createRouter().basePath(`/${group}`);

  app.use(
    '*',
    requestId(),
    requestLog,
    apiCors(),
    secureHeaders(),
    limitBodies(c.maxBodyBytes, options.bodyLimits ?? {}),
  );

  const docPath = `/${group}/openapi.json`;
  const anonymous = new Set((options.publicPaths ?? []).map((p) => `/${group}${p}`));
  const signedInOnly = new Set((options.signedInPaths ?? []).map((p) => `/${group}${p}`));
  // Every request but the document is counted: signed-in ones per user, with the role lookup in
  // the same statement; the others per client address.
  app.use('*', (ctx, next) => {
    if (ctx.req.path === docPath) return next();
    if (options.auth === 'service') return requireServiceSecret(ctx, next);
    const signedIn = options.auth === 'user'
      ? !anonymous.has(ctx.req.path)
      : signedInOnly.has(ctx.req.path);
    return signedIn ? authenticate(ctx, next) : limitByAddress(ctx, next);
  });

  if (options.auth === 'service') {
    app.openAPIRegistry.registerComponent('securitySchemes', 'serviceSecret', {
      type: 'http',
      scheme: 'bearer',
      description: 'The service secret (SERVICE_SECRET)',
    });
    app.openAPIRegistry.registerComponent('securitySchemes', 'serviceApiKey', {
      type: 'apiKey',
      in: 'header',
      name: 'apikey',
      description: 'The service secret (SERVICE_SECRET)',
    });
  } else {
    app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
  }
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: `Dokal API: ${group}`, version: '1.0.0' },
  });

  app.notFound((ctx) => handleError(notFound('This address does not exist.'), ctx));
  app.onError(handleError);
  return app;
}

export type App = ReturnType<typeof createApp>;
