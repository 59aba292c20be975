import { createRouter } from '../../../shared/http/create-router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const reviews = createRouter()
  .openapi(routes.listReviews, handlers.list)
  .openapi(routes.replyToReview, handlers.reply);
