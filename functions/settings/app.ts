import { createApp } from '../../shared/http/create-app.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const app = createApp('settings', { auth: 'user' })
  .openapi(routes.getSettings, handlers.show)
  .openapi(routes.patchSettings, handlers.update);
