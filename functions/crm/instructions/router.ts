import { createRouter } from '../../../shared/http/create-router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const instructions = createRouter()
  .openapi(routes.listInstructions, handlers.list)
  .openapi(routes.createInstruction, handlers.create)
  .openapi(routes.updateInstruction, handlers.update);
