/**
 * The reference servers: (a) a constant body, (b) one `select 1` per request, (c) the bare
 * row-level-security transaction, the limit the routes are compared with.
 */
export const REFERENCE_KINDS = ['constant', 'select 1', 'transaction'] as const;
export type ReferenceKind = (typeof REFERENCE_KINDS)[number];
