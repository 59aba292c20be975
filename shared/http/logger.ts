import { config } from '../config.ts';

type Level = 'debug' | 'info' | 'error';
const order: Record<Level | 'silent', number> = { debug: 0, info: 1, error: 2, silent: 3 };

/**
 * One JSON object per line. Callers pass identifiers and measurements only: never bodies,
 * tokens, database error texts or health data.
 */
export function log(level: Level, event: string, fields: Record<string, unknown> = {}): void {
  if (order[level] < order[config().logLevel]) return;
  const line = JSON.stringify({ level, event, time: new Date().toISOString(), ...fields });
  if (level === 'error') console.error(line);
  else console.log(line);
}
