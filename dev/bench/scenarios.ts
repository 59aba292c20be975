import { CITIES } from './cities.ts';
import type { SignedInUser } from './fixtures.ts';
import { FLOOR_NAME } from './results.ts';

export interface NextRequest {
  path: string;
  headers: Record<string, string>;
}

/** One route under load. */
export interface Scenario {
  name: string;
  issue: 2 | 3;
  /** Least share of the floor's requests/s. */
  target?: number;
  method: 'GET' | 'PATCH';
  body?: string;
  /** The next request: user, practitioner and city vary so no single row or cached plan flatters the figure. */
  next(): NextRequest;
}

const FUNCTIONS = '/functions/v1';

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

/** Today plus `days` on the calendar of Israel, where the generated practitioners work. */
export function israelDate(days: number, now = new Date()): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jerusalem' }).format(now);
  const date = new Date(`${today}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

const signedIn = (users: SignedInUser[]) => () => ({
  authorization: `Bearer ${pick(users).token}`,
});

/** Issue 2: the signed-in routes of the patient app, and the floor they are compared with. */
export function userScenarios(users: SignedInUser[]): Scenario[] {
  const headers = signedIn(users);
  const get = (name: string, path: string, target?: number): Scenario => ({
    name,
    issue: 2,
    target,
    method: 'GET',
    next: () => ({ path: `${FUNCTIONS}${path}`, headers: headers() }),
  });
  return [
    get(FLOOR_NAME, '/bench/floor'),
    get('GET /profile', '/profile', 0.7),
    get('GET /relatives (10 relatives)', '/relatives', 0.7),
    {
      name: 'PATCH /settings',
      issue: 2,
      target: 0.7,
      method: 'PATCH',
      body: JSON.stringify({ locale: 'he', reminders_enabled: true }),
      next: () => ({
        path: `${FUNCTIONS}/settings`,
        headers: { ...headers(), 'content-type': 'application/json' },
      }),
    },
  ];
}

/** Issue 3: the public directory over the generated practitioners. */
export function directoryScenarios(practitionerIds: string[]): Scenario[] {
  const anonymous = (name: string, target: number | undefined, path: () => string): Scenario => ({
    name,
    issue: 3,
    target,
    method: 'GET',
    next: () => ({ path: `${FUNCTIONS}/practitioners${path()}`, headers: {} }),
  });
  const city = () => pick(CITIES);
  const slots = (days: number) => () =>
    `/${pick(practitionerIds)}/slots?from=${israelDate(0)}&to=${israelDate(days - 1)}`;
  return [
    anonymous(
      'GET /practitioners/search?q=<city>',
      0.3,
      () => `/search?q=${encodeURIComponent(city().name)}&limit=50`,
    ),
    anonymous('GET /practitioners/search?q=<city>&lat&lng', 0.3, () => {
      const c = city();
      return `/search?q=${encodeURIComponent(c.name)}&lat=${c.lat}&lng=${c.lng}&limit=50`;
    }),
    anonymous('GET /practitioners/:id', 0.3, () => `/${pick(practitionerIds)}`),
    anonymous('GET /practitioners/:id/slots (14 days)', 0.5, slots(14)),
    anonymous('GET /practitioners/:id/slots (62 days)', undefined, slots(62)),
  ];
}
