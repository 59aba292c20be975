import type { Tx } from '../../shared/db/client.ts';
import type { JsonText } from '../../shared/http/json-text.ts';
import type { Specialty } from './schemas.ts';

/**
 * Every specialty as the JSON the route sends, and its entity tag (the MD5 of that JSON): one
 * statement, handed back unsent. The order is fixed, so the same list always has the same tag.
 */
export function readSpecialties(tx: Tx) {
  return tx<[{ body: JsonText<Specialty[]>; tag: string }]>`
    select list.body, md5(list.body) as tag
    from (
      select coalesce(json_agg(json_build_object(
               'id', s.id, 'name', s.name, 'name_he', s.name_he, 'name_fr', s.name_fr,
               'name_ru', s.name_ru, 'name_en', s.name_en, 'name_am', s.name_am,
               'name_es', s.name_es, 'icon_url', null
             ) order by s.name, s.id), '[]')::text as body
      from public.specialties s
    ) list`;
}
