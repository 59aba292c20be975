import postgres from 'postgres';
import { afterAll, inject } from 'vitest';
import { textDates } from '../../shared/db/client.ts';

/** A superuser connection for arranging data and asserting on it, closed after the file. */
export const db = postgres(inject('databaseUrl'), {
  max: 2,
  onnotice: () => {},
  types: textDates,
});

afterAll(async () => {
  await db.end();
});

/** Row counts of tables, to assert that a refused request changed nothing. */
export async function snapshot(tables: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const [{ n }] = await db.unsafe(`select count(*)::int as n from ${table}`);
    counts[table] = n;
  }
  return counts;
}
