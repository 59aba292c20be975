import { createRouter } from '../../shared/http/create-router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const specialties = createRouter().openapi(routes.listSpecialties, handlers.list);
