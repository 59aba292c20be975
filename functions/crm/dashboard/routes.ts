import { createRoute } from '@hono/zod-openapi';
import { errorResponses, jsonContent } from '../../../shared/http/openapi.ts';
import { MAX_PERIOD_DAYS } from '../../../shared/schemas/date-range.ts';
import { crmAccess } from '../access.ts';
import { dashboardStatsSchema, statsQuerySchema } from './schemas.ts';

export const getStats = createRoute({
  method: 'get',
  path: '/stats',
  summary: "The practitioner's appointments of a period, counted by status",
  ...crmAccess,
  description: `${crmAccess.description}\n\n\`from\` and \`to\` are required and included; ` +
    `\`to\` cannot be before \`from\` and is at most ${MAX_PERIOD_DAYS} days after it. ` +
    '`cancelled` counts both cancelled statuses.',
  request: { query: statsQuerySchema },
  responses: {
    200: jsonContent(dashboardStatsSchema, 'Counts by status'),
    ...errorResponses(400, 401, 403, 429),
  },
});
