import { createRouter } from '../../../shared/http/create-router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const schedule = createRouter()
  .openapi(routes.listSchedule, handlers.list)
  .openapi(routes.createScheduleRange, handlers.create)
  .openapi(routes.updateScheduleRange, handlers.update)
  .openapi(routes.deleteScheduleRange, handlers.remove);
