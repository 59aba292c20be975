import type { Sql } from '../db/client.ts';
import type { PushAdapter, PushOutcome } from './adapter.ts';

/**
 * Push delivery: every notification gets a delivery record in the transaction that creates it
 * (migration 20261202002000); this routine claims the due ones, pushes each to every device of
 * its recipient and records the outcome. It runs outside requests (the realtime relay, or the dev
 * stack every few seconds), so a slow or failing provider never delays or fails the request that
 * created the notification. It takes the privileged connection: no single user owns this work.
 */

/** A line of the caller's log: identifiers and counts only, never tokens or texts. */
export type PushLog = (
  level: 'info' | 'error',
  event: string,
  fields?: Record<string, unknown>,
) => void;

export interface DeliveryOptions {
  /** Deliveries claimed at once. Default 50. */
  batchSize?: number;
  /** How long a claim holds its deliveries; after it, another worker may take them. Default 120 s. */
  leaseSeconds?: number;
  /** Requests to the provider under way at once. Default 8. */
  concurrency?: number;
  log?: PushLog;
}

export interface DeliveryReport {
  /** Deliveries taken by the claim, the skipped ones included. */
  claimed: number;
  /** Closed at once with nothing to send: push or reminders off, no device, too old. */
  skipped: number;
  sent: number;
  unsubscribed: number;
  failed: number;
  retried: number;
  /** Outcomes not recorded because the claim had run out and another worker holds it. */
  lost: number;
}

interface Due {
  notification_id: string;
  user_id: string;
  type: string;
  locale: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  tokens: string[];
  attempts: number;
  skip_reason: string | null;
}

const DEFAULTS = { batchSize: 50, leaseSeconds: 120, concurrency: 8 };

const quiet: PushLog = () => {};

/** Runs `work` over `items`, at most `limit` at once; the first failure is thrown once all ended. */
async function eachLimited<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++];
      await work(item).catch((e) => failures.push(e));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failures.length > 0) throw failures[0];
}

/**
 * One pass: claims up to `batchSize` due deliveries (`for update skip locked`: concurrent passes,
 * in this process or others, never claim the same one), sends one request per notification to
 * all of its recipient's tokens, and records each outcome as soon as it is known. Without an
 * adapter (push is off) it does nothing and records nothing.
 */
export async function deliverPush(
  sql: Sql,
  adapter: PushAdapter | undefined,
  options: DeliveryOptions = {},
): Promise<DeliveryReport> {
  const report: DeliveryReport = {
    claimed: 0,
    skipped: 0,
    sent: 0,
    unsubscribed: 0,
    failed: 0,
    retried: 0,
    lost: 0,
  };
  if (!adapter) return report;
  const { batchSize, leaseSeconds, concurrency } = { ...DEFAULTS, ...options };
  const log = options.log ?? quiet;
  const claim = crypto.randomUUID();
  const due = await sql<Due[]>`
    select * from private.claim_push_deliveries(
      ${claim}, ${batchSize}, make_interval(secs => ${leaseSeconds}))`;
  report.claimed = due.length;
  const toSend = due.filter((d) => d.skip_reason === null);
  report.skipped = due.length - toSend.length;

  await eachLimited(toSend, concurrency, async (delivery) => {
    let result: PushOutcome;
    try {
      result = await adapter.send({
        id: delivery.notification_id,
        tokens: delivery.tokens,
        locale: delivery.locale,
        title: delivery.title,
        body: delivery.body,
        data: { ...delivery.data, notification_id: delivery.notification_id, type: delivery.type },
      });
    } catch {
      // An adapter never throws for an answer; this is a bug or a crash inside it: retry later.
      result = { outcome: 'retry', error: 'adapter_error', invalidTokens: [] };
    }
    const error = 'error' in result ? result.error : null;
    const providerId = result.outcome === 'sent' ? result.providerId : null;
    const [{ recorded }] = await sql<[{ recorded: boolean }]>`
      select private.finish_push_delivery(${delivery.notification_id}, ${claim},
        ${result.outcome}, ${error}, ${providerId}, ${result.invalidTokens}::text[]) as recorded`;
    if (!recorded) {
      report.lost++;
      return;
    }
    if (result.outcome === 'sent') report.sent++;
    else if (result.outcome === 'unsubscribed') report.unsubscribed++;
    else if (result.outcome === 'failed') report.failed++;
    else report.retried++;
    if (result.outcome === 'failed' || result.outcome === 'retry') {
      log('error', 'push_attempt_failed', {
        notification_id: delivery.notification_id,
        attempt: delivery.attempts,
        error,
        will_retry: result.outcome === 'retry',
      });
    }
  });
  return report;
}

export interface PushWorker {
  /** Resolves once the pass under way, if any, has ended. */
  stop(): Promise<void>;
}

export interface PushWorkerOptions extends DeliveryOptions {
  /** Pause between passes when the last one found fewer than a batch. Default 3 s. */
  intervalMs?: number;
}

/**
 * Runs `deliverPush` until stopped: pass after pass while full batches come back, then every
 * `intervalMs`. A failed pass (the database away) is logged and the next one tried. Without an
 * adapter, logs once that push is off and runs nothing: notifications stay in the centre only.
 */
export function startPushWorker(
  sql: Sql,
  adapter: PushAdapter | undefined,
  options: PushWorkerOptions = {},
): PushWorker {
  const log = options.log ?? quiet;
  if (!adapter) {
    log('info', 'push_off', {
      reason: 'ONESIGNAL_APP_ID and ONESIGNAL_REST_API_KEY are not set',
    });
    return { stop: async () => {} };
  }
  const intervalMs = options.intervalMs ?? 3000;
  const batchSize = options.batchSize ?? DEFAULTS.batchSize;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;

  const pass = async () => {
    try {
      let report: DeliveryReport;
      do {
        report = await deliverPush(sql, adapter, options);
      } while (!stopped && report.claimed === batchSize);
    } catch (e) {
      log('error', 'push_pass_failed', { code: (e as { code?: string })?.code ?? 'unknown' });
    }
    if (!stopped) timer = setTimeout(() => (running = pass()), intervalMs);
  };
  running = pass();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
