import type { Tx } from '../../shared/db/client.ts';
import type { Settings, SettingsPatch } from './schemas.ts';

// Each query is one statement, handed back unsent: `asUser` sends it with its commit in one write.

/** The stored settings, or the column defaults when the user never saved any. */
export function readSettings(tx: Tx, userId: string) {
  return tx<[Settings]>`
    select coalesce(s.notifications_enabled, true) as notifications_enabled,
           coalesce(s.reminders_enabled, true) as reminders_enabled,
           coalesce(s.locale, 'fr') as locale
    from (select ${userId}::uuid as user_id) me
    left join public.user_settings s using (user_id)`;
}

/** Creates the row on first save; a field left out keeps its current (or default) value. */
export function saveSettings(tx: Tx, userId: string, patch: SettingsPatch) {
  return tx<[Settings]>`
    insert into public.user_settings as s (user_id, notifications_enabled, reminders_enabled, locale)
    values (${userId}, coalesce(${patch.notifications_enabled ?? null}::boolean, true),
            coalesce(${patch.reminders_enabled ?? null}::boolean, true),
            coalesce(${patch.locale ?? null}::public.app_locale, 'fr'))
    on conflict (user_id) do update set
      notifications_enabled = coalesce(${
    patch.notifications_enabled ?? null
  }::boolean, s.notifications_enabled),
      reminders_enabled = coalesce(${
    patch.reminders_enabled ?? null
  }::boolean, s.reminders_enabled),
      locale = coalesce(${patch.locale ?? null}::public.app_locale, s.locale)
    returning notifications_enabled, reminders_enabled, locale`;
}
