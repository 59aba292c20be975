import { createApp } from '../../shared/http/create-app.ts';
import { appointments } from './appointments/router.ts';
import { auth } from './auth/router.ts';
import { dashboard } from './dashboard/router.ts';
import { instructions } from './instructions/router.ts';
import { overrides } from './overrides/router.ts';
import { patients } from './patients/router.ts';
import { profile } from './profile/router.ts';
import { reasons } from './reasons/router.ts';
import { reviews } from './reviews/router.ts';
import { schedule } from './schedule/router.ts';

/**
 * The practitioner CRM: every route needs a practitioner, or an admin acting for one, except the
 * sign-in's bootstrap (any signed-in user).
 */
export const app = createApp('crm', { auth: 'user' })
  .route('/schedule', schedule)
  .route('/overrides', overrides)
  .route('/reasons', reasons)
  .route('/instructions', instructions)
  .route('/reviews', reviews)
  .route('/profile', profile)
  .route('/appointments', appointments)
  .route('/dashboard', dashboard)
  .route('/patients', patients)
  .route('/auth', auth);
