import { createRouter } from '../../../shared/http/create-router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const methods = createRouter()
  .openapi(routes.listMethods, handlers.list)
  .openapi(routes.addMethod, handlers.add)
  .openapi(routes.deleteMethod, handlers.remove)
  .openapi(routes.makeDefault, handlers.setDefault);
