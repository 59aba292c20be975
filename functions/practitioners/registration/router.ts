import { createRouter } from '../../../shared/http/create-router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

/** The signed-in caller's own practitioner record: mounted before `/{id}`, which `me` would match. */
export const registration = createRouter()
  .openapi(routes.getMyPractitioner, handlers.me)
  .openapi(routes.registerPractitioner, handlers.register);
