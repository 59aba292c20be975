import { israelDate } from '../lib/israel-date.ts';
import { CITIES } from './cities.ts';
import type { SignedInUser } from './fixtures.ts';
import type { ReferenceKind } from './reference/kinds.ts';
import { FLOOR_NAME, REFERENCE_GROUP, TRANSACTION_LIMIT } from './results.ts';

/** The API groups with routes under load, for `--group`; `reminders` is a run, not a load. */
export const GROUPS = ['profile', 'relatives', 'settings', 'practitioners', 'reminders'] as const;
export type Group = (typeof GROUPS)[number];

export interface NextRequest {
  path: string;
  headers: Record<string, string>;
}

/** One route or reference server under load. */
export interface Scenario {
  name: string;
  /** A `Group`; `bench` for the floor, `reference` for the reference servers. */
  group: string;
  /** Least share of the transaction limit's requests/s. */
  target?: number;
  method: 'GET' | 'PATCH';
  body?: string;
  /** The next request: user, practitioner and city vary so no single row or cached plan flatters the figure. */
  next(): NextRequest;
}

const FUNCTIONS = '/functions/v1';

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

/**
 * Anonymous load comes from many clients, as it does deployed: each request carries one of
 * 10,000 client addresses as an outer proxy would append it (the bench gateway trusts two hops),
 * so the rate limit counts per client instead of piling every request on one counter row.
 */
const fromSomeClient = () => ({
  'x-forwarded-for': `10.${Math.floor(Math.random() * 40)}.${Math.floor(Math.random() * 250)}.1`,
});

const signedIn = (users: SignedInUser[]) => () => ({
  authorization: `Bearer ${pick(users).token}`,
});

const REFERENCE_NAMES: Record<ReferenceKind, string> = {
  constant: '(a) Deno.serve, constant body',
  'select 1': '(b) select 1, pool of 10',
  transaction: TRANSACTION_LIMIT,
  'one-write transaction': "(c') the same transaction in one write",
};

/** A reference server's only request; its URL is the server's own. */
export const referenceScenario = (kind: ReferenceKind): Scenario => ({
  name: REFERENCE_NAMES[kind],
  group: REFERENCE_GROUP,
  method: 'GET',
  next: () => ({ path: '/', headers: {} }),
});

/** The floor: the middleware of every signed-in route and the user transaction running `select 1`. */
export function floorScenario(users: SignedInUser[]): Scenario {
  const headers = signedIn(users);
  return {
    name: FLOOR_NAME,
    group: 'bench',
    target: 0.6,
    method: 'GET',
    next: () => ({ path: `${FUNCTIONS}/bench/floor`, headers: headers() }),
  };
}

/** The signed-in routes of the patient app. */
export function userScenarios(users: SignedInUser[]): Scenario[] {
  const headers = signedIn(users);
  const get = (name: string, group: Group, path: string): Scenario => ({
    name,
    group,
    target: 0.5,
    method: 'GET',
    next: () => ({ path: `${FUNCTIONS}${path}`, headers: headers() }),
  });
  return [
    get('GET /profile', 'profile', '/profile'),
    get('GET /relatives (10 relatives)', 'relatives', '/relatives'),
    {
      name: 'PATCH /settings',
      group: 'settings',
      target: 0.5,
      method: 'PATCH',
      body: JSON.stringify({ locale: 'he', reminders_enabled: true }),
      next: () => ({
        path: `${FUNCTIONS}/settings`,
        headers: { ...headers(), 'content-type': 'application/json' },
      }),
    },
  ];
}

/** The public directory over the generated practitioners. */
export function directoryScenarios(practitionerIds: string[]): Scenario[] {
  const anonymous = (name: string, target: number | undefined, path: () => string): Scenario => ({
    name,
    group: 'practitioners',
    target,
    method: 'GET',
    next: () => ({ path: `${FUNCTIONS}/practitioners${path()}`, headers: fromSomeClient() }),
  });
  const city = () => pick(CITIES);
  const slots = (days: number) => () =>
    `/${pick(practitionerIds)}/slots?from=${israelDate(0)}&to=${israelDate(days - 1)}`;
  return [
    anonymous(
      'GET /practitioners/search?q=<city>',
      0.15,
      () => `/search?q=${encodeURIComponent(city().name)}&limit=50`,
    ),
    anonymous('GET /practitioners/search?q=<city>&lat&lng', 0.15, () => {
      const c = city();
      return `/search?q=${encodeURIComponent(c.name)}&lat=${c.lat}&lng=${c.lng}&limit=50`;
    }),
    anonymous('GET /practitioners/:id', 0.3, () => `/${pick(practitionerIds)}`),
    anonymous('GET /practitioners/:id/slots (14 days)', 0.3, slots(14)),
    anonymous('GET /practitioners/:id/slots (62 days)', undefined, slots(62)),
  ];
}
