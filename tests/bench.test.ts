import { describe, expect, it } from 'vitest';
import { CITIES } from '../dev/bench/cities.ts';
import {
  APPOINTMENTS_PER_PRACTITIONER,
  ensureBenchData,
  PRACTITIONER_EMAILS,
} from '../dev/bench/data.ts';
import { app as benchApp } from '../dev/bench/floor/app.ts';
import { BenchUsageError, parseBenchOptions } from '../dev/bench/options.ts';
import { summarisePlans } from '../dev/bench/plan.ts';
import {
  compareToFloor,
  FLOOR_NAME,
  formatTable,
  type Measurement,
  roundTripsPerRequest,
} from '../dev/bench/results.ts';
import { directoryScenarios, israelDate } from '../dev/bench/scenarios.ts';
import type { Tx } from '../shared/db/client.ts';
import { db } from './helpers/db.ts';
import { call } from './helpers/http.ts';
import { createUser } from './helpers/users.ts';

const measured = (
  name: string,
  requests: number,
  extra: Partial<Measurement> = {},
): Measurement => ({
  name,
  issue: 2,
  requests,
  durationSeconds: 10,
  latencyP50Ms: 5,
  latencyP99Ms: 12,
  roundTrips: 6,
  failures: 0,
  ...extra,
});

describe('bench results', () => {
  it('compares every route with the floor and checks its target', () => {
    const results = compareToFloor([
      measured(FLOOR_NAME, 20_000),
      measured('fast', 15_000, { target: 0.7 }),
      measured('slow', 5_000, { target: 0.3, issue: 3 }),
      measured('no target', 1_000),
    ]);
    expect(results.map((r) => [r.name, r.requestsPerSecond, r.ratioToFloor, r.met])).toEqual([
      [FLOOR_NAME, 2000, 1, null],
      ['fast', 1500, 0.75, true],
      ['slow', 500, 0.25, false],
      ['no target', 100, 0.05, null],
    ]);
  });

  it('never lets a route with failed requests meet its target', () => {
    const [, route] = compareToFloor([
      measured(FLOOR_NAME, 1000),
      measured('erroring', 5000, { target: 0.5, failures: 3 }),
    ]);
    expect(route.ratioToFloor).toBe(5);
    expect(route.met).toBe(false);
    expect(formatTable([route])).toContain('NO (3 failed)');
  });

  it('refuses to compare without the floor', () => {
    expect(() => compareToFloor([measured('alone', 10)])).toThrow(/floor/);
  });

  it('prints one row per route under the header', () => {
    const lines = formatTable(
      compareToFloor([measured(FLOOR_NAME, 20_000), measured('GET /x', 15_000, { target: 0.7 })]),
    )
      .split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /^route\s+issue\s+req\/s\s+p50 ms\s+p99 ms\s+SQL\/req\s+x floor\s+target\s+met$/,
    );
    expect(lines[3]).toMatch(/^GET \/x\s+2\s+1500\s+5\.0\s+12\.0\s+6\.0\s+0\.75\s+>= 0\.70\s+yes$/);
  });

  it('counts round trips without the cost of reading the counter', () => {
    expect(roundTripsPerRequest(100, 162, 2, 20)).toBe(3);
    expect(() => roundTripsPerRequest(0, 10, 0, 0)).toThrow();
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
    const options = parseBenchOptions(['--duration', '3', '--issue', '3'], {
      BENCH_DURATION: '30',
      BENCH_CONNECTIONS: '4',
    });
    expect(options).toMatchObject({ duration: 3, connections: 4, issue: 3 });
  });

  it.each([
    [['--duration', '0']],
    [['--duration', 'ten']],
    [['--issue', '4']],
    [['--unknown', '1']],
    [['positional']],
  ])('refuses %j with the usage', (argv) => {
    expect(() => parseBenchOptions(argv, {})).toThrow(BenchUsageError);
  });
});

describe('bench scenarios', () => {
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

  it('counts the same statements per floor request over one request or many', async () => {
    const user = await createUser();
    const read = async () =>
      (await call(benchApp, 'GET', '/bench/queries', { token: user.token })).body.sent as number;
    const readCost = -(await read()) + (await read());
    const perRequest = async (requests: number) => {
      const before = await read();
      for (let i = 0; i < requests; i++) {
        await call(benchApp, 'GET', '/bench/floor', { token: user.token });
      }
      return roundTripsPerRequest(before, await read(), readCost, requests);
    };
    const one = await perRequest(1);
    expect(Number.isInteger(one)).toBe(true);
    // At least the user's transaction: begin, role and claims, select 1, commit.
    expect(one).toBeGreaterThanOrEqual(4);
    expect(await perRequest(5)).toBe(one);
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
  it('creates complete practitioners with non-overlapping appointments, once', async () => {
    const count = 12;
    await inRolledBackTransaction(async (tx) => {
      const first = await ensureBenchData(tx, { practitioners: count });
      expect(first.practitioners).toBe(count);
      expect(first.added).toMatchObject({
        practitioners: count,
        practitioner_details: count,
        weekly_schedule: count * 11,
        overrides: count * 3,
        appointments: count * APPOINTMENTS_PER_PRACTITIONER,
      });

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
        select count(*)::int as n from public.appointments where practitioner_id = any (${ids}::uuid[])
        group by practitioner_id`;
      expect(perPractitioner.map((r) => r.n)).toEqual(
        Array(count).fill(APPOINTMENTS_PER_PRACTITIONER),
      );

      const [{ overlapping }] = await tx<{ overlapping: number }[]>`
        select count(*)::int as overlapping
        from public.appointments a join public.appointments b
          on a.practitioner_id = b.practitioner_id and a.id < b.id
         and a.appointment_date = b.appointment_date
         and a.start_time < b.end_time and b.start_time < a.end_time
        where a.practitioner_id = any (${ids}::uuid[])`;
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

      const again = await ensureBenchData(tx, { practitioners: count });
      expect(again.practitioners).toBe(count);
      expect(Object.values(again.added).every((n) => n === 0)).toBe(true);
    });
    const [{ left }] = await db<{ left: number }[]>`
      select count(*)::int as left from public.profiles where email like ${PRACTITIONER_EMAILS}`;
    expect(left).toBe(0);
  });
});
