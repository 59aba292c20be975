import type { Tx } from '../../shared/db/client.ts';
import { isoTimestamp } from '../../shared/db/timestamps.ts';
import type { JsonText } from '../../shared/http/json-text.ts';
import type { Notification, PushTokenRegistration, UnreadCount } from './schemas.ts';

// Each query is one statement, handed back unsent: `asUser` sends it with its commit in one
// write. RLS keeps every statement to the caller's rows; the owner filter stays so the indexes
// on user_id serve it (and a later policy opening someone else's rows changes nothing here).

/** How many the centre lists: the contract's "max 50". */
export const NOTIFICATIONS_LISTED = 50;

/**
 * The latest 50, newest first, as JSON built by PostgreSQL. `created_at desc, id` is the order
 * of notifications_user_idx, so the page is read from the index in order and stops at 50.
 */
export function listNotifications(tx: Tx, userId: string) {
  return tx<[{ notifications: JsonText<Notification[]> }]>`
    select coalesce(json_agg(json_build_object(
             'id', n.id, 'user_id', n.user_id, 'type', n.type, 'title', n.title, 'body', n.body,
             'data', n.data, 'is_read', n.is_read,
             'created_at', ${isoTimestamp(tx, tx`n.created_at`)})
           order by n.created_at desc, n.id), '[]')::text as notifications
    from (
      select * from public.notifications
      where user_id = ${userId}
      order by created_at desc, id
      limit ${NOTIFICATIONS_LISTED}
    ) n`;
}

/** An index-only scan of the partial index notifications_unread_idx: the clients poll it. */
export function countUnread(tx: Tx, userId: string) {
  return tx<[UnreadCount]>`
    select count(*)::int as count from public.notifications
    where user_id = ${userId} and not is_read`;
}

/** Idempotent; no row when the notification is not the caller's (or does not exist). */
export function markRead(tx: Tx, userId: string, id: string) {
  return tx<{ id: string }[]>`
    update public.notifications set is_read = true
    where id = ${id} and user_id = ${userId}
    returning id`;
}

/** Only the unread ones are written; the partial index finds them. */
export function markAllRead(tx: Tx, userId: string) {
  return tx`
    update public.notifications set is_read = true
    where user_id = ${userId} and not is_read`;
}

/** To the caller, even from another user (app.register_push_token, migration 20261202002000). */
export function registerPushToken(tx: Tx, { token, platform }: PushTokenRegistration) {
  return tx`select app.register_push_token(${token}, ${platform}::public.push_platform)`;
}

/** The caller's token only; someone else's, or none, deletes nothing. */
export function removePushToken(tx: Tx, userId: string, token: string) {
  return tx`delete from public.push_tokens where token = ${token} and user_id = ${userId}`;
}
