import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeDb } from '../../shared/db/client.ts';
import { db } from '../helpers/db.ts';
import { lastEventId, patient, practitioner, relativeOf } from '../helpers/lifecycle.ts';
import {
  appointment,
  loadApp,
  remindedCounts,
  remindersAbout,
  type RemindersApp,
  runAt,
  runForced,
  setAddress,
  setLocale,
} from './helpers.ts';

// Every test works on days of its own, years ahead: a scheduled run reminds every confirmed
// appointment of the next day in the whole database, and no other test books on those days.

let app: RemindersApp;
beforeAll(async () => {
  app = await loadApp();
});
afterAll(closeDb);

// Only Date is faked: the function's clock says what time it is in Israel; timers stay real.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** `date` plus `days`, YYYY-MM-DD. */
function plusDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Israel's offset from UTC at that instant, in hours. */
function israelOffset(instant: string): number {
  const name = new Intl.DateTimeFormat('en-US', {
    timeZone: 'Asia/Jerusalem',
    timeZoneName: 'shortOffset',
  }).formatToParts(new Date(instant)).find((p) => p.type === 'timeZoneName')!.value;
  return Number(name.replace('GMT', ''));
}

/**
 * One practitioner and a set of appointments around `day + 1`: those that must be reminded,
 * and those that must not (another status, another day, reminders turned off).
 */
async function arrangeDay(day: string, timeZone = 'Asia/Jerusalem') {
  const tomorrow = plusDays(day, 1);
  const dr = await practitioner({ firstName: 'Dana', lastName: 'Levi', timeZone });
  const [avi, noa, eli, off] = await Promise.all([
    patient('Avi', 'Cohen'),
    patient('Noa', 'Mizrahi'),
    patient('Eli', 'Katz'),
    patient('Off', 'Reminders'),
  ]);
  await setLocale(off.id, 'en', false);
  const base = { practitionerId: dr.id };
  const due = [
    await appointment({ ...base, patientId: avi.id, date: tomorrow, start: '09:00' }),
    await appointment({ ...base, patientId: noa.id, date: tomorrow, start: '09:30' }),
    // The first and the last minutes of the day count.
    await appointment({ ...base, patientId: eli.id, date: tomorrow, start: '00:00' }),
    await appointment({ ...base, patientId: eli.id, date: tomorrow, start: '23:30' }),
  ];
  const notDue = [
    await appointment({
      ...base,
      patientId: avi.id,
      date: tomorrow,
      start: '10:00',
      status: 'pending',
    }),
    await appointment({
      ...base,
      patientId: avi.id,
      date: tomorrow,
      start: '10:30',
      status: 'cancelled_by_patient',
    }),
    await appointment({
      ...base,
      patientId: avi.id,
      date: tomorrow,
      start: '11:00',
      status: 'cancelled_by_practitioner',
    }),
    await appointment({ ...base, patientId: noa.id, date: day, start: '12:00' }),
    await appointment({ ...base, patientId: noa.id, date: plusDays(day, 2), start: '12:00' }),
  ];
  const turnedOff = await appointment({
    ...base,
    patientId: off.id,
    date: tomorrow,
    start: '11:30',
  });
  return { due, notDue, turnedOff, all: [...due, ...notDue, turnedOff] };
}

/** Each due appointment reminded once, nothing else. */
async function expectRemindedOnce(arranged: Awaited<ReturnType<typeof arrangeDay>>) {
  expect(await remindedCounts(arranged.all)).toEqual(
    Object.fromEntries(arranged.due.map((id) => [id, 1])),
  );
}

describe('POST /reminders/run: 18:00 in Israel, right across clock changes', () => {
  const SPRING_FORWARD = '2037-03-27'; // Friday: 02:00 -> 03:00, UTC+2 -> UTC+3
  const FALL_BACK = '2037-10-25'; // Sunday: 02:00 -> 01:00, UTC+3 -> UTC+2

  it('knows the days it tests', () => {
    expect([israelOffset('2037-01-14T15:00:00Z'), israelOffset('2037-07-15T15:00:00Z')])
      .toEqual([2, 3]);
    expect(israelOffset(`${SPRING_FORWARD}T00:30:00Z`)).toBe(3);
    expect(israelOffset(`${plusDays(SPRING_FORWARD, -1)}T21:00:00Z`)).toBe(2);
    expect(israelOffset(`${FALL_BACK}T00:30:00Z`)).toBe(2);
    expect(israelOffset(`${plusDays(FALL_BACK, -1)}T21:00:00Z`)).toBe(3);
  });

  // At 15:00 UTC it is 17:00 in winter and 18:00 in summer; at 16:00 UTC, 18:00 and 19:00.
  it.each([
    ['a winter day (UTC+2)', 'too_early', 'ran', '2037-01-14'],
    ['a summer day (UTC+3)', 'ran', 'already_ran', '2037-07-15'],
    ['the spring-forward day (UTC+3 by 15:00 UTC)', 'ran', 'already_ran', SPRING_FORWARD],
    ['the fall-back day (UTC+2 by 15:00 UTC)', 'too_early', 'ran', FALL_BACK],
  ])('%s: the run at 15:00 UTC answers %s, the one at 16:00 UTC %s', async (_, at15, at16, day) => {
    const arranged = await arrangeDay(day);
    const first = await runAt(app, `${day}T15:00:00Z`);
    expect(first.status).toBe(200);
    const second = await runAt(app, `${day}T16:00:00Z`);
    expect(second.status).toBe(200);
    const acted = at15 === 'ran' ? first : second;
    const idle = at15 === 'ran' ? second : first;
    expect(acted.body).toEqual({ date: day, created: 4, skipped: 1, outcome: 'ran' });
    expect(idle.body).toEqual({
      date: day,
      created: 0,
      skipped: 0,
      outcome: at15 === 'ran' ? at16 : at15,
    });
    await expectRemindedOnce(arranged);
    // The next runs of the day, and the day after's early one, add nothing.
    expect((await runAt(app, `${day}T20:59:00Z`)).body.outcome).toBe('already_ran');
    expect((await runAt(app, `${plusDays(day, 1)}T05:00:00Z`)).body).toMatchObject({
      date: plusDays(day, 1),
      outcome: 'too_early',
      created: 0,
    });
    await expectRemindedOnce(arranged);
  });

  it('reminds on the eve of each clock change the appointments of the changing day', async () => {
    // Another year's changes (2038: Friday 26 March, Sunday 31 October), so that the days of
    // the test above stay out of it. On the fall-back night 01:30 happens twice; on the spring-forward night 02:30 never does,
    // so the practice works 03:00 onwards. The text shows the practitioner's wall clock.
    const [springForward, fallBack] = ['2038-03-26', '2038-10-31'];
    expect([israelOffset(`${springForward}T00:30:00Z`), israelOffset(`${fallBack}T00:30:00Z`)])
      .toEqual([3, 2]);
    const dr = await practitioner({ firstName: 'Dana', lastName: 'Levi' });
    const pat = await patient('Avi', 'Cohen');
    await setLocale(pat.id, 'en');
    const fall = await appointment({
      practitionerId: dr.id,
      patientId: pat.id,
      date: fallBack,
      start: '01:30',
    });
    const spring = await appointment({
      practitionerId: dr.id,
      patientId: pat.id,
      date: springForward,
      start: '03:00',
    });
    // The eves are still in the old offset: 15:00 UTC is 18:00 before fall-back (UTC+3) and
    // 17:00 before spring-forward (UTC+2).
    const fallEve = plusDays(fallBack, -1);
    expect((await runAt(app, `${fallEve}T15:00:00Z`)).body)
      .toEqual({ date: fallEve, created: 1, skipped: 0, outcome: 'ran' });
    const springEve = plusDays(springForward, -1);
    expect((await runAt(app, `${springEve}T15:00:00Z`)).body.outcome).toBe('too_early');
    expect((await runAt(app, `${springEve}T16:00:00Z`)).body)
      .toEqual({ date: springEve, created: 1, skipped: 0, outcome: 'ran' });
    const texts = (await remindersAbout([fall, spring])).map((n) => n.body);
    expect(texts).toEqual([
      'Reminder: Avi Cohen sees Dana Levi tomorrow, October 31, 2038 at 01:30.',
      'Reminder: Avi Cohen sees Dana Levi tomorrow, March 26, 2038 at 03:00.',
    ]);
  });

  it("reminds by the date on the practitioner's own clock, whatever their zone", async () => {
    const day = '2037-02-03';
    const arranged = await arrangeDay(day, 'America/New_York');
    expect((await runAt(app, `${day}T16:00:00Z`)).body)
      .toEqual({ date: day, created: 4, skipped: 1, outcome: 'ran' });
    await expectRemindedOnce(arranged);
  });

  it('writes each reminder with its notification:new event, in the same transaction', async () => {
    const day = '2037-02-07';
    const arranged = await arrangeDay(day);
    const after = await lastEventId();
    await runAt(app, `${day}T16:00:00Z`);
    const notes = await remindersAbout(arranged.due);
    const events = await db<{ user_id: string; payload: Record<string, unknown> }[]>`
      select user_id, payload from private.events
      where id > ${after} and event = 'notification:new'
        and payload ->> 'type' = 'appointment_reminder'
        and (payload -> 'data' ->> 'appointment_id')::uuid = any (${arranged.all}::uuid[])
      order by id`;
    expect(events.map((e) => e.payload.id).sort()).toEqual(notes.map((n) => n.id).sort());
    for (const note of notes) {
      const event = events.find((e) => e.payload.id === note.id)!;
      expect(event.user_id).toBe(note.user_id);
      expect(event.payload).toMatchObject({ title: note.title, body: note.body, is_read: false });
      expect(note.data).toEqual({
        appointment_id: expect.any(String),
        practitioner_id: expect.any(String),
      });
    }
    const sent = await db<{ appointment_id: string; notification_id: string }[]>`
      select appointment_id, notification_id from private.reminders_sent
      where appointment_id = any (${arranged.all}::uuid[])`;
    expect(sent.map((s) => s.notification_id).sort()).toEqual(notes.map((n) => n.id).sort());
    expect(await db`select created, skipped from private.reminder_days where day = ${day}`)
      .toEqual([{ created: 4, skipped: 1 }]);
  });
});

describe('exactly once', () => {
  it('two scheduled runs at once: one runs the day, the other finds it done', async () => {
    const day = '2037-02-10';
    const arranged = await arrangeDay(day);
    vi.setSystemTime(new Date(`${day}T16:00:05Z`));
    const answers = await Promise.all([
      runAt(app, `${day}T16:00:05Z`),
      runAt(app, `${day}T16:00:05Z`),
    ]);
    expect(answers.map((a) => a.body.outcome).sort()).toEqual(['already_ran', 'ran']);
    expect(answers.map((a) => a.body.created).sort()).toEqual([0, 4]);
    await expectRemindedOnce(arranged);
  });

  it('two forced runs at once, then a repeated one: each reminder is created once', async () => {
    const day = '2037-02-12';
    const arranged = await arrangeDay(day);
    const answers = await Promise.all([runForced(app, day), runForced(app, day)]);
    for (const a of answers) expect(a.status).toBe(200);
    expect(answers.map((a) => a.body.created).sort()).toEqual([0, 4]);
    expect(answers.map((a) => a.body.skipped).sort()).toEqual([1, 5]);
    expect(answers[0].body).toMatchObject({ date: day, outcome: 'forced' });
    const again = await runForced(app, day);
    expect(again.body).toEqual({ date: day, created: 0, skipped: 5, outcome: 'forced' });
    // A forced run does not claim the day: the scheduled one still runs, and adds nothing.
    expect((await runAt(app, `${day}T16:00:00Z`)).body)
      .toEqual({ date: day, created: 0, skipped: 5, outcome: 'ran' });
    await expectRemindedOnce(arranged);
  });

  it('a forced run before 18:00, then the scheduled run: only the later bookings are added', async () => {
    const day = '2037-02-17';
    const arranged = await arrangeDay(day);
    vi.setSystemTime(new Date(`${day}T10:00:00Z`));
    expect((await runForced(app, day)).body).toMatchObject({ created: 4, skipped: 1 });
    const dr = await practitioner();
    const late = await appointment({
      practitionerId: dr.id,
      patientId: (await patient()).id,
      date: plusDays(day, 1),
      start: '09:00',
    });
    expect((await runAt(app, `${day}T16:00:00Z`)).body)
      .toEqual({ date: day, created: 1, skipped: 5, outcome: 'ran' });
    expect(await remindedCounts([...arranged.all, late])).toEqual(
      Object.fromEntries([...arranged.due, late].map((id) => [id, 1])),
    );
  });

  it('through the SQL function too: called twice, or at once, it reminds once', async () => {
    const day = '2037-02-19';
    const arranged = await arrangeDay(day);
    const [a, b] = await Promise.all([
      db`select * from private.send_appointment_reminders(${day})`,
      db`select * from private.send_appointment_reminders(${day})`,
    ]);
    expect([a[0].created, b[0].created].sort()).toEqual([0, 4]);
    expect(await db`select * from private.send_appointment_reminders(${day})`)
      .toEqual([{ created: 0, skipped: 5 }]);
    await expectRemindedOnce(arranged);
  });
});

describe('what is reminded', () => {
  it('an appointment cancelled after its reminder is not reminded again', async () => {
    const day = '2037-03-03';
    const arranged = await arrangeDay(day);
    await runForced(app, day);
    await db`update public.appointments set status = 'cancelled_by_practitioner'
      where id = ${arranged.due[0]}`;
    expect((await runAt(app, `${day}T16:00:00Z`)).body)
      .toEqual({ date: day, created: 0, skipped: 4, outcome: 'ran' });
    await expectRemindedOnce(arranged);
  });

  it('an appointment moved to tomorrow after the 18:00 run is not reminded', async () => {
    const day = '2037-03-09';
    const arranged = await arrangeDay(day);
    expect((await runAt(app, `${day}T16:00:00Z`)).body.outcome).toBe('ran');
    // Moved from the day after tomorrow to tomorrow at 20:00 Israel time.
    const moved = arranged.notDue[4];
    await db`update public.appointments set appointment_date = ${plusDays(day, 1)}
      where id = ${moved}`;
    vi.setSystemTime(new Date(`${day}T18:00:00Z`));
    expect((await runAt(app, `${day}T18:00:00Z`)).body.outcome).toBe('already_ran');
    expect(await remindedCounts([moved])).toEqual({});
  });

  it('an appointment reminded for another day, then moved to tomorrow, is not reminded again', async () => {
    const day = '2037-03-12';
    const dr = await practitioner();
    const pat = await patient();
    const id = await appointment({
      practitionerId: dr.id,
      patientId: pat.id,
      date: plusDays(day, 2),
      start: '09:00',
    });
    expect((await runForced(app, plusDays(day, 1))).body).toMatchObject({ created: 1 });
    await db`update public.appointments set appointment_date = ${plusDays(day, 1)}
      where id = ${id}`;
    expect((await runForced(app, day)).body).toMatchObject({ created: 0, skipped: 1 });
    expect(await remindedCounts([id])).toEqual({ [id]: 1 });
  });

  it('an appointment that has already begun is not reminded', async () => {
    // The run for yesterday: its "tomorrow" is today, whose 00:00 has passed. Rolled back, so
    // the appointments of today that other tests book get no reminder.
    const dr = await practitioner();
    const pat = await patient();
    const israelToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jerusalem' })
      .format(new Date());
    const started = await appointment({
      practitionerId: dr.id,
      patientId: pat.id,
      date: israelToday,
      start: '00:00',
    });
    const reminded = await db.begin(async (tx) => {
      await tx`select * from private.send_appointment_reminders(${plusDays(israelToday, -1)})`;
      const rows = await tx`select 1 from private.reminders_sent where appointment_id = ${started}`;
      throw Object.assign(new Error('rolled back'), { rows });
    }).catch((e) => e.rows);
    expect(reminded).toEqual([]);
  });
});

describe("the text, in the patient's language", () => {
  const LOCALES = ['fr', 'he', 'en', 'ru', 'am', 'es'] as const;

  it('is what private.notify writes, in each of the six languages, for a relative too', async () => {
    const day = '2037-04-06';
    const dr = await practitioner({ firstName: 'Dana', lastName: 'Levi' });
    await setAddress(dr.id, 'Herzl Street', '12', 'Tel Aviv');
    const cases: { id: string; patientId: string }[] = [];
    for (const [i, locale] of LOCALES.entries()) {
      const pat = await patient('Avi', `Cohen-${locale}`);
      await setLocale(pat.id, locale);
      const relative = i % 2 === 0 ? await relativeOf(pat, 'Noa', `Cohen-${locale}`) : null;
      const id = await appointment({
        practitionerId: dr.id,
        patientId: pat.id,
        relativeId: relative,
        date: plusDays(day, 1),
        start: `${String(9 + i).padStart(2, '0')}:00`,
      });
      cases.push({ id, patientId: pat.id });
    }
    expect((await runForced(app, day)).body).toMatchObject({ created: 6, skipped: 0 });
    const notes = await remindersAbout(cases.map((c) => c.id));
    for (const c of cases) {
      const note = notes.find((n) => n.data.appointment_id === c.id)!;
      expect(note.user_id).toBe(c.patientId);
      // What the one notification writer makes of the same appointment, rolled back.
      const expected = await db.begin(async (tx) => {
        const data = { appointment_id: c.id, practitioner_id: dr.id };
        const [{ id }] = await tx`
          select private.notify(${c.patientId}, 'appointment_reminder', ${tx.json(data)}) as id`;
        const [row] = await tx`select title, body, data from public.notifications where id = ${id}`;
        throw Object.assign(new Error('rolled back'), { row });
      }).catch((e) => e.row);
      expect({ title: note.title, body: note.body, data: note.data }).toEqual(expected);
    }
    const byLocale = Object.fromEntries(
      LOCALES.map((l, i) => [l, notes.find((n) => n.data.appointment_id === cases[i].id)!]),
    );
    expect(byLocale.en).toMatchObject({
      title: 'Appointment reminder',
      body: 'Reminder: Noa Cohen-en sees Dana Levi tomorrow, April 7, 2037 at 11:00. ' +
        'Herzl Street 12, Tel Aviv',
    });
    expect(byLocale.fr).toMatchObject({
      title: 'Rappel de rendez-vous',
      body: 'Rappel : rendez-vous de Noa Cohen-fr avec Dana Levi demain, 7 avril 2037 à 09:00. ' +
        'Herzl Street 12, Tel Aviv',
    });
    expect(byLocale.he).toMatchObject({
      title: 'תזכורת לתור',
      body: 'תזכורת: התור של Avi Cohen-he אצל Dana Levi מחר, 7 באפריל 2037 בשעה 10:00. ' +
        'Herzl Street 12, Tel Aviv',
    });
    expect(byLocale.ru.body).toContain('7 апреля 2037');
    expect(byLocale.am.title).toBe('የቀጠሮ ማስታወሻ');
    expect(byLocale.es.body).toBe(
      'Recordatorio: cita de Avi Cohen-es con Dana Levi mañana, 7 de abril de 2037 a las 14:00. ' +
        'Herzl Street 12, Tel Aviv',
    );
  });

  it('in French for a patient who never chose a language, and none when reminders are off', async () => {
    const day = '2037-04-08';
    const dr = await practitioner({ firstName: 'Dana', lastName: 'Levi' });
    const never = await patient('Avi', 'Cohen');
    const off = await patient('Off', 'Cohen');
    await setLocale(off.id, 'he', false);
    const [a, b] = [
      await appointment({
        practitionerId: dr.id,
        patientId: never.id,
        date: plusDays(day, 1),
        start: '09:00',
      }),
      await appointment({
        practitionerId: dr.id,
        patientId: off.id,
        date: plusDays(day, 1),
        start: '09:30',
      }),
    ];
    expect((await runForced(app, day)).body).toMatchObject({ created: 1, skipped: 1 });
    const notes = await remindersAbout([a, b]);
    expect(notes.map((n) => [n.data.appointment_id, n.title])).toEqual([
      [a, 'Rappel de rendez-vous'],
    ]);
    // Turned on again, a later run reminds it.
    await setLocale(off.id, 'he', true);
    expect((await runForced(app, day)).body).toMatchObject({ created: 1, skipped: 1 });
    expect((await remindersAbout([b])).map((n) => n.title)).toEqual(['תזכורת לתור']);
  });
});
