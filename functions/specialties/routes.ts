import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses, jsonContent } from '../../shared/http/openapi.ts';
import { specialtySchema } from './schemas.ts';

const cacheHeaders = {
  ETag: { schema: { type: 'string' as const }, description: 'The entity tag of the list' },
  'Cache-Control': {
    schema: { type: 'string' as const },
    description: 'How long the list may be kept',
  },
};

export const listSpecialties = createRoute({
  method: 'get',
  path: '/',
  summary: 'Every specialty, with its name in each language',
  description: 'Public. Cacheable: the answer carries `Cache-Control` and an `ETag`; a request ' +
    'whose `If-None-Match` names the current tag is answered 304 without a body. Query ' +
    'parameters are ignored.',
  request: {
    headers: z.object({
      'if-none-match': z.string().optional().openapi({
        description: 'Entity tags of a list already held: 304 when one is current',
      }),
    }),
  },
  responses: {
    200: { ...jsonContent(z.array(specialtySchema), 'The specialties'), headers: cacheHeaders },
    304: { description: 'The list held is current', headers: cacheHeaders },
    ...errorResponses(429),
  },
});
