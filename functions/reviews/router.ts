import { createRouter } from '../../shared/http/create-router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const reviews = createRouter()
  .openapi(routes.createReview, handlers.create)
  .openapi(routes.replyToReview, handlers.reply);
