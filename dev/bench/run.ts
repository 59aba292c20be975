import { cpus } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import postgres from 'postgres';
import { ROOT } from '../lib/database.ts';
import { CITIES } from './cities.ts';
import { loadBenchData } from './data.ts';
import {
  type BenchDatabase,
  type BenchGateway,
  openBenchDatabase,
  startBenchGateway,
} from './environment.ts';
import { benchPractitionerIds, benchUsers } from './fixtures.ts';
import { counterReadCost, countRoundTrips, loadRoute, queryCounter } from './load.ts';
import { type BenchOptions, BenchUsageError, parseBenchOptions } from './options.ts';
import { explainSearch, formatPlan, type PlanSummary } from './plan.ts';
import {
  compareToFloor,
  FLOOR_NAME,
  formatTable,
  type Measurement,
  requestsPerSecond,
  type RouteResult,
} from './results.ts';
import { directoryScenarios, type Scenario, userScenarios } from './scenarios.ts';

const log = (line: string) => console.log(line);

function chosen(scenarios: Scenario[], options: BenchOptions): Scenario[] {
  return scenarios.filter((s) =>
    s.name === FLOOR_NAME ||
    ((options.issue === undefined || s.issue === options.issue) &&
      (!options.only || s.name.includes(options.only)))
  );
}

async function measure(
  gateway: BenchGateway,
  scenarios: Scenario[],
  token: string,
  options: BenchOptions,
) {
  const read = queryCounter(gateway.url, token);
  const readCost = await counterReadCost(read);
  const settings = {
    durationSeconds: options.duration,
    warmupSeconds: options.warmup,
    connections: options.connections,
    sample: options.sample,
  };
  const measurements: Measurement[] = [];
  for (const scenario of scenarios) {
    const roundTrips = await countRoundTrips(gateway.url, scenario, read, readCost, options.sample);
    const figures = await loadRoute(gateway.url, scenario, settings);
    const m: Measurement = {
      name: scenario.name,
      issue: scenario.issue,
      target: scenario.target,
      roundTrips,
      ...figures,
    };
    measurements.push(m);
    const rate = requestsPerSecond(m).toFixed(0);
    log(`  ${scenario.name}: ${rate} req/s, ${roundTrips.toFixed(1)} SQL/req`);
  }
  return measurements;
}

async function searchPlans(databaseUrl: string): Promise<PlanSummary[]> {
  const city = CITIES[0];
  return [
    await explainSearch(databaseUrl, `search q=${city.name}`, { q: city.name, limit: 50 }),
    await explainSearch(databaseUrl, `search q=${city.name} with lat/lng`, {
      q: city.name,
      lat: city.lat,
      lng: city.lng,
      limit: 50,
    }),
  ];
}

function verdicts(results: RouteResult[]): string[] {
  return results.filter((r) => r.met !== null).map((r) =>
    `${r.met ? 'met    ' : 'NOT met'}  ${r.name}: ${
      r.ratioToFloor.toFixed(2)
    } x floor (target >= ${r.target})` +
    (r.failures > 0 ? `, ${r.failures} failed requests` : '')
  );
}

async function main(options: BenchOptions): Promise<void> {
  const withDirectory = options.issue !== 2;
  let database: BenchDatabase | undefined;
  let gateway: BenchGateway | undefined;
  let stopping: Promise<void> | undefined;
  const stopAll = () => (stopping ??= (async () => {
    await gateway?.stop();
    await database?.stop();
  })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`\nStopping the benchmark (${signal}).`);
      void stopAll().finally(() => process.exit(130));
    });
  }

  const startedAt = new Date();
  try {
    database = await openBenchDatabase(log);
    log(`Database: ${database.origin}.`);
    const sql = postgres(database.url, { max: 2, onnotice: () => {} });
    try {
      const data = withDirectory ? await loadBenchData(sql, options.practitioners, log) : undefined;
      log('Starting the Deno gateway with the bench app.');
      gateway = await startBenchGateway(database.url);
      const users = await benchUsers(sql, gateway.keys, gateway.url);
      const scenarios = chosen([
        ...userScenarios(users),
        ...(withDirectory ? directoryScenarios(await benchPractitionerIds(sql)) : []),
      ], options);
      log(
        `Measuring ${scenarios.length} routes: ${options.warmup} s warm-up + ${options.duration} s each, ` +
          `${options.connections} connections.`,
      );
      const results = compareToFloor(await measure(gateway, scenarios, users[0].token, options));
      const plans = withDirectory ? await searchPlans(database.url) : [];

      log(`\n${formatTable(results)}\n`);
      for (const plan of plans) log(`${formatPlan(plan)}\n`);
      log(verdicts(results).join('\n'));

      const file = path.join(
        ROOT,
        'bench',
        'results',
        `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`,
      );
      await mkdir(path.dirname(file), { recursive: true });
      const report = {
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        options,
        machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model },
        database: database.origin,
        data,
        routes: results,
        plans,
      };
      await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
      log(`\nResults written to ${path.relative(ROOT, file)}.`);
    } finally {
      await sql.end();
    }
  } finally {
    await stopAll();
  }
}

try {
  await main(parseBenchOptions(process.argv.slice(2), process.env));
} catch (e) {
  console.error(
    e instanceof BenchUsageError ? e.message : `Benchmark failed: ${(e as Error).stack ?? e}`,
  );
  process.exit(e instanceof BenchUsageError ? 2 : 1);
}
