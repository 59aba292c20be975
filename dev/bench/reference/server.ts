import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { wireCounter } from '../../lib/round-trips.ts';
import { REFERENCE_KINDS, type ReferenceKind } from './kinds.ts';

// Started by dev/bench/reference/start.ts: a server as bare as the runtime allows, for the
// benchmark's limits of the machine. The same wire counter as the bench gateway's, so both pay
// for it alike and report statements and round trips the same way.
const { values } = parseArgs({
  args: Deno.args,
  options: { port: { type: 'string' }, kind: { type: 'string' } },
});
const kind = values.kind as ReferenceKind;
if (!REFERENCE_KINDS.includes(kind)) throw new Error(`Unknown reference server: ${values.kind}`);

const wire = wireCounter();
// The pool of the gateway (DB_POOL_MAX defaults to 10), prepared statements as it has them.
const sql = postgres(Deno.env.get('DATABASE_URL')!, {
  max: 10,
  onnotice: () => {},
  ...wire.options,
});
const claims = Deno.env.get('BENCH_CLAIMS') ?? '{}';

const work: Record<ReferenceKind, () => Promise<unknown>> = {
  constant: () => Promise.resolve(),
  'select 1': () => sql`select 1`,
  // The tracker's transaction limit: a bare RLS transaction as the driver runs it, `sql.begin`
  // with its two statements issued together: `begin`; role and claims with `select 1`; `commit`.
  transaction: () =>
    sql.begin((tx) => [
      tx`select set_config('role', 'authenticated', true),
                set_config('request.jwt.claims', ${claims}, true)`,
      tx`select 1`,
    ]),
  // The least a user transaction can cost: everything in one write, as `asUser` sends a
  // transaction of one statement.
  'one-write transaction': async () => {
    const tx = await sql.reserve();
    try {
      await Promise.all([
        tx`begin`.execute(),
        tx`select set_config('role', 'authenticated', true),
                  set_config('request.jwt.claims', ${claims}, true)`.execute(),
        tx`select 1`.execute(),
        tx`commit`.execute(),
      ]);
    } finally {
      tx.release();
    }
  },
};

Deno.serve(
  { port: Number(values.port), hostname: '127.0.0.1', onListen: () => {} },
  async (req) => {
    if (new URL(req.url).pathname === '/counts') return Response.json(wire.counts);
    await work[kind]();
    return new Response('ok');
  },
);
