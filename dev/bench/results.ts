/** What one route's load run measured. */
export interface Measurement {
  name: string;
  issue: 2 | 3;
  /** Least share of the floor's requests/s this route must reach; absent for the floor itself. */
  target?: number;
  requests: number;
  durationSeconds: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Statements sent to Postgres per request, from sequential requests. */
  roundTrips: number;
  /** Responses other than 2xx, and connection errors or timeouts: any makes the figures invalid. */
  failures: number;
}

export interface RouteResult extends Measurement {
  requestsPerSecond: number;
  ratioToFloor: number;
  /** True or false against the target; null for the floor, which has none. */
  met: boolean | null;
}

export const FLOOR_NAME = 'floor: select 1 as user';

export const requestsPerSecond = (m: Pick<Measurement, 'requests' | 'durationSeconds'>) =>
  m.durationSeconds > 0 ? m.requests / m.durationSeconds : 0;

/**
 * Statements per request between two readings of the gateway's counter taken around `requests`
 * sequential requests; `readCost` is what one reading itself adds (the later reading's own
 * middleware statements are in `after`).
 */
export function roundTripsPerRequest(
  before: number,
  after: number,
  readCost: number,
  requests: number,
): number {
  if (requests <= 0) throw new Error('Count round trips over at least one request.');
  return Math.max(0, after - before - readCost) / requests;
}

/** Each route against the floor's requests/s. A route with failures never meets its target. */
export function compareToFloor(measurements: Measurement[]): RouteResult[] {
  const floor = measurements.find((m) => m.name === FLOOR_NAME);
  if (!floor) throw new Error('The floor route was not measured.');
  const floorRate = requestsPerSecond(floor);
  return measurements.map((m) => {
    const rate = requestsPerSecond(m);
    const ratioToFloor = floorRate > 0 ? rate / floorRate : 0;
    const met = m.target === undefined ? null : m.failures === 0 && ratioToFloor >= m.target;
    return { ...m, requestsPerSecond: rate, ratioToFloor, met };
  });
}

const fixed = (value: number, digits: number) => value.toFixed(digits);

/** A plain-text table, one row per route, in the order measured. */
export function formatTable(results: RouteResult[]): string {
  const header = [
    'route',
    'issue',
    'req/s',
    'p50 ms',
    'p99 ms',
    'SQL/req',
    'x floor',
    'target',
    'met',
  ];
  const rows = results.map((r) => [
    r.name,
    String(r.issue),
    fixed(r.requestsPerSecond, 0),
    fixed(r.latencyP50Ms, 1),
    fixed(r.latencyP99Ms, 1),
    fixed(r.roundTrips, 1),
    fixed(r.ratioToFloor, 2),
    r.target === undefined ? '' : `>= ${fixed(r.target, 2)}`,
    r.met === null ? '' : r.met ? 'yes' : r.failures > 0 ? `NO (${r.failures} failed)` : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const numeric = new Set([1, 2, 3, 4, 5, 6]);
  const line = (cells: string[]) =>
    cells.map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
