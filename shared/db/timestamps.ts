import type { Fragment, Tx } from './client.ts';

/**
 * A timestamptz as the API sends every timestamp: ISO-8601 in UTC with microseconds and a `Z`
 * (`2026-03-05T08:30:15.500000Z`), whatever the session's time zone. Left to itself PostgreSQL
 * writes the session's offset (`json_build_object`, `row_to_json`, a `::text` cast).
 */
export const isoTimestamp = (tx: Tx, timestamp: Fragment): Fragment =>
  tx`to_char(${timestamp} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
