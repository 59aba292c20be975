import { createRouter } from '../../shared/http/create-router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const practitioners = createRouter()
  .openapi(routes.searchPractitioners, handlers.search)
  .openapi(routes.getPractitioner, handlers.show)
  .openapi(routes.getSlots, handlers.slots)
  .openapi(routes.getReviews, handlers.reviews);
