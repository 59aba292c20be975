import { createRouter } from '../../shared/http/create-router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

// Literal paths first (see routes.ts).
export const notifications = createRouter()
  .openapi(routes.listNotifications, handlers.list)
  .openapi(routes.unreadCount, handlers.unreadCount)
  .openapi(routes.markAllRead, handlers.markAllRead)
  .openapi(routes.registerPushToken, handlers.registerPushToken)
  .openapi(routes.removePushToken, handlers.removePushToken)
  .openapi(routes.markRead, handlers.markRead);
