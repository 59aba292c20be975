import autocannon from 'autocannon';
import { roundTripsPerRequest } from './results.ts';
import type { Scenario } from './scenarios.ts';

export interface LoadSettings {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  /** Sequential requests over which round trips are counted. */
  sample: number;
}

export interface LoadFigures {
  requests: number;
  durationSeconds: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  failures: number;
}

/** One request of the scenario; anything but 2xx stops the benchmark, since its figures would mean nothing. */
async function send(baseUrl: string, scenario: Scenario): Promise<void> {
  const { path, headers } = scenario.next();
  const res = await fetch(`${baseUrl}${path}`, {
    method: scenario.method,
    headers,
    body: scenario.body,
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(
      `${scenario.name}: ${scenario.method} ${path} answered ${res.status}: ${text.slice(0, 300)}`,
    );
  }
}

/** Reads the statement counter of the gateway process through the benchmark's own app. */
export function queryCounter(baseUrl: string, token: string): () => Promise<number> {
  return async () => {
    const res = await fetch(`${baseUrl}/functions/v1/bench/queries`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!res.ok) throw new Error(`The query counter answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { sent: number }).sent;
  };
}

/** What one reading of the counter adds to it: the middleware statements of its own request. */
export async function counterReadCost(read: () => Promise<number>): Promise<number> {
  const first = await read();
  return (await read()) - first;
}

/**
 * The counter once the gateway is idle: requests still in flight when the previous load run
 * ended would otherwise be counted against the next route.
 */
async function idleCounter(read: () => Promise<number>, readCost: number): Promise<number> {
  let last = await read();
  for (let tries = 0; tries < 50; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = await read();
    if (now - last === readCost) return now;
    last = now;
  }
  throw new Error(
    'The gateway kept sending statements with no request: round trips cannot be counted.',
  );
}

/** Statements per request over `sample` sequential requests; also proves the route answers 2xx. */
export async function countRoundTrips(
  baseUrl: string,
  scenario: Scenario,
  read: () => Promise<number>,
  readCost: number,
  sample: number,
): Promise<number> {
  const before = await idleCounter(read, readCost);
  for (let i = 0; i < sample; i++) await send(baseUrl, scenario);
  return roundTripsPerRequest(before, await read(), readCost, sample);
}

function cannon(baseUrl: string, scenario: Scenario, connections: number, duration: number) {
  return autocannon({
    url: baseUrl,
    connections,
    duration,
    requests: [{
      method: scenario.method,
      body: scenario.body,
      setupRequest: (request) => ({ ...request, ...scenario.next() }),
    }],
  });
}

/** A short warm-up (JIT, plans, pool connections), then the measured run. */
export async function loadRoute(
  baseUrl: string,
  scenario: Scenario,
  settings: LoadSettings,
): Promise<LoadFigures> {
  if (settings.warmupSeconds > 0) {
    await cannon(baseUrl, scenario, settings.connections, settings.warmupSeconds);
  }
  const result = await cannon(baseUrl, scenario, settings.connections, settings.durationSeconds);
  return {
    requests: result.requests.total,
    durationSeconds: result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    failures: result.non2xx + result.errors,
  };
}
