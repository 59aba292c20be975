import type { WireCounts } from '../lib/round-trips.ts';

/** One load run: the figures autocannon reports. */
export interface LoadRun {
  requests: number;
  durationSeconds: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Responses other than 2xx, and connection errors or timeouts: any makes the figures invalid. */
  failures: number;
}

/** What was measured of one route or reference server, over one or more load runs. */
export interface Measurement {
  name: string;
  /** The API group (`--group`), or `reference` and `bench` for what every run measures. */
  group: string;
  /** Least share of the transaction limit's requests/s; absent for the references. */
  target?: number;
  /** What `target` is a share of when not the transaction limit: the floor of the same run. */
  targetOf?: 'floor';
  /** SQL statements per request, from sequential requests. */
  statements: number;
  /** Network round trips to Postgres per request (socket writes), from sequential requests. */
  roundTrips: number;
  /** The floor and the references run at the start and at the end of the benchmark, routes once. */
  runs: LoadRun[];
}

export interface RouteResult extends Measurement {
  /** Requests/s of each run, in order. */
  rates: number[];
  /** The median of `rates`. */
  requestsPerSecond: number;
  /** (max - min) / median of `rates`; null with a single run, which shows no noise. */
  spread: number | null;
  /** Medians over the runs. */
  latencyP50Ms: number;
  latencyP99Ms: number;
  failures: number;
  /** `requestsPerSecond` over the transaction limit's. */
  ratioToLimit: number;
  /** `requestsPerSecond` over that of what `target` is a share of (`targetOf`, else (c)). */
  ratioToTarget: number;
  /** True or false against the target; null without one. */
  met: boolean | null;
}

export const REFERENCE_GROUP = 'reference';
/** Reference (c), the limit every route is compared with. */
export const TRANSACTION_LIMIT =
  '(c) RLS transaction (sql.begin): begin, set_config, select 1, commit';
export const FLOOR_NAME = 'floor: auth + rate limit + RLS select 1';

export const requestsPerSecond = (run: Pick<LoadRun, 'requests' | 'durationSeconds'>) =>
  run.durationSeconds > 0 ? run.requests / run.durationSeconds : 0;

export function median(values: number[]): number {
  if (values.length === 0) throw new Error('No median of nothing.');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** How far apart repeated runs of the same thing came out: (max - min) / median. */
export function spread(values: number[]): number | null {
  if (values.length < 2) return null;
  const m = median(values);
  return m > 0 ? (Math.max(...values) - Math.min(...values)) / m : 0;
}

/**
 * Statements and round trips per request between two readings of a wire counter taken around
 * `requests` sequential requests; `readCost` is what one reading itself adds (the gateway's
 * counter route runs the middleware's statements; a reference server's costs nothing).
 */
export function perRequest(
  before: WireCounts,
  after: WireCounts,
  readCost: WireCounts,
  requests: number,
): { statements: number; roundTrips: number } {
  if (requests <= 0) throw new Error('Count round trips over at least one request.');
  const per = (key: keyof WireCounts) =>
    Math.max(0, after[key] - before[key] - readCost[key]) / requests;
  return { statements: per('statements'), roundTrips: per('writes') };
}

/**
 * Each route and reference against the median requests/s of the transaction limit (c). A route
 * with failures never meets its target.
 */
export function compareToLimit(measurements: Measurement[]): RouteResult[] {
  const limit = measurements.find((m) => m.name === TRANSACTION_LIMIT);
  if (!limit) throw new Error('The transaction limit (reference c) was not measured.');
  const limitRate = median(limit.runs.map(requestsPerSecond));
  const floor = measurements.find((m) => m.name === FLOOR_NAME);
  const floorRate = floor ? median(floor.runs.map(requestsPerSecond)) : 0;
  return measurements.map((m) => {
    if (m.runs.length === 0) throw new Error(`${m.name} has no load run.`);
    const rates = m.runs.map(requestsPerSecond);
    const rate = median(rates);
    const failures = m.runs.reduce((sum, run) => sum + run.failures, 0);
    const ratioToLimit = limitRate > 0 ? rate / limitRate : 0;
    const ratioToTarget = m.targetOf !== 'floor'
      ? ratioToLimit
      : floorRate > 0
      ? rate / floorRate
      : 0;
    return {
      ...m,
      rates,
      requestsPerSecond: rate,
      spread: spread(rates),
      latencyP50Ms: median(m.runs.map((r) => r.latencyP50Ms)),
      latencyP99Ms: median(m.runs.map((r) => r.latencyP99Ms)),
      failures,
      ratioToLimit,
      ratioToTarget,
      met: m.target === undefined ? null : failures === 0 && ratioToTarget >= m.target,
    };
  });
}

const fixed = (value: number, digits: number) => value.toFixed(digits);
const percent = (share: number) => `${fixed(share * 100, 1)} %`;

/** A plain-text table, one row per route or reference, in the order first measured. */
export function formatTable(results: RouteResult[]): string {
  const header = [
    'route',
    'group',
    'req/s',
    'spread',
    'p50 ms',
    'p99 ms',
    'SQL/req',
    'RT/req',
    'x (c)',
    'target',
    'met',
  ];
  const rows = results.map((r) => [
    r.name,
    r.group,
    fixed(r.requestsPerSecond, 0),
    r.spread === null ? '' : percent(r.spread),
    fixed(r.latencyP50Ms, 1),
    fixed(r.latencyP99Ms, 1),
    fixed(r.statements, 1),
    fixed(r.roundTrips, 1),
    fixed(r.ratioToLimit, 2),
    r.target === undefined
      ? ''
      : `>= ${fixed(r.target, 2)}${r.targetOf === 'floor' ? ' x floor' : ''}`,
    r.met === null ? '' : r.met ? 'yes' : r.failures > 0 ? `NO (${r.failures} failed)` : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const numeric = new Set([2, 3, 4, 5, 6, 7, 8]);
  const line = (cells: string[]) =>
    cells.map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Each run of what was measured more than once, so noise can be told from a change. */
export function formatRuns(results: RouteResult[]): string[] {
  return results.filter((r) => r.spread !== null).map((r) =>
    `${r.name}: ${r.rates.map((rate) => fixed(rate, 0)).join(', ')} req/s, ` +
    `spread ${percent(r.spread!)} of the median`
  );
}
