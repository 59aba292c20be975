export { israelDate } from '../../dev/lib/israel-date.ts';
import { db } from './db.ts';
import { createUser, type TestUser } from './users.ts';

export interface Practice {
  user: TestUser;
  id: string;
}

/**
 * A practitioner open every day from `start` to `end` in slots of `minutes`, in Israel, taking
 * new patients unless told otherwise.
 */
export async function openPractice(
  options: {
    start?: string;
    end?: string;
    minutes?: number;
    acceptingNewPatients?: boolean;
    firstName?: string;
    lastName?: string;
  } = {},
): Promise<Practice> {
  const user = await createUser({
    role: 'practitioner',
    firstName: options.firstName ?? 'Yossi',
    lastName: options.lastName ?? 'Levi',
  });
  await db`update public.practitioners
    set is_accepting_new_patients = ${options.acceptingNewPatients ?? true},
        time_zone = 'Asia/Jerusalem', is_active = true
    where id = ${user.id}`;
  await db`insert into public.practitioner_weekly_schedule
      (practitioner_id, day_of_week, start_time, end_time, slot_duration_minutes)
    select ${user.id}, d, ${options.start ?? '08:00'}, ${options.end ?? '18:00'},
           ${options.minutes ?? 30}
    from generate_series(0, 6) d`;
  return { user, id: user.id };
}
