import type { RouteHandler } from '@hono/zod-openapi';
import type { Tx } from '../../../shared/db/client.ts';
import type { AppEnv } from '../../../shared/http/env.ts';
import { notFound, validationFailed } from '../../../shared/http/errors.ts';
import { auditWrite, forPractitioner } from '../acting-practitioner.ts';
import {
  lockPrices,
  PRACTITIONERS_TABLE,
  readPractitionerProfile,
  specialtyExists,
  updateNames,
  updatePractice,
} from './queries.ts';
import { NAME_FIELDS, PRACTICE_FIELDS, PRICE_ORDER, type ProfileChanges } from './routes.ts';
import type * as routes from './routes.ts';

/** A price sent alone must still sit on the right side of the stored other end. */
async function checkPriceRange(tx: Tx, practitionerId: string, changes: ProfileChanges) {
  const minSent = changes.price_min_agorot !== undefined;
  if (minSent === (changes.price_max_agorot !== undefined)) return;
  const stored = await lockPrices(tx, practitionerId);
  const min = minSent ? changes.price_min_agorot : stored?.price_min_agorot;
  const max = minSent ? stored?.price_max_agorot : changes.price_max_agorot;
  if (min != null && max != null && min > max) {
    throw validationFailed(
      { [minSent ? 'price_min_agorot' : 'price_max_agorot']: [PRICE_ORDER] },
      PRICE_ORDER,
    );
  }
}

export const update: RouteHandler<typeof routes.patchProfile, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const changes = c.req.valid('json');
  const names = NAME_FIELDS.filter((f) => changes[f] !== undefined);
  const practice = PRACTICE_FIELDS.filter((f) => changes[f] !== undefined);
  const profile = await forPractitioner(c, practitioner_id, async (tx, acting) => {
    if (changes.specialty_id && !(await specialtyExists(tx, changes.specialty_id))) {
      throw validationFailed(
        { specialty_id: ['No specialty has this identifier.'] },
        'Please choose a specialty from the list.',
      );
    }
    await checkPriceRange(tx, acting.practitionerId, changes);
    if (names.length > 0) await updateNames(tx, acting.practitionerId, changes, names);
    if (practice.length > 0) await updatePractice(tx, acting.practitionerId, changes, practice);
    if (names.length + practice.length > 0) {
      await auditWrite(tx, acting, {
        action: 'profile.update',
        entity: PRACTITIONERS_TABLE,
        entityId: acting.practitionerId,
        fields: [...names, ...practice],
      });
    }
    return readPractitionerProfile(tx, acting.practitionerId);
  });
  if (!profile) throw notFound('We could not find this practitioner profile.');
  return c.json(profile, 200);
};
