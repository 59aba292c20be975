import { createUser } from '../helpers/users.ts';

export { badAuthorizations, expectRefusal, MALFORMED_IDS } from '../helpers/refusals.ts';
export { pastAppointment } from '../helpers/past-appointment.ts';

/** Everything a payments request may write, for "a refused request wrote nothing" checks. */
export const PAYMENT_TABLES = [
  'public.payment_methods',
  'public.payment_transactions',
  'private.payme_notifications',
  'private.events',
  'public.notifications',
  'public.audit_log',
];

export const patient = (firstName = 'Noa') => createUser({ firstName, lastName: 'Cohen' });
