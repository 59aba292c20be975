import { systemDb, type Tx, withinStatementTimeout } from './client.ts';
import { isConnectionLost } from './connection-lost.ts';
import type { JwtClaims } from '../auth/user.ts';

/**
 * Runs `work` in one transaction as the `authenticated` role with the caller's JWT claims, the
 * way PostgREST does for supabase-js, so row-level security applies to every statement.
 */
export function asUser<T>(claims: JwtClaims, work: (tx: Tx) => Promise<T>): Promise<T> {
  return asRole('authenticated', claims, work);
}

/** Runs `work` in one transaction as the `anon` role: public routes see what RLS shows everyone. */
export function asAnon<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
  return asRole('anon', { role: 'anon' }, work);
}

/** A postgres.js statement not sent yet: a promise that runs when asked to. */
const isStatement = (
  outcome: unknown,
): outcome is Promise<unknown> & { execute(): Promise<unknown> } =>
  outcome instanceof Promise && typeof (outcome as { execute?: unknown }).execute === 'function';

async function firstFailure(statements: Promise<unknown>[]): Promise<unknown> {
  for (const outcome of await Promise.allSettled(statements)) {
    if (outcome.status === 'rejected') return outcome.reason;
  }
}

/**
 * The transaction's opening (`begin`, then the role and claims) is issued without waiting, so
 * it leaves with the work's first statement in one write: one round trip, then the commit (in
 * the same write too when the work is a single statement it hands back unawaited).
 * `sql.begin` would wait for `begin` alone first. Statements run in the order they were issued
 * on the one reserved connection, so RLS already applies to the first statement of the work;
 * if the opening fails, the transaction is aborted and the work's statements fail with it.
 */
async function asRole<T>(role: string, claims: object, work: (tx: Tx) => Promise<T>): Promise<T> {
  const tx = await withinStatementTimeout(systemDb().reserve(), (late) => late.release());
  const opening = [
    tx`begin`.execute(),
    tx`select set_config('role', ${role}, true),
              set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`.execute(),
  ];
  // Their failures are reported below, in order, rather than as unhandled rejections.
  for (const statement of opening) statement.catch(() => {});
  // A connection lost on the way is back in the driver's closed queue already: releasing it
  // would hand the dead connection to the next request, and a rollback would run on whatever
  // the driver reconnected it for.
  let usable = true;
  try {
    const outcome = work(tx);
    // Work that is one statement, handed back unawaited, leaves with the commit right behind
    // it: the whole transaction is one write. (After a failed statement, PostgreSQL answers
    // the commit with a rollback.)
    const commit = isStatement(outcome) ? [outcome.execute(), tx`commit`.execute()][1] : undefined;
    commit?.catch(() => {});
    const result = await outcome;
    await Promise.all(opening);
    await (commit ?? tx`commit`);
    return result;
  } catch (e) {
    const cause = (await firstFailure(opening)) ?? e;
    usable = !isConnectionLost(cause) && !isConnectionLost(e);
    if (usable) {
      await tx`rollback`.catch((rollbackError) => {
        usable = !isConnectionLost(rollbackError);
      });
    }
    throw cause;
  } finally {
    if (usable) tx.release();
  }
}
