import { createApp } from '../../shared/http/create-app.ts';
import * as instructions from './instructions/handlers.ts';
import * as instructionRoutes from './instructions/routes.ts';
import * as overrides from './overrides/handlers.ts';
import * as overrideRoutes from './overrides/routes.ts';
import * as profile from './profile/handlers.ts';
import * as profileRoutes from './profile/routes.ts';
import * as reasons from './reasons/handlers.ts';
import * as reasonRoutes from './reasons/routes.ts';
import * as reviews from './reviews/handlers.ts';
import * as reviewRoutes from './reviews/routes.ts';
import * as schedule from './schedule/handlers.ts';
import * as scheduleRoutes from './schedule/routes.ts';

/** The practitioner CRM: every route needs a practitioner, or an admin acting for one. */
export const app = createApp('crm', { auth: 'user' })
  .openapi(scheduleRoutes.listSchedule, schedule.list)
  .openapi(scheduleRoutes.createScheduleRange, schedule.create)
  .openapi(scheduleRoutes.updateScheduleRange, schedule.update)
  .openapi(scheduleRoutes.deleteScheduleRange, schedule.remove)
  .openapi(overrideRoutes.listOverrides, overrides.list)
  .openapi(overrideRoutes.saveOverride, overrides.save)
  .openapi(overrideRoutes.deleteOverride, overrides.remove)
  .openapi(reasonRoutes.listReasons, reasons.list)
  .openapi(reasonRoutes.createReason, reasons.create)
  .openapi(reasonRoutes.updateReason, reasons.update)
  .openapi(instructionRoutes.listInstructions, instructions.list)
  .openapi(instructionRoutes.createInstruction, instructions.create)
  .openapi(instructionRoutes.updateInstruction, instructions.update)
  .openapi(reviewRoutes.listReviews, reviews.list)
  .openapi(profileRoutes.patchProfile, profile.update);
