import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CITIES } from '../dev/bench/cities.ts';
import { categoryOf, type CpuProfile, summariseProfile } from '../dev/bench/cpu-profile.ts';
import {
  APPOINTMENTS_AHEAD_PER_PATIENT,
  APPOINTMENTS_PER_PATIENT,
  APPOINTMENTS_PER_PRACTITIONER,
  BOOKER_EMAILS,
  BUSY_MONTH_APPOINTMENTS,
  BUSY_MONTH_DAYS,
  CLIENT_EMAILS,
  ensureBenchData,
  PAST_APPOINTMENTS_PER_PATIENT,
  PATIENT_EMAILS,
  PRACTITIONER_EMAILS,
  REGULAR_EMAILS,
} from '../dev/bench/data.ts';
import {
  appointmentFixtures,
  BOOKINGS_PER_SECOND,
  bookingsNeeded,
  freeSlotPool,
} from '../dev/bench/fixtures.ts';
import { app as benchApp } from '../dev/bench/floor/app.ts';
import { countPerRequest, wireCounterAt } from '../dev/bench/load.ts';
import { BenchUsageError, parseBenchOptions } from '../dev/bench/options.ts';
import { summarisePlans } from '../dev/bench/plan.ts';
import { REFERENCE_KINDS } from '../dev/bench/reference/kinds.ts';
import { type ReferenceServer, startReferenceServer } from '../dev/bench/reference/start.ts';
import {
  compareToLimit,
  FLOOR_NAME,
  formatRuns,
  formatTable,
  type LoadRun,
  type Measurement,
  median,
  perRequest,
  spread,
  TRANSACTION_LIMIT,
} from '../dev/bench/results.ts';
import {
  type AppointmentFixtures,
  appointmentScenarios,
  BOOKING_SCENARIO,
  bookingScenario,
  directoryScenarios,
  floorScenario,
  type FreeSlot,
  GROUPS,
  referenceScenario,
  userScenarios,
} from '../dev/bench/scenarios.ts';
import { israelDate } from '../dev/lib/israel-date.ts';
import { createSigningKeys } from '../dev/lib/keys.ts';
import type { Tx } from '../shared/db/client.ts';
import { db } from './helpers/db.ts';
import { call } from './helpers/http.ts';
import { createUser } from './helpers/users.ts';

const run = (requests: number, extra: Partial<LoadRun> = {}): LoadRun => ({
  requests,
  durationSeconds: 10,
  latencyP50Ms: 5,
  latencyP99Ms: 12,
  non2xx: 0,
  failures: 0,
  ...extra,
});

const measured = (
  name: string,
  runs: LoadRun[],
  extra: Partial<Measurement> = {},
): Measurement => ({
  name,
  group: 'profile',
  statements: 6,
  roundTrips: 4,
  runs,
  ...extra,
});

describe('bench results', () => {
  it('takes the median and the spread of repeated runs', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(spread([900, 1000, 1100])).toBeCloseTo(0.2);
    expect(spread([1000])).toBeNull();
  });

  it('compares every route with the median of the transaction limit and checks its target', () => {
    const results = compareToLimit([
      measured(TRANSACTION_LIMIT, [run(18_000), run(22_000)], { group: 'reference' }),
      measured(FLOOR_NAME, [run(12_000), run(13_000), run(14_000)], { target: 0.6 }),
      measured('fast', [run(11_000)], { target: 0.5 }),
      measured('slow', [run(2_000)], { target: 0.15, group: 'practitioners' }),
      measured('no target', [run(1_000)]),
    ]);
    expect(results.map((r) => [r.name, r.requestsPerSecond, r.ratioToLimit, r.spread, r.met]))
      .toEqual([
        [TRANSACTION_LIMIT, 2000, 1, 0.2, null],
        [FLOOR_NAME, 1300, 0.65, 2 / 13, true],
        ['fast', 1100, 0.55, null, true],
        ['slow', 200, 0.1, null, false],
        ['no target', 100, 0.05, null, null],
      ]);
    expect(results[1].rates).toEqual([1200, 1300, 1400]);
  });

  it('judges a target against the floor when it says so, and shows both ratios', () => {
    const results = compareToLimit([
      measured(TRANSACTION_LIMIT, [run(20_000)], { group: 'reference' }),
      measured(FLOOR_NAME, [run(10_000), run(12_000)], { target: 0.6, group: 'bench' }),
      measured('upcoming', [run(6_000)], { target: 0.5, against: 'floor', group: 'appointments' }),
      measured('booking', [run(3_000)], { target: 0.3, against: 'floor', group: 'appointments' }),
      measured('slow', [run(2_000)], { target: 0.3, against: 'floor', group: 'appointments' }),
    ]);
    expect(results.map((r) => [r.name, r.ratioToLimit, r.ratioToFloor, r.met])).toEqual([
      [TRANSACTION_LIMIT, 1, 2000 / 1100, null],
      [FLOOR_NAME, 0.55, 1, false],
      ['upcoming', 0.3, 600 / 1100, true],
      ['booking', 0.15, 300 / 1100, false],
      ['slow', 0.1, 200 / 1100, false],
    ]);
    const table = formatTable(results).split('\n');
    expect(table[0]).toMatch(/\s+x \(c\)\s+x floor\s+target\s+met$/);
    expect(table[3]).toMatch(/^floor: .*\s+0\.55\s+1\.00\s+>= 0\.60 x \(c\)\s+NO$/);
    expect(table[4]).toMatch(
      /^upcoming\s+appointments\s.*\s+0\.30\s+0\.55\s+>= 0\.50 x floor\s+yes$/,
    );
  });

  it('refuses a target against the floor without the floor', () => {
    expect(() =>
      compareToLimit([
        measured(TRANSACTION_LIMIT, [run(1000)]),
        measured('upcoming', [run(500)], { target: 0.5, against: 'floor' }),
      ])
    ).toThrow(/floor/);
  });

  it('never lets a route with failed requests meet its target, in any run', () => {
    const [, route] = compareToLimit([
      measured(TRANSACTION_LIMIT, [run(1000)]),
      measured('erroring', [run(5000), run(5000, { failures: 3 })], { target: 0.5 }),
    ]);
    expect(route.ratioToLimit).toBe(5);
    expect(route.failures).toBe(3);
    expect(route.met).toBe(false);
    expect(formatTable([route])).toContain('NO (3 failed)');
  });

  it('refuses to compare without the transaction limit', () => {
    expect(() => compareToLimit([measured(FLOOR_NAME, [run(10)])])).toThrow(/transaction limit/);
  });

  it('prints one row per route under the header, and each run of what was repeated', () => {
    const results = compareToLimit([
      measured(TRANSACTION_LIMIT, [run(20_000), run(20_000)], {
        group: 'reference',
        statements: 4,
        roundTrips: 3,
      }),
      measured('GET /x', [run(15_000)], { target: 0.5 }),
    ]);
    const lines = formatTable(results).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /^route\s+group\s+req\/s\s+spread\s+p50 ms\s+p99 ms\s+SQL\/req\s+RT\/req\s+x \(c\)\s+x floor\s+target\s+met$/,
    );
    expect(lines[2]).toMatch(
      /^\(c\) RLS transaction.*\s+reference\s+2000\s+0\.0 %\s+5\.0\s+12\.0\s+4\.0\s+3\.0\s+1\.00$/,
    );
    expect(lines[3]).toMatch(
      /^GET \/x\s+profile\s+1500\s+5\.0\s+12\.0\s+6\.0\s+4\.0\s+0\.75\s+>= 0\.50 x \(c\)\s+yes$/,
    );
    expect(formatRuns(results)).toEqual([
      `${TRANSACTION_LIMIT}: 2000, 2000 req/s, spread 0.0 % of the median`,
    ]);
  });

  it('counts statements and round trips without the cost of reading the counter', () => {
    expect(
      perRequest({ statements: 100, writes: 50 }, { statements: 162, writes: 92 }, {
        statements: 2,
        writes: 2,
      }, 20),
    ).toEqual({ statements: 3, roundTrips: 2 });
    const zero = { statements: 0, writes: 0 };
    expect(() => perRequest(zero, zero, zero, 0)).toThrow();
  });
});

describe('bench options', () => {
  it('has bounded defaults', () => {
    expect(parseBenchOptions([], {})).toEqual({
      duration: 10,
      warmup: 2,
      connections: 10,
      sample: 20,
      practitioners: 10_000,
    });
  });

  it('takes flags over the environment', () => {
    const options = parseBenchOptions(['--duration', '3', '--group', 'practitioners'], {
      BENCH_DURATION: '30',
      BENCH_CONNECTIONS: '4',
      BENCH_GROUP: 'profile',
      BENCH_CPU_PROFILE: 'floor',
    });
    expect(options).toMatchObject({
      duration: 3,
      connections: 4,
      group: 'practitioners',
      cpuProfile: 'floor',
    });
    expect(parseBenchOptions(['--cpu-profile', 'GET /profile'], {}).cpuProfile).toBe(
      'GET /profile',
    );
    expect(parseBenchOptions(['--group', 'appointments'], {}).group).toBe('appointments');
  });

  it.each([
    [['--duration', '0']],
    [['--duration', 'ten']],
    [['--group', 'crm']],
    [['--issue', '3']],
    [['--cpu-profile', '']],
    [['--unknown', '1']],
    [['positional']],
  ])('refuses %j with the usage', (argv) => {
    expect(() => parseBenchOptions(argv, {})).toThrow(BenchUsageError);
  });

  it('names the flag of a refused value as it is typed', () => {
    expect(() => parseBenchOptions([], { BENCH_GROUP: 'issue-3' })).toThrow(/^--group: /);
  });
});

describe('bench scenarios', () => {
  it('groups every route by its API group, with the targets against the transaction limit', () => {
    const users = [{ id: randomUUID(), token: 't' }];
    const routes = [...userScenarios(users), ...directoryScenarios([randomUUID()])];
    expect(routes.every((s) => (GROUPS as readonly string[]).includes(s.group))).toBe(true);
    expect(Object.fromEntries(routes.map((s) => [s.name, [s.group, s.target]]))).toEqual({
      'GET /profile': ['profile', 0.5],
      'GET /relatives (10 relatives)': ['relatives', 0.5],
      'PATCH /settings': ['settings', 0.5],
      'GET /practitioners/search?q=<city>': ['practitioners', 0.15],
      'GET /practitioners/search?q=<city>&lat&lng': ['practitioners', 0.15],
      'GET /practitioners/:id': ['practitioners', 0.3],
      'GET /practitioners/:id/slots (14 days)': ['practitioners', 0.3],
      'GET /practitioners/:id/slots (62 days)': ['practitioners', undefined],
    });
    expect(floorScenario(users).target).toBe(0.6);
    expect(referenceScenario('transaction').name).toBe(TRANSACTION_LIMIT);
  });

  const slot = (patientId: string, n: number): FreeSlot => ({
    patientId,
    practitionerId: randomUUID(),
    date: israelDate(1 + n),
    start: '09:30',
    end: '10:00',
  });

  it('has the appointments group, its targets against the floor', () => {
    const user = () => ({ id: randomUUID(), token: randomUUID() });
    const bookers = [user(), user()];
    const fixtures: AppointmentFixtures = {
      patients: [user(), user()],
      busy: [user()],
      month: { from: '2026-11-17', to: '2026-12-16' },
      bookers: new Map(bookers.map((b) => [b.id, b.token])),
      slots: [slot(bookers[0].id, 0)],
    };
    const routes = appointmentScenarios(fixtures);
    expect(Object.fromEntries(routes.map((s) => [s.name, [s.group, s.target, s.against]])))
      .toEqual({
        'GET /appointments/upcoming': ['appointments', 0.5, 'floor'],
        'GET /appointments/past': ['appointments', 0.5, 'floor'],
        'GET /crm/appointments?from&to (busy month)': ['appointments', 0.3, 'floor'],
        [BOOKING_SCENARIO]: ['appointments', 0.3, 'floor'],
        'GET /crm/dashboard/stats?from&to (busy month)': ['appointments', 0.5, 'floor'],
      });
    expect(routes.every((s) => (GROUPS as readonly string[]).includes(s.group))).toBe(true);
    const byName = new Map(routes.map((s) => [s.name, s]));
    const patientTokens = fixtures.patients.map((p) => `Bearer ${p.token}`);
    for (const name of ['GET /appointments/upcoming', 'GET /appointments/past']) {
      const request = byName.get(name)!.next();
      expect(request.path).toBe(`/functions/v1${name.slice(4)}`);
      expect(patientTokens).toContain(request.headers.authorization);
    }
    const month = byName.get('GET /crm/appointments?from&to (busy month)')!.next();
    expect(month).toEqual({
      path: '/functions/v1/crm/appointments?from=2026-11-17&to=2026-12-16&limit=500',
      headers: { authorization: `Bearer ${fixtures.busy[0].token}` },
    });
    expect(byName.get('GET /crm/dashboard/stats?from&to (busy month)')!.next().path).toBe(
      '/functions/v1/crm/dashboard/stats?from=2026-11-17&to=2026-12-16',
    );
  });

  it('books each free slot of the pool once, as its booker, and says when the pool runs out', () => {
    const bookers = new Map<string, string>([[randomUUID(), 'a'], [randomUUID(), 'b']]);
    const ids = [...bookers.keys()];
    const slots = Array.from({ length: 50 }, (_, n) => slot(ids[n % 2], n));
    const warnings: string[] = [];
    const scenario = bookingScenario(slots, bookers, (line) => warnings.push(line));
    expect(scenario.method).toBe('POST');
    const sent = slots.map(() => scenario.next());
    expect(warnings).toEqual([]);
    const bodies = sent.map((r) => JSON.parse(r.body!));
    const booked = bodies.map((b) => `${b.practitioner_id} ${b.appointment_date} ${b.start_time}`);
    expect(new Set(booked).size).toBe(slots.length);
    sent.forEach((request, n) => {
      expect(request.path).toBe('/functions/v1/appointments');
      expect(request.headers).toEqual({
        authorization: `Bearer ${bookers.get(slots[n].patientId)}`,
        'content-type': 'application/json',
      });
      expect(bodies[n]).toEqual({
        practitioner_id: slots[n].practitionerId,
        relative_id: null,
        reason_id: null,
        appointment_date: slots[n].date,
        start_time: '09:30',
        end_time: '10:00',
        visited_before: false,
      });
    });
    // Past the end the last slot goes again (a 409, counted as failed), with one warning.
    expect(JSON.parse(scenario.next().body!)).toEqual(bodies.at(-1));
    scenario.next();
    expect(warnings).toHaveLength(1);
    expect(() => bookingScenario([], bookers).next()).toThrow(/no free slot/);
  });

  it('prepares enough free slots for every request a run may send', () => {
    const options = { sample: 20, warmup: 2, duration: 10 };
    expect(bookingsNeeded(options)).toBe(20 + 12 * BOOKINGS_PER_SECOND);
    expect(bookingsNeeded(options, 2)).toBe(20 + 24 * BOOKINGS_PER_SECOND);
  });

  it('dates requests on the Israeli calendar', () => {
    const lateEvening = new Date('2026-03-01T22:30:00Z');
    expect(israelDate(0, lateEvening)).toBe('2026-03-02');
    expect(israelDate(61, lateEvening)).toBe('2026-05-02');
  });

  it('asks for exactly 14 and 62 days of slots, of known practitioners', () => {
    const ids = ['6f1c2f4e-8a8f-4d0b-9a43-0d1b8f4b1c11', '0b8c1c3a-6a7e-4f7e-8d1a-2f7f3b6c9d22'];
    const byName = new Map(directoryScenarios(ids).map((s) => [s.name, s]));
    for (
      const [name, days] of [['GET /practitioners/:id/slots (14 days)', 14], [
        'GET /practitioners/:id/slots (62 days)',
        62,
      ]] as const
    ) {
      const { path } = byName.get(name)!.next();
      const match = /^\/functions\/v1\/practitioners\/([0-9a-f-]{36})\/slots\?from=(\S+)&to=(\S+)$/
        .exec(path)!;
      expect(ids).toContain(match[1]);
      expect((Date.parse(match[3]) - Date.parse(match[2])) / 86_400_000 + 1).toBe(days);
    }
  });
});

describe('bench search plan summary', () => {
  it('lists node types and indexes and finds a sequential scan of practitioners', () => {
    const summary = summarisePlans('search', [
      {
        Plan: {
          'Node Type': 'Nested Loop',
          Plans: [
            {
              'Node Type': 'Index Scan',
              'Index Name': 'practitioners_pkey',
              'Relation Name': 'practitioners',
            },
            { 'Node Type': 'Seq Scan', 'Relation Name': 'specialties' },
          ],
        },
      },
      { Plan: { 'Node Type': 'Seq Scan', 'Relation Name': 'practitioners' } },
    ], 3.5);
    expect(summary).toMatchObject({
      statements: 2,
      nodeTypes: { 'Nested Loop': 1, 'Index Scan': 1, 'Seq Scan': 2 },
      indexes: ['practitioners_pkey'],
      seqScans: ['practitioners', 'specialties'],
      seqScanOnPractitioners: true,
    });
  });
});

describe('bench floor app', () => {
  it('runs select 1 for a signed-in user only', async () => {
    const user = await createUser();
    expect((await call(benchApp, 'GET', '/bench/floor', { token: user.token })).body).toEqual({
      ok: true,
    });
    expect((await call(benchApp, 'GET', '/bench/floor')).status).toBe(401);
  });

  it('counts the same statements and round trips per floor request over one request or many', async () => {
    const user = await createUser();
    const read = async () =>
      (await call(benchApp, 'GET', '/bench/queries', { token: user.token })).body as {
        statements: number;
        writes: number;
      };
    const first = await read();
    const second = await read();
    const readCost = {
      statements: second.statements - first.statements,
      writes: second.writes - first.writes,
    };
    const counted = async (requests: number) => {
      const before = await read();
      for (let i = 0; i < requests; i++) {
        await call(benchApp, 'GET', '/bench/floor', { token: user.token });
      }
      return perRequest(before, await read(), readCost, requests);
    };
    const one = await counted(1);
    expect(Number.isInteger(one.statements) && Number.isInteger(one.roundTrips)).toBe(true);
    // At least the user's transaction: begin, role and claims, select 1, commit.
    expect(one.statements).toBeGreaterThanOrEqual(4);
    // No more round trips than statements, and at least the gate and the user transaction.
    expect(one.roundTrips).toBeGreaterThanOrEqual(2);
    expect(one.roundTrips).toBeLessThanOrEqual(one.statements);
    expect(await counted(5)).toEqual(one);
  });

  it('profiles its own process between start and stop, once at a time', async () => {
    const { token } = await createUser();
    expect((await call(benchApp, 'POST', '/bench/cpu-profile/stop', { token })).status).toBe(404);
    expect((await call(benchApp, 'POST', '/bench/cpu-profile/start', { token })).status).toBe(200);
    expect((await call(benchApp, 'POST', '/bench/cpu-profile/start', { token })).status).toBe(409);
    // Enough work that a loaded machine still leaves samples of it.
    for (let i = 0; i < 50; i++) await call(benchApp, 'GET', '/bench/floor', { token });
    const stopped = await call<CpuProfile>(benchApp, 'POST', '/bench/cpu-profile/stop', { token });
    expect(stopped.status).toBe(200);
    expect(stopped.body.nodes.length).toBeGreaterThan(0);
    expect(stopped.body.endTime).toBeGreaterThanOrEqual(stopped.body.startTime);
    expect(summariseProfile(stopped.body, process.cwd()).categories.length).toBeGreaterThan(0);
    expect((await call(benchApp, 'POST', '/bench/cpu-profile/stop', { token })).status).toBe(404);
  });
});

describe('bench CPU profile summary', () => {
  const root = '/repo';
  const url = (file: string) => pathToFileURL(path.join(root, file)).href;

  it('tells our code, each package and the runtime apart by script URL', () => {
    const rootUrl = `${pathToFileURL(root).href}/`;
    expect(categoryOf(url('shared/http/logger.ts'), rootUrl)).toBe('our code');
    expect(categoryOf(url('node_modules/hono/dist/hono-base.js'), rootUrl)).toBe('hono');
    expect(categoryOf(url('node_modules/@hono/zod-openapi/dist/index.js'), rootUrl)).toBe('hono');
    expect(categoryOf(url('node_modules/zod/v4/core/parse.js'), rootUrl)).toBe('zod');
    expect(categoryOf(url('node_modules/jose/dist/webapi/jws.js'), rootUrl)).toBe('jose');
    expect(
      categoryOf(
        url('node_modules/.deno/postgres@3.4.9/node_modules/postgres/src/query.js'),
        rootUrl,
      ),
    ).toBe('postgres');
    expect(categoryOf(url('node_modules/fast-check/lib/a.js'), rootUrl)).toBe('other packages');
    expect(categoryOf('ext:deno_http/00_serve.ts', rootUrl)).toBe('runtime');
    expect(categoryOf('node:net', rootUrl)).toBe('runtime');
    expect(categoryOf('', rootUrl)).toBe('runtime');
    expect(categoryOf('file:///elsewhere/x.ts', rootUrl)).toBe('runtime');
  });

  it('shares the busy samples by category, and gives runtime work to the code that called it', () => {
    const frame = (functionName: string, file: string) => ({
      functionName,
      url: file ? url(file) : '',
      lineNumber: 9,
    });
    const profile: CpuProfile = {
      startTime: 0,
      endTime: 2_000_000,
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), hitCount: 0, children: [2, 3, 4] },
        { id: 2, callFrame: frame('(idle)', ''), hitCount: 50 },
        { id: 3, callFrame: frame('(garbage collector)', ''), hitCount: 10 },
        {
          id: 4,
          callFrame: frame('handle', 'shared/http/create-app.ts'),
          hitCount: 5,
          children: [5],
        },
        {
          id: 5,
          callFrame: frame('jwtVerify', 'node_modules/jose/dist/jwt.js'),
          hitCount: 5,
          children: [6],
        },
        { id: 6, callFrame: frame('verify', ''), hitCount: 30 },
      ],
    };
    const summary = summariseProfile(profile, root);
    expect(summary.durationMs).toBe(2000);
    expect(summary.busy).toBe(0.5);
    expect(summary.categories).toEqual([
      { category: 'runtime', self: 0.8, caused: 0.2 },
      { category: 'our code', self: 0.1, caused: 0.1 },
      { category: 'jose', self: 0.1, caused: 0.7 },
    ].sort((a, b) => b.self - a.self));
    expect(summary.top[0]).toEqual({
      name: 'verify (from jwtVerify node_modules/jose/dist/jwt.js:10)',
      category: 'runtime',
      share: 0.6,
    });
    expect(summary.top.map((f) => f.name)).toContain('handle shared/http/create-app.ts:10');
  });
});

describe('bench reference servers', () => {
  const servers = new Map<string, ReferenceServer>();
  const claims = { sub: randomUUID(), role: 'authenticated' };

  beforeAll(async () => {
    const started = await Promise.all(
      REFERENCE_KINDS.map((kind) => startReferenceServer(kind, inject('databaseUrl'), claims)),
    );
    for (const server of started) servers.set(server.kind, server);
  });

  afterAll(async () => {
    await Promise.all([...servers.values()].map((server) => server.stop()));
  });

  it.each(
    [
      ['constant', { statements: 0, roundTrips: 0 }],
      ['select 1', { statements: 1, roundTrips: 1 }],
      // begin; set_config with select 1; commit.
      ['transaction', { statements: 4, roundTrips: 3 }],
      ['one-write transaction', { statements: 4, roundTrips: 1 }],
    ] as const,
  )('%s answers and sends what it says to Postgres', async (kind, expected) => {
    const server = servers.get(kind)!;
    const res = await fetch(`${server.url}/`);
    expect([res.status, await res.text()]).toEqual([200, 'ok']);
    const counter = await wireCounterAt(`${server.url}/counts`);
    expect(counter.readCost).toEqual({ statements: 0, writes: 0 });
    expect(await countPerRequest(server.url, referenceScenario(kind), counter, 5)).toEqual(
      expected,
    );
  });
});

class Rollback extends Error {}

/** Runs `work` in a transaction that is always rolled back: generated rows never reach other test files. */
async function inRolledBackTransaction(work: (tx: Tx) => Promise<void>): Promise<void> {
  await db.begin(async (tx) => {
    await work(tx);
    throw new Rollback();
  }).catch((e) => {
    if (!(e instanceof Rollback)) throw e;
  });
}

describe('bench data generator', () => {
  it(
    'creates practitioners and patients without overlapping appointments, and free slots, once',
    async () => {
      const count = 12;
      // More regular patients than one time can hold (80), so some share a time; three busy practices.
      const regularPatients = 100;
      const busyPractitioners = 3;
      const options = { practitioners: count, regularPatients, busyPractitioners };
      await inRolledBackTransaction(async (tx) => {
        const first = await ensureBenchData(tx, options);
        expect(first.practitioners).toBe(count);
        expect(first.added).toMatchObject({
          practitioners: count,
          practitioner_details: count,
          weekly_schedule: count * 11,
          overrides: count * 3,
          appointments: count * APPOINTMENTS_PER_PRACTITIONER,
          regular_appointments: regularPatients * APPOINTMENTS_PER_PATIENT,
        });
        expect(first.added.busy_appointments).toBeGreaterThan(0);

        const practitioners = await tx<
          {
            id: string;
            city: string;
            latitude: number;
            longitude: number;
            specialty_id: string | null;
            role: string;
            is_active: boolean;
          }[]
        >`
        select pr.id, pr.city, pr.latitude, pr.longitude, pr.specialty_id, p.role, pr.is_active
        from public.profiles p join public.practitioners pr on pr.id = p.id
        where p.email like ${PRACTITIONER_EMAILS}`;
        expect(practitioners).toHaveLength(count);
        for (const p of practitioners) {
          expect(p).toMatchObject({ role: 'practitioner', is_active: true });
          const city = CITIES.find((c) => c.name === p.city)!;
          expect(Math.abs(p.latitude - city.lat)).toBeLessThan(0.05);
          expect(Math.abs(p.longitude - city.lng)).toBeLessThan(0.05);
        }
        expect(new Set(practitioners.map((p) => p.specialty_id)).size).toBe(count);
        expect(new Set(practitioners.map((p) => p.city)).size).toBe(count);

        const ids = practitioners.map((p) => p.id);
        const perPractitioner = await tx<{ n: number }[]>`
        select count(*)::int as n from public.appointments a
        join public.profiles p on p.id = a.patient_id and p.email like ${PATIENT_EMAILS}
        where a.practitioner_id = any (${ids}::uuid[])
        group by a.practitioner_id`;
        expect(perPractitioner.map((r) => r.n)).toEqual(
          Array(count).fill(APPOINTMENTS_PER_PRACTITIONER),
        );

        // What the exclusion constraints hold, counted over every generated appointment: no live
        // appointment overlaps another of its practitioner or of its person.
        const [{ overlapping }] = await tx<{ overlapping: number }[]>`
        with live as (
          select a.* from public.appointments a
          where a.practitioner_id = any (${ids}::uuid[]) and a.status in ('pending', 'confirmed')
        )
        select count(*)::int as overlapping
        from live a join live b
          on a.id < b.id and (a.practitioner_id = b.practitioner_id
                              or coalesce(a.relative_id, a.patient_id) = coalesce(b.relative_id, b.patient_id))
         and a.starts_at < b.ends_at and b.starts_at < a.ends_at`;
        expect(overlapping).toBe(0);

        const [{ outside }] = await tx<{ outside: number }[]>`
        select count(*)::int as outside from public.appointments a
        where a.practitioner_id = any (${ids}::uuid[])
          and not exists (
            select from public.practitioner_weekly_schedule w
            where w.practitioner_id = a.practitioner_id
              and w.day_of_week = extract(dow from a.appointment_date)
              and w.start_time <= a.start_time and a.end_time <= w.end_time)`;
        expect(outside).toBe(0);

        // Each regular patient: 20 appointments, with generated practitioners only; 7 ahead (the
        // eighth is cancelled), the rest over (completed, cancelled, missed).
        const regulars = await tx<{ total: number; ahead: number; generated: number }[]>`
        select count(a.id)::int as total,
               count(a.id) filter (where a.status in ('pending', 'confirmed') and a.ends_at > now())::int
                 as ahead,
               count(a.id) filter (where a.practitioner_id = any (${ids}::uuid[]))::int as generated
        from public.profiles p left join public.appointments a on a.patient_id = p.id
        where p.email like ${REGULAR_EMAILS}
        group by p.id`;
        expect(regulars).toHaveLength(regularPatients);
        expect(new Set(regulars.map((r) => JSON.stringify(r)))).toEqual(
          new Set([JSON.stringify({
            total: APPOINTMENTS_PER_PATIENT,
            ahead: APPOINTMENTS_AHEAD_PER_PATIENT - 1,
            generated: APPOINTMENTS_PER_PATIENT,
          })]),
        );
        const [{ ended }] = await tx<{ ended: number }[]>`
        select count(*)::int as ended from public.appointments a
        join public.profiles p on p.id = a.patient_id and p.email like ${REGULAR_EMAILS}
        where a.ends_at < now()`;
        expect(ended).toBe(regularPatients * PAST_APPOINTMENTS_PER_PATIENT);

        // The busy practices: the fixtures find them and their month, BUSY_MONTH_APPOINTMENTS in it.
        const keys = await createSigningKeys();
        const fixtures = await appointmentFixtures(tx, keys, 'http://bench.invalid', 0, () => {});
        expect(fixtures.patients).toHaveLength(regularPatients);
        expect(fixtures.busy).toHaveLength(busyPractitioners);
        expect(fixtures.slots).toEqual([]);
        expect(Date.parse(fixtures.month.to) - Date.parse(fixtures.month.from)).toBe(
          (BUSY_MONTH_DAYS - 1) * 86_400_000,
        );
        const busy = await tx<{ n: number }[]>`
        select count(*)::int as n from public.appointments
        where practitioner_id = any (${fixtures.busy.map((p) => p.id)}::uuid[])
          and appointment_date between ${fixtures.month.from} and ${fixtures.month.to}
        group by practitioner_id`;
        expect(busy.map((r) => r.n)).toEqual(
          Array(busyPractitioners).fill(BUSY_MONTH_APPOINTMENTS),
        );
        const [{ clientsElsewhere }] = await tx<{ clientsElsewhere: number }[]>`
        select count(*)::int as "clientsElsewhere" from public.appointments a
        join public.profiles p on p.id = a.patient_id and p.email like ${CLIENT_EMAILS}
        where a.source <> 'dokal_crm'`;
        expect(clientsElsewhere).toBe(0);

        // Every pair has its conversation; the appointments the group reads were inserted with
        // the triggers on, each telling its practitioner or patient (the bulk of the generated
        // practitioners' own may be inserted without them).
        const [{ withoutNotification, withoutConversation }] = await tx<
          { withoutNotification: number; withoutConversation: number }[]
        >`
        select count(*) filter (
                 where (pt.email like ${REGULAR_EMAILS} or pt.email like ${CLIENT_EMAILS})
                   and not exists (
                     select from public.notifications n
                     where n.user_id in (a.patient_id, a.practitioner_id)
                       and n.data ->> 'appointment_id' = a.id::text))::int as "withoutNotification",
               count(*) filter (where not exists (
                 select from public.conversations c
                 where c.patient_id = a.patient_id and c.practitioner_id = a.practitioner_id))::int
                 as "withoutConversation"
        from public.appointments a join public.profiles pt on pt.id = a.patient_id
        where a.practitioner_id = any (${ids}::uuid[])`;
        expect({ withoutNotification, withoutConversation }).toEqual({
          withoutNotification: 0,
          withoutConversation: 0,
        });

        const again = await ensureBenchData(tx, options);
        expect(again.practitioners).toBe(count);
        expect(Object.values(again.added).every((n) => n === 0)).toBe(true);

        // The free slot pool: bookable slots (not the busy practices'), none handed out twice, no
        // booker at two places at once; booking them all as their bookers breaks no constraint.
        const bookers = await tx<{ id: string }[]>`
        select id from public.profiles where email like ${BOOKER_EMAILS}`;
        const pool = await freeSlotPool(tx, bookers.map((b) => b.id), 600);
        expect(pool).toHaveLength(600);
        expect(new Set(pool.map((s) => `${s.practitionerId} ${s.date} ${s.start}`)).size).toBe(600);
        expect(new Set(pool.map((s) => `${s.patientId} ${s.date} ${s.start}`)).size).toBe(600);
        const busyIds = new Set(fixtures.busy.map((p) => p.id));
        expect(pool.some((s) => busyIds.has(s.practitionerId))).toBe(false);
        expect(pool.every((s) => s.date >= israelDate(1))).toBe(true);
        const booked = await tx`
        insert into public.appointments
          (patient_id, practitioner_id, appointment_date, start_time, end_time, visited_before)
        select s.patient_id, s.practitioner_id, s.date, s.start_time, s.end_time, false
        from jsonb_to_recordset(${
          JSON.stringify(pool.map((s) => ({
            patient_id: s.patientId,
            practitioner_id: s.practitionerId,
            date: s.date,
            start_time: s.start,
            end_time: s.end,
          })))
        }::text::jsonb) as s(patient_id uuid, practitioner_id uuid, date date, start_time time, end_time time)`;
        expect(booked.count).toBe(600);
        // A later run deletes these first, and finds the same room again.
        const next = await appointmentFixtures(tx, keys, 'http://bench.invalid', 600, () => {});
        expect(next.slots).toHaveLength(600);
      });
      const [{ left }] = await db<{ left: number }[]>`
      select count(*)::int as left from public.profiles where email like ${PRACTITIONER_EMAILS}`;
      expect(left).toBe(0);
      // Thousands of appointments, each with its notification, events and conversation.
    },
    120_000,
  );
});
