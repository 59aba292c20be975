import { expect } from 'vitest';
import { app as crm } from '../../functions/crm/app.ts';
import { app as practitioners } from '../../functions/practitioners/app.ts';
import { db } from '../helpers/db.ts';
import { call, type CallOptions } from '../helpers/http.ts';
import type { TestUser } from '../helpers/users.ts';

export { crm, practitioners };

export const me = (user: TestUser | undefined, query = '', options: CallOptions = {}) =>
  call(practitioners, 'GET', `/practitioners/me${query}`, { token: user?.token, ...options });

export const register = (user: TestUser | undefined, options: CallOptions) =>
  call(practitioners, 'POST', '/practitioners/register', { token: user?.token, ...options });

export const bootstrap = (user: TestUser | undefined, options: CallOptions = {}) =>
  call(crm, 'POST', '/crm/auth/bootstrap', { token: user?.token, ...options });

export interface SpecialtyNames {
  id: string;
  name: string;
  name_fr: string;
  name_he: string;
}

/** A seeded specialty (the seed runs before every test run). */
export async function cardiology(): Promise<SpecialtyNames> {
  const [row] = await db<SpecialtyNames[]>`
    select id, name, name_fr, name_he from public.specialties where name = 'Cardiology'`;
  return { ...row };
}

/** A name nobody else has, in letters only (the search normalises the rest away). */
export function uniqueName(prefix = 'Levi'): string {
  const letters = [...crypto.getRandomValues(new Uint8Array(10))]
    .map((b) => String.fromCharCode(97 + (b % 26)))
    .join('');
  return `${prefix}${letters}`;
}

/** What the CRM's wizard sends (client-extras 3), for a specialty. */
export const wizard = (specialtyId: string, overrides: Record<string, unknown> = {}) => ({
  first_name: 'Dana',
  last_name: 'Levi',
  email: 'dana@clinic.example',
  phone: '+972501234567',
  city: 'Tel Aviv',
  specialty_id: specialtyId,
  license_number: '12345',
  address_line: 'Dizengoff',
  street_number: '120',
  latitude: 32.0853,
  longitude: 34.7818,
  organization_name: 'Cabinet Dr Levi',
  organization_type: 'individual',
  ...overrides,
});

/**
 * Everything a registration may write for one user, as text: their profile, their practitioner
 * row (null when none) and the events and notifications addressed to them.
 */
export async function footprint(userId: string) {
  const [row] = await db`
    select (select p::text from public.profiles p where p.id = ${userId}) as profile,
           (select pr::text from public.practitioners pr where pr.id = ${userId}) as practitioner,
           (select count(*)::int from public.audit_log a where a.actor_id = ${userId}) as audit,
           (select count(*)::int from private.events e where e.user_id = ${userId}) as events`;
  return { ...row };
}

/** The ids GET /practitioners/search answers for a query. */
export async function searchIds(q: string): Promise<string[]> {
  const res = await call(practitioners, 'GET', `/practitioners/search?q=${encodeURIComponent(q)}`);
  expect(res.status).toBe(200);
  return res.body.map((r: { id: string }) => r.id);
}
