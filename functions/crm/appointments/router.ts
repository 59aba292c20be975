import { createRouter } from '../../../shared/http/create-router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const appointments = createRouter()
  .openapi(routes.listAppointments, handlers.list)
  .openapi(routes.createAppointment, handlers.create)
  .openapi(routes.getAppointment, handlers.show)
  .openapi(routes.confirmAppointment, handlers.confirm)
  .openapi(routes.cancelAppointment, handlers.cancel)
  .openapi(routes.completeAppointment, handlers.complete)
  .openapi(routes.markNoShow, handlers.noShow);
