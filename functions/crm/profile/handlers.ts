import type { RouteHandler } from '@hono/zod-openapi';
import type { AppEnv } from '../../../shared/http/env.ts';
import { forbidden, validationFailed } from '../../../shared/http/errors.ts';
import { type CrmTable, type Patchable, patchFor } from '../write.ts';
import {
  lockPractitionerProfile,
  PRACTITIONERS_TABLE,
  updatePractitionerProfile,
} from './queries.ts';
import type * as routes from './routes.ts';
import {
  ONLY_ADMINS_ACTIVATE,
  type PractitionerProfile,
  PRICE_ORDER,
  type ProfileChanges,
} from './schemas.ts';

const practitioners: CrmTable = {
  table: PRACTITIONERS_TABLE,
  resource: 'profile',
  missing: 'We could not find this practitioner profile.',
};

const profilePatch: Patchable<PractitionerProfile, ProfileChanges> = {
  target: practitioners,
  lock: (tx, practitionerId) => lockPractitionerProfile(tx, practitionerId),
  update: (tx, practitionerId, _id, changes, fields) =>
    updatePractitionerProfile(tx, practitionerId, changes, fields),
  // Both prices sent are checked with the body; a price sent alone, against the stored other.
  check(merged, changes, acting) {
    // The database refuses it too (practitioners_activation_rules); this says it first.
    if (changes.is_active !== undefined && !acting.isAdmin) throw forbidden(ONLY_ADMINS_ACTIVATE);
    const { price_min_agorot: min, price_max_agorot: max } = merged;
    if (min != null && max != null && min > max) {
      const field = changes.price_min_agorot !== undefined
        ? 'price_min_agorot'
        : 'price_max_agorot';
      throw validationFailed({ [field]: [PRICE_ORDER] }, PRICE_ORDER);
    }
  },
};

export const update: RouteHandler<typeof routes.patchProfile, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const changes = c.req.valid('json');
  return c.json(await patchFor(c, practitioner_id, undefined, profilePatch, changes), 200);
};
