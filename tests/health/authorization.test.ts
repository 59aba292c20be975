import { beforeAll, describe, expect, it } from 'vitest';
import type { JwtClaims } from '../../shared/auth/user.ts';
import { asAnon, asUser } from '../../shared/db/as-user.ts';
import type { Tx } from '../../shared/db/client.ts';
import { db } from '../helpers/db.ts';
import type { TestUser } from '../helpers/users.ts';
import {
  admin,
  crmPatient,
  health,
  healthState,
  patient,
  practitioner,
  shareAppointment,
} from './helpers.ts';

type Actor = 'owner' | 'other patient' | 'treating practitioner' | 'other practitioner' | 'admin';
const ACTORS: Actor[] = [
  'owner',
  'other patient',
  'treating practitioner',
  'other practitioner',
  'admin',
];
const LISTS = ['conditions', 'medications', 'allergies', 'vaccinations'] as const;
const TABLES = [
  'health_profiles',
  'health_conditions',
  'health_medications',
  'health_allergies',
  'health_vaccinations',
];
const NUMBER = '332796184';

let users: Record<Actor, TestUser>;
let owner: TestUser;
let rows: Record<(typeof LISTS)[number], string>;

const claimsOf = (user: TestUser): JwtClaims => ({ sub: user.id, role: 'authenticated' });

beforeAll(async () => {
  owner = await patient('Owner');
  users = {
    owner,
    'other patient': await patient('Other'),
    'treating practitioner': await practitioner('Treating'),
    'other practitioner': await practitioner('Other'),
    admin: await admin(),
  };
  await shareAppointment(users['treating practitioner'], owner);
  // The admin and the other practitioner have patients of their own: RLS must not mix them up.
  await shareAppointment(users['other practitioner'], users['other patient']);
  await health(owner, 'PUT', '/profile', { json: { teudat_zehut: NUMBER, blood_type: 'B+' } });
  rows = {} as typeof rows;
  for (const list of LISTS) {
    const res = await health(owner, 'POST', `/${list}`, { json: { name: `Owner's ${list}` } });
    rows[list] = res.body.id;
  }
  await crmPatient(users['treating practitioner'], owner.id);
});

describe('the health endpoints: everyone reaches their own records only', () => {
  it.each(ACTORS)('%s', async (actor) => {
    const user = users[actor];
    const mine = actor === 'owner';
    const before = await healthState(owner);

    const profile = await health(user, 'GET', '/profile');
    expect(profile.status).toBe(200);
    if (mine) expect(profile.body.teudat_zehut).toBe(NUMBER);
    else expect(profile.body).toBeNull();

    for (const list of LISTS) {
      const listed = await health(user, 'GET', `/${list}`);
      expect(listed.status).toBe(200);
      expect(listed.body.map((r: { id: string }) => r.id)).toEqual(mine ? [rows[list]] : []);
    }

    const log = await health(user, 'GET', '/access-log');
    expect(log.status).toBe(200);
    expect(log.body).toHaveLength(mine ? 1 : 0);

    if (!mine) {
      // Deleting the owner's rows: 404, as for rows that do not exist.
      for (const list of LISTS) {
        const res = await health(user, 'DELETE', `/${list}/${rows[list]}`);
        expect(res.status).toBe(404);
      }
      // Writes land in the caller's own records.
      expect((await health(user, 'PUT', '/profile', { json: { blood_type: 'O-' } })).status).toBe(
        200,
      );
      expect((await health(user, 'POST', '/conditions', { json: { name: 'Mine' } })).status).toBe(
        201,
      );
      expect(await healthState(owner)).toEqual(before);
      const [theirs] = await db`select user_id, blood_type::text from public.health_profiles
        where user_id = ${user.id}`;
      expect(theirs).toEqual({ user_id: user.id, blood_type: 'O-' });
    }
  });

  it('no token: 401 on every route, nothing written', async () => {
    const before = await healthState(owner);
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/profile'],
      ['PUT', '/profile', { blood_type: 'A+' }],
      ['GET', '/access-log'],
      ...LISTS.flatMap((list): Array<[string, string, unknown?]> => [
        ['GET', `/${list}`],
        ['POST', `/${list}`, { name: 'x' }],
        ['DELETE', `/${list}/${rows[list]}`],
      ]),
    ];
    for (const [method, path, json] of routes) {
      const res = await health(undefined, method, path, { json });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
    expect(await healthState(owner)).toEqual(before);
  });
});

describe("the CRM's view of a patient", () => {
  it.each(
    [
      ['owner', 403],
      ['other patient', 403],
      ['treating practitioner', 200],
      ['other practitioner', 404],
      ['admin', 400],
    ] as const,
  )('%s: %i', async (actor, status) => {
    const res = await crmPatient(users[actor], owner.id);
    expect(res.status).toBe(status);
    if (status === 200) expect(res.body.patient.teudat_zehut_masked).toBe('*****6184');
    else expect(JSON.stringify(res.body)).not.toContain('B+');
  });

  it('admin acting for the treating practitioner: 200; for the other one: 404', async () => {
    const boss = users.admin;
    expect((await crmPatient(boss, owner.id, users['treating practitioner'].id)).status).toBe(200);
    expect((await crmPatient(boss, owner.id, users['other practitioner'].id)).status).toBe(404);
  });

  it('no token: 401', async () => {
    expect((await crmPatient(undefined, owner.id)).status).toBe(401);
  });
});

describe('row-level security, for a query that forgets its WHERE', () => {
  const visibleOwners = (user: TestUser, table: string) =>
    asUser(claimsOf(user), (tx: Tx) =>
      tx<{ user_id: string }[]>`
      select distinct user_id from ${tx(`public.${table}`)}`).then((r) => r.map((x) => x.user_id));

  it.each(TABLES)("%s: the owner and the treating practitioner see the owner's rows", async (t) => {
    expect(await visibleOwners(owner, t)).toEqual([owner.id]);
    expect(await visibleOwners(users['treating practitioner'], t)).toContain(owner.id);
  });

  it.each(TABLES)('%s: nobody else sees them, admins included', async (t) => {
    for (const actor of ['other patient', 'other practitioner', 'admin'] as const) {
      expect(await visibleOwners(users[actor], t), actor).not.toContain(owner.id);
    }
  });

  it.each(TABLES)('%s: the anonymous role reads nothing at all', async (t) => {
    await expect(asAnon((tx) => tx`select 1 from ${tx(`public.${t}`)}`)).rejects.toMatchObject({
      code: '42501',
    });
  });

  it('a practitioner sees no more once the shared appointment is gone', async () => {
    const person = await patient();
    const doc = await practitioner();
    await health(person, 'POST', '/allergies', { json: { name: 'Latex' } });
    const appointment = await shareAppointment(doc, person);
    expect(await visibleOwners(doc, 'health_allergies')).toEqual([person.id]);
    await db`delete from public.appointments where id = ${appointment}`;
    expect(await visibleOwners(doc, 'health_allergies')).toEqual([]);
  });

  it("nobody writes another user's rows, a treating practitioner neither", async () => {
    const before = await healthState(owner);
    for (const actor of ['other patient', 'treating practitioner', 'admin'] as const) {
      const claims = claimsOf(users[actor]);
      await expect(
        asUser(
          claims,
          (tx) =>
            tx`insert into public.health_conditions (user_id, name) values (${owner.id}, 'Forged')`,
        ),
      ).rejects.toMatchObject({ code: '42501' });
      await expect(
        asUser(
          claims,
          (tx) => tx`insert into public.health_profiles (user_id) values (${owner.id})`,
        ),
      ).rejects.toMatchObject({ code: expect.stringMatching(/^(42501|23505)$/) });
      const changed = await asUser(claims, async (tx) => [
        ...(await tx`update public.health_profiles set blood_type = 'AB-'
          where user_id = ${owner.id} returning 1`),
        ...(await tx`delete from public.health_profiles where user_id = ${owner.id} returning 1`),
      ]);
      expect(changed).toEqual([]);
      // Without a WHERE, a delete reaches the caller's own rows only.
      await asUser(claims, (tx) => tx`delete from public.health_conditions`);
    }
    expect(await healthState(owner)).toEqual(before);
  });

  it('nobody moves their rows to another user', async () => {
    const other = users['other patient'];
    await expect(
      asUser(
        claimsOf(other),
        (tx) =>
          tx`update public.health_conditions set user_id = ${owner.id} where user_id = ${other.id}`,
      ),
    ).rejects.toMatchObject({ code: '42501' });
  });

  it('the access log: its patient reads it; nobody writes it, nobody else reads it', async () => {
    const read = (user: TestUser) =>
      asUser(claimsOf(user), (tx) =>
        tx`
        select patient_id from public.health_access_log
        union all
        select patient_id from public.health_access_log_entries`);
    const own = (await read(owner)).map((r) => r.patient_id);
    expect(own.length).toBeGreaterThan(0);
    expect(new Set(own)).toEqual(new Set([owner.id]));
    for (const actor of ['other patient', 'treating practitioner', 'admin'] as const) {
      expect(await read(users[actor]), actor).toEqual([]);
      await expect(
        asUser(
          claimsOf(users[actor]),
          (tx) =>
            tx`insert into public.health_access_log (patient_id, actor_id, actor_role, opened)
           values (${owner.id}, ${users[actor].id}, 'admin', array['profile'])`,
        ),
      ).rejects.toMatchObject({ code: '42501' });
    }
  });

  it('opening a record through the database directly still needs a shared appointment', async () => {
    const before = await healthState(owner);
    for (const actor of ['owner', 'other patient', 'other practitioner'] as const) {
      const opened = await asUser(
        claimsOf(users[actor]),
        (tx) => tx`select body from app.open_patient_record(${users[actor].id}, ${owner.id})`,
      );
      expect(opened, actor).toEqual([]);
    }
    // A practitioner naming the treating one is not them.
    const posing = await asUser(
      claimsOf(users['other practitioner']),
      (tx) =>
        tx`select body from app.open_patient_record(
        ${users['treating practitioner'].id}, ${owner.id})`,
    );
    expect(posing).toEqual([]);
    expect(await healthState(owner)).toEqual(before);
  });

  it('"shares an appointment" tells a caller nothing of other people', async () => {
    const ask = (user: TestUser, doctorId: string, personId: string) =>
      asUser(
        claimsOf(user),
        (tx) =>
          tx<[{ shares: boolean }]>`select private.shares_appointment(${doctorId}, ${personId})
          as shares`,
      ).then(([r]) => r.shares);
    const doctor = users['treating practitioner'];
    expect(await ask(doctor, doctor.id, owner.id)).toBe(true);
    expect(await ask(owner, doctor.id, owner.id)).toBe(true);
    expect(await ask(users['other patient'], doctor.id, owner.id)).toBe(false);
    expect(await ask(users['other practitioner'], doctor.id, owner.id)).toBe(false);
  });
});
