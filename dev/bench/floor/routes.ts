import { createRoute, z } from '@hono/zod-openapi';
import { bearer, errorResponses, jsonContent } from '../../../shared/http/openapi.ts';

const ok = jsonContent(z.object({ ok: z.literal(true) }), 'Done');

export const floor = createRoute({
  method: 'get',
  path: '/floor',
  summary: 'Benchmark floor: the shared middleware and one user transaction running `select 1`',
  security: bearer,
  responses: { 200: ok, ...errorResponses(401, 429) },
});

export const queries = createRoute({
  method: 'get',
  path: '/queries',
  summary: 'Statements and socket writes (round trips) this gateway process has sent to Postgres',
  security: bearer,
  responses: {
    200: jsonContent(
      z.object({ statements: z.number().int(), writes: z.number().int() }),
      'The counters',
    ),
    ...errorResponses(401, 429),
  },
});

export const startProfile = createRoute({
  method: 'post',
  path: '/cpu-profile/start',
  summary: "Starts V8's CPU profiler in this gateway process",
  security: bearer,
  responses: { 200: ok, ...errorResponses(401, 409, 429) },
});

export const stopProfile = createRoute({
  method: 'post',
  path: '/cpu-profile/stop',
  summary: 'Stops the CPU profiler and returns the profile (the `.cpuprofile` format)',
  security: bearer,
  responses: {
    200: jsonContent(
      z.looseObject({ nodes: z.array(z.unknown()), startTime: z.number(), endTime: z.number() }),
      'The profile',
    ),
    ...errorResponses(401, 404, 429),
  },
});
