import { createRouter } from '../../shared/http/create-router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const health = createRouter()
  .openapi(routes.getProfile, handlers.getProfile)
  .openapi(routes.putProfile, handlers.putProfile)
  .openapi(routes.getAccessLog, handlers.getAccessLog)
  .openapi(routes.conditions.list, handlers.conditions.list)
  .openapi(routes.conditions.create, handlers.conditions.create)
  .openapi(routes.conditions.remove, handlers.conditions.remove)
  .openapi(routes.medications.list, handlers.medications.list)
  .openapi(routes.medications.create, handlers.medications.create)
  .openapi(routes.medications.remove, handlers.medications.remove)
  .openapi(routes.allergies.list, handlers.allergies.list)
  .openapi(routes.allergies.create, handlers.allergies.create)
  .openapi(routes.allergies.remove, handlers.allergies.remove)
  .openapi(routes.vaccinations.list, handlers.vaccinations.list)
  .openapi(routes.vaccinations.create, handlers.vaccinations.create)
  .openapi(routes.vaccinations.remove, handlers.vaccinations.remove);
