import { NOTIFICATION_TYPES } from '../functions/notifications/schemas.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb } from '../shared/db/client.ts';
import { db } from './helpers/db.ts';
import {
  arrange,
  book,
  daysFromToday,
  notificationsAbout,
  patient,
  practitioner,
  relativeOf,
  signedIn,
} from './helpers/lifecycle.ts';
import { createUser } from './helpers/users.ts';

afterAll(closeDb);

const LOCALES = ['fr', 'he', 'en', 'ru', 'am', 'es'] as const;
type Locale = (typeof LOCALES)[number];
const TYPES = NOTIFICATION_TYPES;
type Type = (typeof TYPES)[number];

// Tuesday 14 September 2027, 10:30, in each language's words.
const DATE = '2027-09-14';
const DATE_IN: Record<Locale, string> = {
  fr: '14 septembre 2027',
  he: '14 בספטמבר 2027',
  en: 'September 14, 2027',
  ru: '14 сентября 2027',
  am: 'ሴፕቴምበር 14, 2027',
  es: '14 de septiembre de 2027',
};
const TIME = '10:30';
const PRACTITIONER = 'Dov Levi';
const PATIENT = 'Pat Cohen';
const RELATIVE = 'Noa Cohen';
const ADDRESS = 'Herzl 12, Tel Aviv';
const SENDER = 'Sara Mizrahi';
const RATING = '4';

type Mention = 'patient' | 'practitioner' | 'date' | 'time' | 'address' | 'sender' | 'rating';
/** What each text must tell its reader. */
const MENTIONS: Record<Type, Mention[]> = {
  appointment_request: ['patient', 'date', 'time'],
  appointment_created: ['practitioner', 'date', 'time'],
  appointment_confirmed: ['practitioner', 'date', 'time'],
  appointment_cancelled: ['patient', 'practitioner', 'date', 'time'],
  appointment_completed: ['practitioner', 'date'],
  appointment_reminder: ['patient', 'practitioner', 'date', 'time', 'address'],
  new_message: ['sender'],
  review_received: ['patient', 'rating'],
  appointment_rescheduled: ['patient', 'date', 'time'],
  earlier_slot_available: ['practitioner', 'date', 'time'],
};

interface Rendered {
  title: string;
  body: string;
  locale: string;
  data: Record<string, unknown>;
}

const key = (type: Type, locale: Locale) => `${type}/${locale}`;
const occurrences = (text: string, part: string) => text.split(part).length - 1;

/** A recipient whose user_settings say `locale` (none at all for null). */
async function recipient(locale: Locale | null): Promise<string> {
  const { id } = await createUser({ firstName: 'Rita', lastName: 'Reader' });
  if (locale) {
    await db`insert into public.user_settings (user_id, locale) values (${id}, ${locale})`;
  }
  return id;
}

/** Creates the notification through `private.notify` and reads back what the recipient sees. */
async function render(
  recipientId: string,
  type: Type,
  appointmentId: string,
): Promise<Rendered> {
  const data = { appointment_id: appointmentId, sender: SENDER, rating: Number(RATING) };
  const [{ id }] = await db`select private.notify(${recipientId}, ${type}, ${db.json(data)}) as id`;
  const [row] = await db<Rendered[]>`
    select n.title, n.body, n.data, coalesce(s.locale::text, 'fr') as locale
    from public.notifications n left join public.user_settings s on s.user_id = n.user_id
    where n.id = ${id}`;
  return row;
}

describe('notification texts in the six languages', () => {
  const own = new Map<string, Rendered>();
  const relatives = new Map<string, Rendered>();
  let months: Record<string, string[]>;

  beforeAll(async () => {
    const doc = await practitioner({ firstName: 'Dov', lastName: 'Levi' });
    await db`update public.practitioners set address_line = 'Herzl', street_number = '12',
      city = 'Tel Aviv' where id = ${doc.id}`;
    // The relative's appointment, at the same time with a namesake at the same address.
    const namesake = await practitioner({ firstName: 'Dov', lastName: 'Levi' });
    await db`update public.practitioners set address_line = 'Herzl', street_number = '12',
      city = 'Tel Aviv' where id = ${namesake.id}`;
    const pat = await patient('Pat', 'Cohen');
    const kid = await relativeOf(pat, 'Noa', 'Cohen');
    const times = { date: DATE, start: '10:30', end: '11:00' };
    const forPatient = await arrange({ patientId: pat.id, practitionerId: doc.id, ...times });
    const forRelative = await arrange({
      patientId: pat.id,
      practitionerId: namesake.id,
      relativeId: kid,
      ...times,
    });
    for (const locale of LOCALES) {
      const reader = await recipient(locale);
      for (const type of TYPES) {
        own.set(key(type, locale), await render(reader, type, forPatient));
        relatives.set(key(type, locale), await render(reader, type, forRelative));
      }
    }
    const rows = await db<{ locale: string; months: string[] }[]>`
      select locale::text, months from private.locale_formats`;
    months = Object.fromEntries(rows.map((r) => [r.locale, r.months]));
  });

  it('has a template for every notification type in every language, and no other', async () => {
    const [{ missing, types, locales }] = await db`
      select
        (select count(*)::int from unnest(enum_range(null::public.notification_type)) t
         cross join unnest(enum_range(null::public.app_locale)) l
         where not exists (select from private.notification_templates x
                           where x.type = t and x.locale = l)) as missing,
        (select array_agg(t::text order by t::text)
         from unnest(enum_range(null::public.notification_type)) t) as types,
        (select array_agg(l::text order by l::text)
         from unnest(enum_range(null::public.app_locale)) l) as locales`;
    expect(missing).toBe(0);
    expect(types).toEqual([...TYPES].sort());
    expect(locales).toEqual([...LOCALES].sort());
  });

  const cells = TYPES.flatMap((type) => LOCALES.map((locale) => ({ type, locale })));

  it.each(cells)('$type in $locale', ({ type, locale }) => {
    const text = own.get(key(type, locale))!;
    expect(text.locale).toBe(locale);
    expect(text.title.trim()).not.toBe('');
    expect(text.body.trim()).not.toBe('');
    // No placeholder left, nor any brace: no template has one of its own.
    for (const part of [text.title, text.body]) expect(part).not.toMatch(/[{}]/);

    const expected: Record<Mention, string> = {
      patient: PATIENT,
      practitioner: PRACTITIONER,
      date: DATE_IN[locale],
      time: TIME,
      address: ADDRESS,
      sender: SENDER,
      rating: RATING,
    };
    for (const mention of MENTIONS[type]) {
      expect(text.body, mention).toContain(expected[mention]);
    }
    if (MENTIONS[type].includes('date')) {
      // The month is the one the locale's own table names (September is the ninth).
      expect(text.body).toContain(months[locale][8]);
    }

    if (locale !== 'fr') {
      const french = own.get(key(type, 'fr'))!;
      expect(text.title).not.toBe(french.title);
      expect(text.body).not.toBe(french.body);
    }
    expect(text.data).toEqual({
      appointment_id: expect.any(String),
      sender: SENDER,
      rating: Number(RATING),
    });
  });

  it.each(cells.filter((c) => MENTIONS[c.type].includes('patient')))(
    "$type in $locale names the relative for a relative's appointment",
    ({ type, locale }) => {
      const text = relatives.get(key(type, locale))!;
      expect(text.body).toContain(RELATIVE);
      expect(text.body).not.toContain(PATIENT);
      if (MENTIONS[type].includes('date')) expect(text.body).toContain(DATE_IN[locale]);
    },
  );

  it('writes "someone" in the reader\'s language for a patient without a name', async () => {
    const doc = await practitioner();
    const nameless = await createUser();
    const id = await arrange({
      patientId: nameless.id,
      practitionerId: doc.id,
      date: DATE,
      start: '10:30',
      end: '11:00',
    });
    const someone = await db<{ locale: string; someone: string }[]>`
      select locale::text, someone from private.locale_formats`;
    for (const { locale, someone: word } of someone) {
      const text = await render(await recipient(locale as Locale), 'appointment_request', id);
      expect(text.locale).toBe(locale);
      expect(text.body).toContain(word);
      expect(text.body).not.toMatch(/[{}]/);
    }
  });

  it('fills placeholders in one pass: a name that looks like one stays as it is', async () => {
    const doc = await practitioner({ firstName: '{date}', lastName: '{time}' });
    const pat = await patient('{practitioner}', '{patient}');
    const id = await arrange({
      patientId: pat.id,
      practitionerId: doc.id,
      date: DATE,
      start: '10:30',
      end: '11:00',
    });
    const reader = await recipient('en');
    const confirmed = await render(reader, 'appointment_confirmed', id);
    expect(confirmed.body).toBe(
      '{date} {time} confirmed the appointment on September 14, 2027 at 10:30.',
    );
    const cancelled = await render(reader, 'appointment_cancelled', id);
    expect(cancelled.body).toBe(
      'The appointment of {practitioner} {patient} with {date} {time} on September 14, 2027 at ' +
        '10:30 was cancelled.',
    );
    expect(occurrences(cancelled.body, 'September 14, 2027')).toBe(1);
  });
});

describe("the recipient's language, through the lifecycle's own notifications", () => {
  const templateTitle = async (type: string, locale: string) =>
    (await db`select title from private.notification_templates
              where type = ${type} and locale = ${locale}`)[0].title;

  it("writes the request in the practitioner's language and the answers in the patient's", async () => {
    const doc = await practitioner();
    await db`insert into public.user_settings (user_id, locale) values (${doc.id}, 'he')`;
    const ru = await patient('Ivan', 'Petrov');
    await db`insert into public.user_settings (user_id, locale) values (${ru.id}, 'ru')`;
    const unset = await patient('Luc', 'Martin');

    const ruAppointment = await book(ru, {
      practitioner_id: doc.id,
      appointment_date: daysFromToday(14),
      start_time: '09:00',
      end_time: '09:30',
    });
    const frAppointment = await book(unset, {
      practitioner_id: doc.id,
      appointment_date: daysFromToday(14),
      start_time: '09:30',
      end_time: '10:00',
    });
    const [request] = await notificationsAbout(ruAppointment);
    expect(request.user_id).toBe(doc.id);
    expect(request.title).toBe(await templateTitle('appointment_request', 'he'));
    expect(request.body).toContain('Ivan Petrov');

    for (const id of [ruAppointment, frAppointment]) {
      await signedIn(
        doc,
        (tx) => tx`update public.appointments set status = 'confirmed' where id = ${id}`,
      );
    }
    const toRu = (await notificationsAbout(ruAppointment)).filter((n) => n.user_id === ru.id);
    expect(toRu.map((n) => [n.type, n.title])).toEqual([
      ['appointment_confirmed', await templateTitle('appointment_confirmed', 'ru')],
    ]);
    expect(toRu[0].body).toContain('Dov Levi');
    const toFr = (await notificationsAbout(frAppointment)).filter((n) => n.user_id === unset.id);
    expect(toFr.map((n) => [n.type, n.title])).toEqual([
      ['appointment_confirmed', 'Rendez-vous confirmé'],
    ]);

    // A change of language applies to the next notification.
    await db`insert into public.user_settings (user_id, locale) values (${unset.id}, 'es')`;
    await signedIn(
      unset,
      (tx) =>
        tx`update public.appointments set status = 'cancelled_by_patient' where id = ${frAppointment}`,
    );
    const cancelled = (await notificationsAbout(frAppointment)).filter((n) =>
      n.type === 'appointment_cancelled'
    );
    expect(Object.fromEntries(cancelled.map((n) => [n.user_id, n.title]))).toEqual({
      [unset.id]: await templateTitle('appointment_cancelled', 'es'),
      [doc.id]: await templateTitle('appointment_cancelled', 'he'),
    });
  });
});
