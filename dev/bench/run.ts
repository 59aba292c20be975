import { cpus } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeJwt } from 'jose';
import postgres from 'postgres';
import { ROOT } from '../lib/database.ts';
import { CITIES } from './cities.ts';
import { conversationScenarios, loadConversationData } from './conversations.ts';
import { loadBenchData } from './data.ts';
import {
  type BenchDatabase,
  type BenchGateway,
  openBenchDatabase,
  startBenchGateway,
} from './environment.ts';
import {
  appointmentFixtures,
  benchPractitionerIds,
  benchUsers,
  bookingsNeeded,
} from './fixtures.ts';
import { healthScenarios, prepareHealthBench } from './health.ts';
import { paymentAndReviewScenarios } from './payments.ts';
import { type CpuProfile, formatProfile, summariseProfile } from './cpu-profile.ts';
import { countPerRequest, loadRoute, type WireCounter, wireCounterAt } from './load.ts';
import {
  ensureNotificationData,
  explainNotifications,
  notificationScenarios,
} from './notifications.ts';
import { type BenchOptions, BenchUsageError, parseBenchOptions, RELAY_GROUP } from './options.ts';
import { runRelayBench } from './relay.ts';
import { benchReminders, formatReminderBench } from './reminders.ts';
import { explainSearch, formatPlan, type PlanSummary } from './plan.ts';
import { REFERENCE_KINDS } from './reference/kinds.ts';
import { type ReferenceServer, startReferenceServer } from './reference/start.ts';
import {
  baselineLabel,
  compareToLimit,
  formatRuns,
  formatTable,
  type Measurement,
  ratioForTarget,
  requestsPerSecond,
  type RouteResult,
  TRANSACTION_LIMIT,
} from './results.ts';
import {
  appointmentScenarios,
  BOOKING_SCENARIO,
  directoryScenarios,
  floorScenario,
  referenceScenario,
  type Scenario,
  userScenarios,
} from './scenarios.ts';

const log = (line: string) => console.log(line);

/** What one load run targets: the gateway or a reference server, and its wire counter. */
interface Subject {
  scenario: Scenario;
  baseUrl: string;
  counter: WireCounter;
}

const isChosen = (s: Pick<Scenario, 'name' | 'group'>, options: BenchOptions) =>
  (options.group === undefined || s.group === options.group) &&
  (!options.only || s.name.includes(options.only));

function chosen(scenarios: Scenario[], options: BenchOptions): Scenario[] {
  return scenarios.filter((s) => isChosen(s, options));
}

/**
 * The references and the floor, then the routes, then the references and the floor again: each
 * run after the same warm-up, so neither the order nor a cold start favours anything, and the
 * repeated runs show the noise. Statements and round trips are counted once, after the warm-up.
 */
async function measure(always: Subject[], routes: Subject[], options: BenchOptions) {
  const measurements = new Map<string, Measurement>();
  for (const { scenario, baseUrl, counter } of [...always, ...routes, ...always]) {
    if (options.warmup > 0) {
      await loadRoute(baseUrl, scenario, options.connections, options.warmup);
    }
    let m = measurements.get(scenario.name);
    if (!m) {
      const counts = await countPerRequest(baseUrl, scenario, counter, options.sample);
      m = {
        name: scenario.name,
        group: scenario.group,
        target: scenario.target,
        against: scenario.against,
        ...counts,
        runs: [],
      };
      measurements.set(scenario.name, m);
    }
    const run = await loadRoute(baseUrl, scenario, options.connections, options.duration);
    m.runs.push(run);
    const errors = run.failures - run.non2xx;
    log(
      `  ${scenario.name}: ${requestsPerSecond(run).toFixed(0)} req/s, ` +
        `${m.statements.toFixed(1)} SQL/req, ${m.roundTrips.toFixed(1)} round trips/req, ` +
        `${run.non2xx} non-2xx` + (errors > 0 ? `, ${errors} errors` : ''),
    );
  }
  return [...measurements.values()];
}

/** One more load run of `subject` with the gateway's CPU profiler on, after the same warm-up. */
async function profileGateway(
  gatewayUrl: string,
  token: string,
  { scenario, baseUrl }: Subject,
  options: BenchOptions,
): Promise<CpuProfile> {
  const control = async (action: 'start' | 'stop') => {
    const res = await fetch(`${gatewayUrl}/functions/v1/bench/cpu-profile/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    if (!res.ok) {
      throw new Error(`The profiler's ${action} answered ${res.status}: ${await res.text()}`);
    }
    return await res.json();
  };
  if (options.warmup > 0) await loadRoute(baseUrl, scenario, options.connections, options.warmup);
  await control('start');
  await loadRoute(baseUrl, scenario, options.connections, options.duration);
  return (await control('stop')) as CpuProfile;
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
  return results.filter((r) => r.met !== null).map((r) => {
    const baseline = baselineLabel(r.against);
    return `${r.met ? 'met    ' : 'NOT met'}  ${r.name}: ${
      ratioForTarget(r)!.toFixed(2)
    } x ${baseline} (target >= ${r.target} x ${baseline})` +
      (r.failures > 0 ? `, ${r.failures} failed requests` : '');
  });
}

async function main(options: BenchOptions): Promise<void> {
  const withDirectory = options.group === undefined || options.group === 'practitioners';
  const withNotifications = options.group === undefined || options.group === 'notifications';
  const withAppointments = options.group === undefined || options.group === 'appointments';
  const withHealth = options.group === undefined || options.group === 'health';
  const withConversations = options.group === undefined || options.group === 'conversations';
  const withReminders = options.group === undefined || options.group === 'reminders';
  let database: BenchDatabase | undefined;
  let gateway: BenchGateway | undefined;
  const references: ReferenceServer[] = [];
  let stopping: Promise<void> | undefined;
  const stopAll = () => (stopping ??= (async () => {
    await Promise.all([gateway, ...references].map((server) => server?.stop()));
    await database?.stop();
  })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`\nStopping the benchmark (${signal}).`);
      void stopAll().finally(() => process.exit(130));
    });
  }

  const startedAt = new Date();
  /** Writes `bench/results/<start time>.<extension>` and returns its path from the root. */
  const writeResult = async (extension: string, content: string) => {
    const file = path.join(
      ROOT,
      'bench',
      'results',
      `${startedAt.toISOString().replace(/[:.]/g, '-')}.${extension}`,
    );
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
    return path.relative(ROOT, file);
  };
  try {
    database = await openBenchDatabase(log);
    log(`Database: ${database.origin}.`);
    const sql = postgres(database.url, { max: 2, onnotice: () => {} });
    try {
      const data = withDirectory || withAppointments || withReminders
        ? await loadBenchData(sql, options.practitioners, log)
        : undefined;
      log('Starting the Deno gateway with the bench app, and the reference servers.');
      gateway = await startBenchGateway(database.url);
      // A run, not a load: measured first, and alone with `--group reminders`.
      const reminders = withReminders ? await benchReminders(sql, gateway, log) : undefined;
      if (reminders) log(`\n${formatReminderBench(reminders).join('\n')}\n`);
      if (options.group === 'reminders') {
        const file = await writeResult(
          'json',
          `${JSON.stringify({ options, data, reminders }, null, 2)}\n`,
        );
        log(`Results written to ${file}.`);
        return;
      }
      const users = await benchUsers(sql, gateway.keys, gateway.url);
      if (withNotifications) await ensureNotificationData(sql, users, log);
      const token = users[0].token;
      const conversations = withConversations
        ? await loadConversationData(sql, gateway.keys, `${gateway.url}/auth/v1`, log)
        : undefined;
      for (const kind of REFERENCE_KINDS) {
        references.push(await startReferenceServer(kind, database.url, decodeJwt(token)));
      }

      const gatewayCounter = await wireCounterAt(`${gateway.url}/functions/v1/bench/queries`, {
        authorization: `Bearer ${token}`,
      });
      const onGateway = (scenario: Scenario): Subject => ({
        scenario,
        baseUrl: gateway!.url,
        counter: gatewayCounter,
      });
      const always: Subject[] = [];
      for (const server of references) {
        always.push({
          scenario: referenceScenario(server.kind),
          baseUrl: server.url,
          counter: await wireCounterAt(`${server.url}/counts`),
        });
      }
      always.push(onGateway(floorScenario(users)));
      // Free slots only for a run that books: as many as its sample, warm-up and load (twice
      // when the CPU profile's run books too) could ever send.
      const books = isChosen({ name: BOOKING_SCENARIO, group: 'appointments' }, options);
      const profilesBooking = options.cpuProfile !== undefined &&
        BOOKING_SCENARIO.includes(options.cpuProfile);
      const appointments = withAppointments
        ? await appointmentFixtures(
          sql,
          gateway.keys,
          gateway.url,
          books ? bookingsNeeded(options, profilesBooking ? 2 : 1) : 0,
          log,
        )
        : undefined;
      const routes = chosen([
        ...userScenarios(users),
        ...(withDirectory ? directoryScenarios(await benchPractitionerIds(sql)) : []),
        ...(withNotifications ? notificationScenarios(users) : []),
        ...(appointments ? appointmentScenarios(appointments, log) : []),
        ...(withHealth
          ? healthScenarios(
            await prepareHealthBench(sql, users, gateway.healthKeys, gateway.keys, gateway.url),
          )
          : []),
        ...(await paymentAndReviewScenarios(sql, users, options, log)),
        ...(conversations ? conversationScenarios(conversations) : []),
      ], options).map(onGateway);
      const profiled = options.cpuProfile === undefined
        ? undefined
        : [always.at(-1)!, ...routes].find((s) => s.scenario.name.includes(options.cpuProfile!));
      if (options.cpuProfile !== undefined && !profiled) {
        throw new BenchUsageError(
          `--cpu-profile: no measured route contains "${options.cpuProfile}".`,
        );
      }

      log(
        `Measuring the references and the floor, ${routes.length} routes, then the references and ` +
          `the floor again: ${options.warmup} s warm-up + ${options.duration} s each, ` +
          `${options.connections} connections.`,
      );
      const results = compareToLimit(await measure(always, routes, options));
      const plans = withDirectory ? await searchPlans(database.url) : [];
      const notificationPlans = withNotifications
        ? await explainNotifications(database.url, users[0].id)
        : [];
      let cpuProfile;
      if (profiled) {
        log(`Profiling the gateway's CPU under ${profiled.scenario.name}.`);
        const profile = await profileGateway(gateway.url, token, profiled, options);
        cpuProfile = {
          route: profiled.scenario.name,
          file: await writeResult('cpuprofile', JSON.stringify(profile)),
          summary: summariseProfile(profile, ROOT),
        };
      }

      log(`\n${formatTable(results)}\n`);
      log(
        'Ratios are to the median req/s of (c) (x (c)) and of the floor (x floor); each target ' +
          'names the one it is judged on: the appointments group states its targets as ratios ' +
          `to the floor of the same run. Repeated runs:\n${formatRuns(results).join('\n')}\n`,
      );
      for (const plan of plans) log(`${formatPlan(plan)}\n`);
      if (notificationPlans.length > 0) log(`${notificationPlans.join('\n')}\n`);
      if (cpuProfile) {
        log(`${formatProfile(cpuProfile.route, cpuProfile.summary)}`);
        log(`The profile is in ${cpuProfile.file} (Chrome DevTools opens it).\n`);
      }
      log(verdicts(results).join('\n'));
      if (reminders) log(formatReminderBench(reminders).slice(-2).join('\n'));

      const report = {
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        options,
        machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model },
        database: database.origin,
        data,
        limit: TRANSACTION_LIMIT,
        routes: results,
        plans,
        notificationPlans,
        cpuProfile,
        reminders,
      };
      const file = await writeResult('json', `${JSON.stringify(report, null, 2)}\n`);
      log(`\nResults written to ${file}.`);
    } finally {
      await sql.end();
    }
  } finally {
    await stopAll();
  }
}

try {
  const options = parseBenchOptions(process.argv.slice(2), process.env);
  if (options.group === RELAY_GROUP) await runRelayBench(log);
  else await main(options);
} catch (e) {
  console.error(
    e instanceof BenchUsageError ? e.message : `Benchmark failed: ${(e as Error).stack ?? e}`,
  );
  process.exit(e instanceof BenchUsageError ? 2 : 1);
}
