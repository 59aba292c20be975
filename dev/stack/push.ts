import postgres from 'postgres';
import type { PushConfig } from '../../shared/config.ts';
import { type PushLog, type PushWorker, startPushWorker } from '../../shared/push/deliver.ts';
import { pushAdapterFor } from '../../shared/push/onesignal.ts';

/** How often the dev stack looks for notifications to push. */
export const PUSH_INTERVAL_MS = 3000;

/**
 * Push delivery for `npm run dev`: the routine the realtime relay will run, here every few
 * seconds on a connection of its own, with the OneSignal settings the functions get. Without
 * them it says once that push is off, and runs nothing.
 */
export function startDevPush(
  databaseUrl: string,
  settings: PushConfig | undefined,
  print: (line: string) => void,
  intervalMs = PUSH_INTERVAL_MS,
): PushWorker {
  const log: PushLog = (_level, event, fields = {}) =>
    print(
      event === 'push_off'
        ? 'Push notifications are off: set ONESIGNAL_APP_ID and ONESIGNAL_REST_API_KEY to send them.'
        : `Push: ${event} ${JSON.stringify(fields)}`,
    );
  // postgres.js connects on the first query: with push off, never.
  const sql = postgres(databaseUrl, { max: 2, idle_timeout: 30, onnotice: () => {} });
  const worker = startPushWorker(sql, pushAdapterFor(settings), { intervalMs, log });
  return {
    stop: async () => {
      await worker.stop();
      await sql.end({ timeout: 1 });
    },
  };
}
