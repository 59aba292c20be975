import { israelDate } from '../lib/israel-date.ts';
import { CITIES } from './cities.ts';
import type { SignedInUser } from './fixtures.ts';
import type { ReferenceKind } from './reference/kinds.ts';
import { type Baseline, FLOOR_NAME, REFERENCE_GROUP, TRANSACTION_LIMIT } from './results.ts';

/** The API groups with routes under load, for `--group`; `reminders` is a run, not a load. */
export const GROUPS = [
  'profile',
  'relatives',
  'settings',
  'practitioners',
  'notifications',
  'appointments',
  'health',
  'payments',
  'reviews',
  'conversations',
  'reminders',
] as const;
export type Group = (typeof GROUPS)[number];

export interface NextRequest {
  path: string;
  headers: Record<string, string>;
  /** This request's body, when each request sends its own (else the scenario's `body`). */
  body?: string;
}

/** One route or reference server under load. */
export interface Scenario {
  name: string;
  /** A `Group`; `bench` for the floor, `reference` for the reference servers. */
  group: string;
  /** Least share of the transaction limit's requests/s, or of the floor's with `against`. */
  target?: number;
  /** What `target` is a share of: the transaction limit (c) unless 'floor'. */
  against?: Baseline;
  method: 'GET' | 'PATCH' | 'POST';
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

/** A free slot handed to one booking, and the patient who books it. */
export interface FreeSlot {
  patientId: string;
  practitionerId: string;
  date: string;
  /** `HH:MM`. */
  start: string;
  end: string;
}

/** The period of the busy practitioners' month (dates included). */
export interface BusyMonth {
  from: string;
  to: string;
}

/** What the appointments group's requests are made of (fixtures.ts prepares it). */
export interface AppointmentFixtures {
  /** Patients with their own appointments, past and ahead. */
  patients: SignedInUser[];
  /** Practitioners with about BUSY_MONTH_APPOINTMENTS appointments in `month`. */
  busy: SignedInUser[];
  month: BusyMonth;
  /** The bookers' tokens by id. */
  bookers: Map<string, string>;
  /** Distinct free slots, each with its booker: no two of one booker at the same time. */
  slots: FreeSlot[];
}

export const BOOKING_SCENARIO = 'POST /appointments (a distinct free slot each)';

/**
 * Each request books the next slot of the pool, as its booker. The pool is made larger than any
 * run can use; should it still run out, the last slot is sent again: the 409s that follow are
 * counted as failed requests, so the figure is never taken for a valid one.
 */
export function bookingScenario(
  slots: FreeSlot[],
  bookers: Map<string, string>,
  warn: (line: string) => void = console.warn,
): Scenario {
  let handedOut = 0;
  return {
    name: BOOKING_SCENARIO,
    group: 'appointments',
    target: 0.3,
    against: 'floor',
    method: 'POST',
    next: () => {
      if (slots.length === 0) throw new Error(`${BOOKING_SCENARIO}: no free slot to book.`);
      if (handedOut === slots.length) {
        warn(
          `${BOOKING_SCENARIO}: the ${slots.length} free slots prepared ran out; the requests ` +
            'that follow book the last one again and fail.',
        );
      }
      const slot = slots[Math.min(handedOut++, slots.length - 1)];
      const token = bookers.get(slot.patientId);
      if (!token) throw new Error(`${BOOKING_SCENARIO}: no token for booker ${slot.patientId}.`);
      return {
        path: `${FUNCTIONS}/appointments`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        // As the app sends it (contract 7, client-compat: both ids present, null).
        body: JSON.stringify({
          practitioner_id: slot.practitionerId,
          relative_id: null,
          reason_id: null,
          appointment_date: slot.date,
          start_time: slot.start,
          end_time: slot.end,
          visited_before: false,
        }),
      };
    },
  };
}

/**
 * The patient's lists and booking, and the CRM's month of a busy practitioner. Their targets
 * are the issue's: ratios to the floor of the same run.
 */
export function appointmentScenarios(
  fixtures: AppointmentFixtures,
  warn?: (line: string) => void,
): Scenario[] {
  const patient = signedIn(fixtures.patients);
  const practitioner = signedIn(fixtures.busy);
  const period = `from=${fixtures.month.from}&to=${fixtures.month.to}`;
  const get = (
    name: string,
    target: number,
    path: string,
    headers: () => Record<string, string>,
  ): Scenario => ({
    name,
    group: 'appointments',
    target,
    against: 'floor',
    method: 'GET',
    next: () => ({ path: `${FUNCTIONS}${path}`, headers: headers() }),
  });
  return [
    get('GET /appointments/upcoming', 0.5, '/appointments/upcoming', patient),
    get('GET /appointments/past', 0.5, '/appointments/past', patient),
    // The CRM's calendar asks for the whole month at once (limit up to 500, client-compat).
    get(
      'GET /crm/appointments?from&to (busy month)',
      0.3,
      `/crm/appointments?${period}&limit=500`,
      practitioner,
    ),
    bookingScenario(fixtures.slots, fixtures.bookers, warn),
    get(
      'GET /crm/dashboard/stats?from&to (busy month)',
      0.5,
      `/crm/dashboard/stats?${period}`,
      practitioner,
    ),
  ];
}
