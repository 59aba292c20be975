import { createApp } from '../../shared/http/create-app.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const app = createApp('practitioners', { auth: 'public' })
  .openapi(routes.searchPractitioners, handlers.search)
  .openapi(routes.getPractitioner, handlers.show)
  .openapi(routes.getSlots, handlers.slots)
  .openapi(routes.getReviews, handlers.reviews);
