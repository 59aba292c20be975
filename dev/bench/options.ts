import { parseArgs } from 'node:util';
import { z } from 'zod';

export const BENCH_USAGE =
  `Usage: npm run bench -- [options]   (each option also as an environment variable)
  --duration <s>        measured seconds per route (BENCH_DURATION, default 10)
  --warmup <s>          warm-up seconds per route (BENCH_WARMUP, default 2)
  --connections <n>     concurrent connections (BENCH_CONNECTIONS, default 10)
  --sample <n>          sequential requests for SQL round trips (BENCH_SAMPLE, default 20)
  --practitioners <n>   generated practitioners (BENCH_PRACTITIONERS, default 10000)
  --only <text>         only routes whose name contains it; the floor always runs (BENCH_ONLY)
  --issue <2|3>         only the routes of one issue (BENCH_ISSUE)`;

const count = (max: number) => z.coerce.number().int().min(1).max(max);

const schema = z.object({
  duration: count(600).default(10),
  warmup: z.coerce.number().int().min(0).max(60).default(2),
  connections: count(1000).default(10),
  sample: count(1000).default(20),
  practitioners: count(1_000_000).default(10_000),
  only: z.string().min(1).optional(),
  issue: z.enum(['2', '3']).transform(Number).optional(),
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
  issue: 'BENCH_ISSUE',
};

/** Flags win over the environment; every problem is named at once. */
export function parseBenchOptions(
  argv: string[],
  env: Record<string, string | undefined>,
): BenchOptions {
  let flags: Record<string, string | boolean | undefined>;
  try {
    flags = parseArgs({
      args: argv,
      options: Object.fromEntries(Object.keys(ENV).map((k) => [k, { type: 'string' as const }])),
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    throw new BenchUsageError(`${(e as Error).message}\n${BENCH_USAGE}`);
  }
  const input = Object.fromEntries(
    Object.entries(ENV).map(([key, variable]) => [key, flags[key] ?? (env[variable] || undefined)]),
  );
  const result = schema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`);
    throw new BenchUsageError(`${problems.join('\n')}\n${BENCH_USAGE}`);
  }
  return result.data;
}
