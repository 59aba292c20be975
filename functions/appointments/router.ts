import { createRouter } from '../../shared/http/create-router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const appointments = createRouter()
  .openapi(routes.book, handlers.book)
  .openapi(routes.listUpcoming, handlers.upcoming)
  .openapi(routes.listPast, handlers.past)
  .openapi(routes.getAppointment, handlers.detail)
  .openapi(routes.cancel, handlers.cancel)
  .openapi(routes.reschedule, handlers.reschedule)
  .openapi(routes.getEarlierAlert, handlers.earlierAlert)
  .openapi(routes.setEarlierAlert, handlers.setEarlierAlert);
