import postgres from 'postgres';
import { countUnread, listNotifications } from '../../functions/notifications/queries.ts';
import type { SignedInUser } from './fixtures.ts';
import { summarisePlans } from './plan.ts';
import type { Scenario } from './scenarios.ts';

// The `notifications` group of the benchmark (issue 10): its data, its routes, their verdicts
// and the plans of their statements. run.ts calls these four.

/** Per bench user: more than one page of the list (50), and the unread ones the apps poll for. */
export const NOTIFICATIONS_PER_USER = 120;
export const UNREAD_PER_USER = 12;

const FUNCTIONS = '/functions/v1';

/**
 * NOTIFICATIONS_PER_USER notifications for each bench user who has none, one hour apart, the
 * UNREAD_PER_USER newest unread, with texts of the length the templates write. Idempotent. Vacuumed, as autovacuum leaves a table in use: the unread count
 * is an index-only scan, which needs the visibility map.
 */
export async function ensureNotificationData(
  sql: postgres.Sql,
  users: SignedInUser[],
  log: (line: string) => void,
): Promise<number> {
  const added = await sql`
    insert into public.notifications (user_id, type, title, body, data, is_read, created_at)
    select u.id,
           (array['appointment_confirmed', 'new_message', 'appointment_reminder',
                  'appointment_cancelled']::public.notification_type[])[1 + i % 4],
           'Rendez-vous confirmé',
           format('Dr Levi a confirmé le rendez-vous du %s mars 2027 à 10:30.', 1 + i % 28),
           jsonb_build_object('appointment_id', gen_random_uuid()),
           i > ${UNREAD_PER_USER},
           now() - make_interval(hours => i)
    from unnest(${users.map((u) => u.id)}::uuid[]) u(id)
    cross join generate_series(1, ${NOTIFICATIONS_PER_USER}) i
    where not exists (select from public.notifications n where n.user_id = u.id)`;
  if (added.count > 0) {
    // These are not to be pushed: close their deliveries as a push run would close old ones.
    await sql`
      update private.push_deliveries d set status = 'skipped', skip_reason = 'expired',
        finished_at = now()
      from public.notifications n
      where n.id = d.notification_id and d.status = 'pending'
        and n.user_id = any(${users.map((u) => u.id)}::uuid[])`;
    await sql`vacuum (analyze) public.notifications, private.push_deliveries`;
  }
  log(
    added.count > 0
      ? `Notifications: added ${added.count} (${NOTIFICATIONS_PER_USER} per bench user).`
      : `Notifications: ${NOTIFICATIONS_PER_USER} per bench user, already there.`,
  );
  return added.count;
}

const UNREAD_COUNT = 'GET /notifications/unread-count';
const LIST = `GET /notifications (50 of ${NOTIFICATIONS_PER_USER})`;

/** The two routes the apps poll: the unread count (every 30 s) and the centre's list. */
export function notificationScenarios(users: SignedInUser[]): Scenario[] {
  // Issue 10 states these targets as shares of the floor of the same run.
  const get = (name: string, path: string, target: number): Scenario => ({
    name,
    group: 'notifications',
    target,
    against: 'floor',
    method: 'GET',
    next: () => ({
      path: `${FUNCTIONS}/notifications${path}`,
      headers: {
        authorization: `Bearer ${users[Math.floor(Math.random() * users.length)].token}`,
      },
    }),
  });
  return [get(UNREAD_COUNT, '/unread-count', 0.8), get(LIST, '', 0.5)];
}

/**
 * EXPLAIN (ANALYZE, FORMAT JSON) of the statements the two routes send, as the route sends them:
 * captured from the route's own query function, run as the user with their claims (RLS), rolled
 * back. One line each: time, node types, indexes, sequential scans.
 */
export async function explainNotifications(
  databaseUrl: string,
  userId: string,
): Promise<string[]> {
  const sent: Array<{ text: string; parameters: unknown[] }> = [];
  const sql = postgres(databaseUrl, {
    max: 1,
    onnotice: () => {},
    debug: (_c, text, parameters) => sent.push({ text, parameters }),
  });
  const rollback = new Error('rollback');
  const lines: string[] = [];
  try {
    for (
      const [label, query] of [
        ['unread-count', countUnread],
        ['list', listNotifications],
      ] as const
    ) {
      await sql.begin(async (tx) => {
        await tx`select set_config('role', 'authenticated', true),
          set_config('request.jwt.claims', ${
          JSON.stringify({ sub: userId, role: 'authenticated' })
        }, true)`;
        await query(tx, userId);
        const statement = sent.at(-1)!;
        const [row] = await tx.unsafe(
          `explain (analyze, format json) ${statement.text}`,
          statement.parameters as never[],
        );
        const [plan] = row['QUERY PLAN'];
        const summary = summarisePlans(label, [plan], plan['Execution Time'] ?? 0);
        const nodes = Object.entries(summary.nodeTypes).map(([t, n]) => `${t} x${n}`);
        lines.push(
          `notifications ${label}: ${summary.executionMs.toFixed(2)} ms; ${nodes.join(', ')}; ` +
            `indexes: ${summary.indexes.join(', ') || 'none'}; ` +
            `seq scans: ${summary.seqScans.join(', ') || 'none'}`,
        );
        throw rollback;
      }).catch((e) => {
        if (e !== rollback) throw e;
      });
    }
  } finally {
    await sql.end();
  }
  return lines;
}
