import { parseArgs } from 'node:util';
import { z } from 'zod';
import { GROUPS } from './scenarios.ts';

export const BENCH_USAGE =
  `Usage: npm run bench -- [options]   (each option also as an environment variable)
  --duration <s>        measured seconds per route (BENCH_DURATION, default 10)
  --warmup <s>          warm-up seconds per route (BENCH_WARMUP, default 2)
  --connections <n>     concurrent connections (BENCH_CONNECTIONS, default 10)
  --sample <n>          sequential requests counting statements and round trips (BENCH_SAMPLE, default 20)
  --practitioners <n>   generated practitioners (BENCH_PRACTITIONERS, default 10000)
  --only <text>         only routes whose name contains it (BENCH_ONLY)
  --group <name>        only the routes of one API group: ${GROUPS.join(', ')} (BENCH_GROUP);
                        or relay: the realtime relay under 2,000 sockets (dev/bench/relay.ts)
  --cpu-profile <text>  profile the gateway's CPU over one more load run of the first route
                        whose name contains it (BENCH_CPU_PROFILE)
The reference servers and the floor always run.`;

/** `--group relay` runs the realtime relay's benchmark instead of the routes'. */
export const RELAY_GROUP = 'relay';

const count = (max: number) => z.coerce.number().int().min(1).max(max);

const schema = z.object({
  duration: count(600).default(10),
  warmup: z.coerce.number().int().min(0).max(60).default(2),
  connections: count(1000).default(10),
  sample: count(1000).default(20),
  practitioners: count(1_000_000).default(10_000),
  only: z.string().min(1).optional(),
  group: z.enum([...GROUPS, RELAY_GROUP]).optional(),
  cpuProfile: z.string().min(1).optional(),
});

export type BenchOptions = z.infer<typeof schema>;

export class BenchUsageError extends Error {}

const ENV: Record<keyof BenchOptions, string> = {
  duration: 'BENCH_DURATION',
  warmup: 'BENCH_WARMUP',
  connections: 'BENCH_CONNECTIONS',
  sample: 'BENCH_SAMPLE',
  practitioners: 'BENCH_PRACTITIONERS',
  only: 'BENCH_ONLY',
  group: 'BENCH_GROUP',
  cpuProfile: 'BENCH_CPU_PROFILE',
};

/** `cpuProfile` is given as `--cpu-profile`. */
const flagOf = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Flags win over the environment; every problem is named at once. */
export function parseBenchOptions(
  argv: string[],
  env: Record<string, string | undefined>,
): BenchOptions {
  let flags: Record<string, string | boolean | undefined>;
  try {
    flags = parseArgs({
      args: argv,
      options: Object.fromEntries(
        Object.keys(ENV).map((k) => [flagOf(k), { type: 'string' as const }]),
      ),
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    throw new BenchUsageError(`${(e as Error).message}\n${BENCH_USAGE}`);
  }
  const input = Object.fromEntries(
    Object.entries(ENV).map((
      [key, variable],
    ) => [key, flags[flagOf(key)] ?? (env[variable] || undefined)]),
  );
  const result = schema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `--${flagOf(i.path.join('.'))}: ${i.message}`);
    throw new BenchUsageError(`${problems.join('\n')}\n${BENCH_USAGE}`);
  }
  return result.data;
}
