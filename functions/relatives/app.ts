import { createApp } from '../../shared/http/create-app.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const app = createApp('relatives', { auth: 'user' })
  .openapi(routes.listRelatives, handlers.list)
  .openapi(routes.createRelative, handlers.create)
  .openapi(routes.deleteRelative, handlers.remove);
