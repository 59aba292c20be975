import { systemDb, type Tx } from './client.ts';

export interface JwtClaims {
  sub: string;
  role?: string;
  [claim: string]: unknown;
}

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

function asRole<T>(role: string, claims: object, work: (tx: Tx) => Promise<T>): Promise<T> {
  return systemDb().begin(async (tx) => {
    await tx`select set_config('role', ${role}, true),
                    set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    return await work(tx);
  }) as Promise<T>;
}
