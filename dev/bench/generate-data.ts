import postgres from 'postgres';
import { loadBenchData } from './data.ts';
import { openBenchDatabase } from './environment.ts';
import { BenchUsageError, parseBenchOptions } from './options.ts';

// `npm run bench:data`: the generated directory alone, in the database `npm run bench` uses.
try {
  const { practitioners } = parseBenchOptions(process.argv.slice(2), process.env);
  const database = await openBenchDatabase(console.log);
  const sql = postgres(database.url, { max: 1, onnotice: () => {} });
  try {
    console.log(`Database: ${database.origin}.`);
    await loadBenchData(sql, practitioners, console.log);
  } finally {
    await sql.end();
    await database.stop();
  }
} catch (e) {
  console.error(
    e instanceof BenchUsageError ? e.message : `Bench data failed: ${(e as Error).message}`,
  );
  process.exit(e instanceof BenchUsageError ? 2 : 1);
}
