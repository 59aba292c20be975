import { createRouter } from '../../../shared/http/create-router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

/** The CRM's sign-in: open to every signed-in user, patients included (they onboard from it). */
export const auth = createRouter().openapi(routes.bootstrap, handlers.bootstrap);
