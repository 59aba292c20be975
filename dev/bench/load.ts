import autocannon from 'autocannon';
import type { WireCounts } from '../lib/round-trips.ts';
import { type LoadRun, perRequest } from './results.ts';
import type { Scenario } from './scenarios.ts';

/** A server's wire counter (statements, socket writes) and what one reading of it adds. */
export interface WireCounter {
  read(): Promise<WireCounts>;
  readCost: WireCounts;
}

/** One request of the scenario; anything but 2xx stops the benchmark, since its figures would mean nothing. */
async function send(baseUrl: string, scenario: Scenario): Promise<void> {
  const { path, headers, body } = scenario.next();
  const res = await fetch(`${baseUrl}${path}`, {
    method: scenario.method,
    headers,
    body: body ?? scenario.body,
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(
      `${scenario.name}: ${scenario.method} ${path} answered ${res.status}: ${text.slice(0, 300)}`,
    );
  }
}

/**
 * The counter at `url`: the bench app's route in the gateway (which needs a token and runs the
 * middleware's statements) or a reference server's `/counts`.
 */
export async function wireCounterAt(
  url: string,
  headers: Record<string, string> = {},
): Promise<WireCounter> {
  const read = async () => {
    const res = await fetch(url, { headers });
    if (!res.ok) throw new Error(`The wire counter answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as WireCounts;
  };
  const first = await read();
  const second = await read();
  return {
    read,
    readCost: {
      statements: second.statements - first.statements,
      writes: second.writes - first.writes,
    },
  };
}

/**
 * The counter once the server is idle: requests still in flight when the previous load run
 * ended would otherwise be counted against the next route.
 */
async function idleCounts(counter: WireCounter): Promise<WireCounts> {
  let last = await counter.read();
  for (let tries = 0; tries < 50; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = await counter.read();
    if (
      now.statements - last.statements === counter.readCost.statements &&
      now.writes - last.writes === counter.readCost.writes
    ) return now;
    last = now;
  }
  throw new Error('The server kept talking to Postgres with no request: nothing can be counted.');
}

/**
 * Statements and round trips per request over `sample` sequential requests; also proves the
 * route answers 2xx.
 */
export async function countPerRequest(
  baseUrl: string,
  scenario: Scenario,
  counter: WireCounter,
  sample: number,
): Promise<{ statements: number; roundTrips: number }> {
  const before = await idleCounts(counter);
  for (let i = 0; i < sample; i++) await send(baseUrl, scenario);
  return perRequest(before, await counter.read(), counter.readCost, sample);
}

/** `seconds` of load over `connections` connections. */
export async function loadRoute(
  baseUrl: string,
  scenario: Scenario,
  connections: number,
  seconds: number,
): Promise<LoadRun> {
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: seconds,
    requests: [{
      method: scenario.method,
      body: scenario.body,
      setupRequest: (request) => ({ ...request, ...scenario.next() }),
    }],
  });
  return {
    requests: result.requests.total,
    durationSeconds: result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    failures: result.non2xx + result.errors,
  };
}
