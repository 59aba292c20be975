import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '../helpers/db.ts';
import type { CallOptions } from '../helpers/http.ts';
import type { TestUser } from '../helpers/users.ts';
import { health, healthState, patient, refusedTokens } from './helpers.ts';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

type List = 'conditions' | 'medications' | 'allergies' | 'vaccinations';

interface Case {
  table: string;
  /** Every field of the list, as the contract's example sends them. */
  full: Record<string, string>;
  /** A value for a field of each other list. */
  foreign: Record<string, string>;
  /** Bad values of the list's own fields: [what, body, field]. */
  bad: Array<[string, Record<string, unknown>, string]>;
}

const CASES: Record<List, Case> = {
  conditions: {
    table: 'public.health_conditions',
    full: {
      name: 'Diabete de type 2',
      severity: 'moderate',
      diagnosed_on: '2020-01-15',
      notes: 'Sous traitement',
    },
    foreign: { dosage: '500mg', reaction: 'Urticaire', vaccinated_on: '2021-01-10' },
    bad: [
      ['an unknown severity', { severity: 'terminal' }, 'severity'],
      ['a diagnosis in the future', { diagnosed_on: '2999-01-01' }, 'diagnosed_on'],
      ['an impossible diagnosis date', { diagnosed_on: '2020-02-30' }, 'diagnosed_on'],
    ],
  },
  medications: {
    table: 'public.health_medications',
    full: {
      name: 'Metformine',
      dosage: '500mg',
      frequency: '2x/jour',
      started_on: '2020-02-01',
      ended_on: '2099-01-01',
      notes: 'With meals',
    },
    foreign: { severity: 'mild', dose: '2nd', diagnosed_on: '2020-01-15' },
    bad: [
      ['an end before the start', { started_on: '2020-02-01', ended_on: '2020-01-31' }, 'ended_on'],
      ['a start in the future', { started_on: '2999-01-01', ended_on: null }, 'started_on'],
      ['a dosage of 101 characters', { dosage: 'x'.repeat(101) }, 'dosage'],
    ],
  },
  allergies: {
    table: 'public.health_allergies',
    full: {
      name: 'Penicilline',
      reaction: 'Urticaire',
      severity: 'severe',
      notes: 'Since childhood',
    },
    foreign: { frequency: 'daily', started_on: '2020-01-01', vaccinated_on: '2021-01-10' },
    bad: [
      ['an unknown severity', { severity: 'deadly' }, 'severity'],
      ['a reaction of 201 characters', { reaction: 'x'.repeat(201) }, 'reaction'],
      ['a severity of the wrong type', { severity: 3 }, 'severity'],
    ],
  },
  vaccinations: {
    table: 'public.health_vaccinations',
    full: { name: 'COVID-19', vaccinated_on: '2021-01-10', dose: '2nd dose', notes: 'Pfizer' },
    foreign: { ended_on: '2020-01-01', reaction: 'Fever', severity: 'mild' },
    bad: [
      ['a vaccination in the future', { vaccinated_on: '2999-01-01' }, 'vaccinated_on'],
      ['a vaccination before 1900', { vaccinated_on: '1899-12-31' }, 'vaccinated_on'],
      ['a dose of 51 characters', { dose: 'x'.repeat(51) }, 'dose'],
    ],
  },
};

const LISTS = Object.keys(CASES) as List[];

describe.each(LISTS)('%s', (list) => {
  const { table, full, foreign, bad } = CASES[list];
  const add = (user: TestUser, json: unknown) => health(user, 'POST', `/${list}`, { json });
  const read = (user: TestUser) => health(user, 'GET', `/${list}`);
  const remove = (user: TestUser, id: string) => health(user, 'DELETE', `/${list}/${id}`);

  it('POST answers 201 with the whole row', async () => {
    const user = await patient();
    const res = await add(user, full);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      user_id: user.id,
      ...full,
      created_at: expect.stringMatching(ISO_TIMESTAMP),
    });
    const [stored] = await db.unsafe(`select * from ${table} where id = $1`, [res.body.id]);
    expect(stored).toMatchObject({ user_id: user.id, ...full });
  });

  it('POST stores a name alone, "" and null as null, and ignores unknown keys', async () => {
    const user = await patient();
    const other = await patient();
    const blanks = Object.fromEntries(
      Object.keys(full).filter((k) => k !== 'name').map((k, i) => [k, i % 2 ? '' : null]),
    );
    const res = await add(user, { ...blanks, name: '  Asthma  ', user_id: other.id, id: 'x' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Asthma',
      user_id: user.id,
      ...Object.fromEntries(Object.keys(blanks).map((k) => [k, null])),
    });
  });

  it('GET lists my rows newest first, each exactly as added', async () => {
    const user = await patient();
    expect((await read(user)).body).toEqual([]);
    const added = [];
    for (const name of ['First', 'Second', 'Third']) {
      added.push((await add(user, { ...full, name })).body);
    }
    await add(await patient(), full);
    const res = await read(user);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(added.reverse());
  });

  it('DELETE removes my row (204, no body), then answers 404', async () => {
    const user = await patient();
    const kept = (await add(user, { ...full, name: 'Kept' })).body;
    const gone = (await add(user, full)).body;
    const res = await remove(user, gone.id);
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    expect((await read(user)).body).toEqual([kept]);
    const again = await remove(user, gone.id);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('not_found');
  });

  it("DELETE of someone else's row is 404, as for no row at all, and deletes nothing", async () => {
    const owner = await patient();
    const thief = await patient();
    const row = (await add(owner, full)).body;
    const before = await healthState(owner, thief);
    const stolen = await remove(thief, row.id);
    const unknown = await remove(thief, crypto.randomUUID());
    expect(stolen.status).toBe(404);
    expect(stolen.body.error).toEqual({ ...unknown.body.error, details: {} });
    expect(await healthState(owner, thief)).toEqual(before);
  });

  it.each(Object.entries(foreign))(
    'POST refuses %s, a field of another list, naming it',
    async (field, value) => {
      const user = await patient();
      const before = await healthState(user);
      const res = await add(user, { ...full, [field]: value });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
      expect(Object.keys(res.body.error.details.fieldErrors)).toEqual([field]);
      expect(res.body.error.message).toContain(field);
      expect(JSON.stringify(res.body)).not.toContain(value);
      expect(await healthState(user)).toEqual(before);
    },
  );

  it('POST accepts a field of another list left blank: nothing is lost', async () => {
    const user = await patient();
    const [field] = Object.keys(foreign);
    expect((await add(user, { ...full, [field]: '' })).status).toBe(201);
    expect((await add(user, { ...full, [field]: null })).status).toBe(201);
  });

  const badBodies: Array<[string, CallOptions, number, string, string?]> = [
    ['no name', { json: { ...full, name: undefined } }, 400, 'validation_error', 'name'],
    ['a blank name', { json: { ...full, name: '   ' } }, 400, 'validation_error', 'name'],
    [
      'a name of 201 characters',
      { json: { ...full, name: 'n'.repeat(201) } },
      400,
      'validation_error',
      'name',
    ],
    ['a name of the wrong type', { json: { ...full, name: 42 } }, 400, 'validation_error', 'name'],
    [
      'notes of 2001 characters',
      { json: { ...full, notes: 'n'.repeat(2001) } },
      400,
      'validation_error',
      'notes',
    ],
    ...bad.map(([what, body, field]): [string, CallOptions, number, string, string] => [
      what,
      { json: { ...full, ...body } },
      400,
      'validation_error',
      field,
    ]),
    ['an array body', { json: [full] }, 400, 'validation_error'],
    ['a null body', { json: null }, 400, 'validation_error'],
    [
      'malformed JSON',
      { body: '{"name":', headers: { 'content-type': 'application/json' } },
      400,
      'bad_request',
    ],
    [
      'a text body',
      { body: JSON.stringify(full), headers: { 'content-type': 'text/plain' } },
      415,
      'unsupported_media_type',
    ],
    [
      'a body too large',
      { json: { ...full, padding: 'x'.repeat(2 * 1024 * 1024) } },
      413,
      'payload_too_large',
    ],
  ];

  it.each(badBodies)(
    'POST refuses %s, writing nothing',
    async (_what, options, status, code, field) => {
      const user = await patient();
      await add(user, full);
      const before = await healthState(user);
      const res = await health(user, 'POST', `/${list}`, options);
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message).toMatch(/^[A-Z].*\.$/);
      if (field) expect(Object.keys(res.body.error.details.fieldErrors)).toEqual([field]);
      expect(await healthState(user)).toEqual(before);
    },
  );

  describe('refused requests', () => {
    let owner: TestUser;
    let rowId: string;
    let tokens: Array<[string, Record<string, string>]>;
    beforeAll(async () => {
      owner = await patient();
      rowId = (await add(owner, full)).body.id;
      tokens = await refusedTokens(owner);
    });

    it('GET, POST and DELETE answer 401 to every refused token, writing nothing', async () => {
      const before = await healthState(owner);
      for (const [what, headers] of tokens) {
        for (
          const [method, path, json] of [
            ['GET', `/${list}`],
            ['POST', `/${list}`, full],
            ['DELETE', `/${list}/${rowId}`],
          ] as const
        ) {
          const res = await health(undefined, method, path, { headers, json });
          expect(res.status, `${method} with ${what}`).toBe(401);
          expect(res.body.error.code).toBe('unauthorized');
        }
      }
      expect(await healthState(owner)).toEqual(before);
    });

    const badIds: Array<[string, string, number, string]> = [
      ['a malformed id', 'not-a-uuid', 400, 'validation_error'],
      ['a number', '42', 400, 'validation_error'],
      ['an id with SQL in it', encodeURIComponent("1' or '1'='1"), 400, 'validation_error'],
      ['an id in braces', `%7B${crypto.randomUUID()}%7D`, 400, 'validation_error'],
      ['an id too long', `${crypto.randomUUID()}0`, 400, 'validation_error'],
      ['an unknown id', crypto.randomUUID(), 404, 'not_found'],
      ['the nil uuid', '00000000-0000-0000-0000-000000000000', 404, 'not_found'],
    ];

    it.each(badIds)('DELETE refuses %s, deleting nothing', async (_what, id, status, code) => {
      const before = await healthState(owner);
      const res = await remove(owner, id);
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(await healthState(owner)).toEqual(before);
    });

    it('DELETE of a row of another list is 404', async () => {
      const other = LISTS.find((l) => l !== list)!;
      const before = await healthState(owner);
      const res = await health(owner, 'DELETE', `/${other}/${rowId}`);
      expect(res.status).toBe(404);
      expect(await healthState(owner)).toEqual(before);
    });

    it.each([
      ['GET of one row (no such route)', 'GET', () => `/${list}/${rowId}`],
      ['PATCH of a row (no such route)', 'PATCH', () => `/${list}/${rowId}`],
      ['the list in capitals', 'GET', () => `/${list.toUpperCase()}`],
      ['the list in the singular', 'GET', () => `/${list.slice(0, -1)}`],
      ['DELETE of the whole list', 'DELETE', () => `/${list}`],
    ])('%s answers 404, changing nothing', async (_what, method, path) => {
      const before = await healthState(owner);
      const res = await health(owner, method, path(), {
        json: method === 'PATCH' ? full : undefined,
      });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      expect(await healthState(owner)).toEqual(before);
    });
  });
});

describe('an unknown list', () => {
  it.each([
    ['GET', '/diagnoses'],
    ['POST', '/diagnoses'],
    ['DELETE', `/diagnoses/${crypto.randomUUID()}`],
    ['GET', '/health_conditions'],
    ['POST', '/profiles'],
  ])('%s %s is 404 and writes nothing', async (method, path) => {
    const user = await patient();
    const before = await healthState(user);
    const res = await health(user, method, path, {
      json: method === 'POST' ? { name: 'Asthma' } : undefined,
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect(await healthState(user)).toEqual(before);
  });
});
