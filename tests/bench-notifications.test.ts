import { describe, expect, inject, it } from 'vitest';
import {
  ensureNotificationData,
  explainNotifications,
  NOTIFICATIONS_PER_USER,
  notificationScenarios,
  UNREAD_PER_USER,
} from '../dev/bench/notifications.ts';
import { GROUPS } from '../dev/bench/scenarios.ts';
import { db } from './helpers/db.ts';
import { createUser } from './helpers/users.ts';

describe('bench: notifications', () => {
  it('measures the two polled routes of the group, judged against the floor of the run', () => {
    const scenarios = notificationScenarios([{ id: crypto.randomUUID(), token: 't' }]);
    expect(GROUPS).toContain('notifications');
    const list = `GET /notifications (50 of ${NOTIFICATIONS_PER_USER})`;
    expect(scenarios.map((s) => [s.name, s.group, s.target, s.method, s.next().path])).toEqual([
      [
        'GET /notifications/unread-count',
        'notifications',
        0.8,
        'GET',
        '/functions/v1/notifications/unread-count',
      ],
      [list, 'notifications', 0.5, 'GET', '/functions/v1/notifications'],
    ]);
    expect(scenarios[0].next().headers).toEqual({ authorization: 'Bearer t' });
    expect(scenarios.every((s) => s.against === 'floor')).toBe(true);
  });

  it('gives each user a full history once, closes its pushes, and explains both statements', async () => {
    const users = await Promise.all([createUser(), createUser()]);
    const signedIn = users.map((u) => ({ id: u.id, token: u.token }));
    const lines: string[] = [];
    expect(await ensureNotificationData(db, signedIn, (l) => lines.push(l))).toBe(
      2 * NOTIFICATIONS_PER_USER,
    );
    expect(await ensureNotificationData(db, signedIn, (l) => lines.push(l))).toBe(0);
    expect(lines[1]).toContain('already there');
    const [counts] = await db`
      select count(*)::int as total, count(*) filter (where not is_read)::int as unread,
             count(*) filter (where d.status = 'pending')::int as pending
      from public.notifications n
      join private.push_deliveries d on d.notification_id = n.id
      where n.user_id = ${users[0].id}`;
    expect(counts).toEqual({ total: NOTIFICATIONS_PER_USER, unread: UNREAD_PER_USER, pending: 0 });

    const plans = await explainNotifications(inject('databaseUrl'), users[0].id);
    expect(plans).toHaveLength(2);
    expect(plans[0]).toMatch(/^notifications unread-count: [\d.]+ ms; .*Aggregate/);
    expect(plans[1]).toMatch(/^notifications list: [\d.]+ ms; /);
  });
});
