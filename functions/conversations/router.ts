import { createRouter } from '../../shared/http/create-router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const conversations = createRouter()
  .openapi(routes.listConversations, handlers.list)
  .openapi(routes.openConversation, handlers.open)
  .openapi(routes.listMessages, handlers.messages)
  .openapi(routes.sendMessage, handlers.send)
  .openapi(routes.markRead, handlers.read);
