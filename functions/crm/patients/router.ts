import { createRouter } from '../../../shared/http/create-router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

// `/search` before `/{id}`.
export const patients = createRouter()
  .openapi(routes.listPatients, handlers.list)
  .openapi(routes.searchPatients, handlers.search)
  .openapi(routes.createPatient, handlers.create)
  .openapi(routes.updatePatient, handlers.update)
  .openapi(routes.getPatient, handlers.show);
