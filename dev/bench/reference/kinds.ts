/**
 * The reference servers: (a) a constant body, (b) one `select 1` per request, (c) the bare
 * row-level-security transaction, the limit the routes are compared with, and (c′) the same
 * transaction in the single write the API's pipeline gives a one-statement transaction.
 */
export const REFERENCE_KINDS = [
  'constant',
  'select 1',
  'transaction',
  'one-write transaction',
] as const;
export type ReferenceKind = (typeof REFERENCE_KINDS)[number];
