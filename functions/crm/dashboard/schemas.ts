import { z } from '@hono/zod-openapi';
import { checkPeriod, periodParams } from '../../../shared/schemas/date-range.ts';
import { actingQuery } from '../schemas.ts';

const count = (description: string) => z.int().min(0).openapi({ description });

export const dashboardStatsSchema = z
  .object({
    pending: count('Waiting for the practitioner'),
    confirmed: count('Confirmed, not completed yet'),
    cancelled: count('Cancelled by the patient or by the practitioner'),
    completed: count('Completed'),
    no_show: count('The patient did not come'),
  })
  .openapi('CrmDashboardStats');

export const statsQuerySchema = actingQuery.extend(periodParams).superRefine(checkPeriod);

export type DashboardStats = z.infer<typeof dashboardStatsSchema>;
