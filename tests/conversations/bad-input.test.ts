import { beforeAll, describe, expect, it } from 'vitest';
import { snapshot } from '../helpers/db.ts';
import type { CallOptions, CallResult } from '../helpers/http.ts';
import type { Practice } from '../helpers/practice.ts';
import { type TestUser, tokenFor } from '../helpers/users.ts';
import {
  admin,
  api,
  appointmentBetween,
  conversationBetween,
  insertMessages,
  patient,
  practice,
  writtenFor,
} from './helpers.ts';

/** One bad request: who sends what, and the status it must get. */
interface Bad {
  name: string;
  status: number;
  send: () => Promise<CallResult>;
}

const CODES: Record<number, RegExp> = {
  400: /^(validation_error|bad_request)$/,
  401: /^unauthorized$/,
  403: /^forbidden$/,
  404: /^not_found$/,
  415: /^unsupported_media_type$/,
};

let noa: TestUser;
let dan: TestUser;
let dr: Practice;
let colleague: Practice;
let ada: TestUser;
let id: string;
let theirs: string;

beforeAll(async () => {
  noa = await patient('Noa');
  dan = await patient('Dan');
  dr = await practice();
  colleague = await practice('Dana', 'Mizrahi');
  ada = await admin();
  ({ conversationId: id } = await appointmentBetween(dr, noa.id));
  theirs = await conversationBetween(dan.id, colleague.id);
  await insertMessages(id, [{ sender: noa.id }, { sender: dr.id }]);
});

/** Every case answers its 4xx in the contract's shape, and nothing is written. */
async function expectRefused(cases: Bad[]) {
  expect(cases.length).toBeGreaterThanOrEqual(10);
  const before = await snapshot(writtenFor(noa, dan, dr, colleague, ada));
  for (const bad of cases) {
    const res = await bad.send();
    expect(res.status, bad.name).toBe(bad.status);
    expect(Object.keys(res.body), bad.name).toEqual(['error']);
    expect(Object.keys(res.body.error).sort(), bad.name).toEqual(['code', 'details', 'message']);
    expect(res.body.error.code, bad.name).toMatch(CODES[bad.status]);
    expect(res.body.error.message, bad.name).toMatch(/^[A-Z].*\.$/);
    if (res.body.error.code === 'validation_error') {
      expect(res.body.error.details, bad.name).toHaveProperty('fieldErrors');
    }
  }
  expect(await snapshot(writtenFor(noa, dan, dr, colleague, ada))).toEqual(before);
}

const as =
  (user: TestUser | undefined, method: string, path: string, options?: CallOptions) => () =>
    api(user, method, path, options);

const withToken = (token: string, method: string, path: string, options: CallOptions = {}) => () =>
  api(undefined, method, path, {
    ...options,
    headers: { ...options.headers, authorization: token },
  });

const expired = async () => `Bearer ${await tokenFor(noa.id, noa.email, -60)}`;

describe('bad input', () => {
  it('GET /conversations', async () => {
    const cases: Bad[] = [
      { name: 'no token', status: 401, send: as(undefined, 'GET', '') },
      { name: 'not a bearer token', status: 401, send: withToken('Basic abc', 'GET', '') },
      { name: 'a forged token', status: 401, send: withToken('Bearer a.b.c', 'GET', '') },
      { name: 'an expired token', status: 401, send: withToken(await expired(), 'GET', '') },
      {
        name: 'a malformed practitioner id',
        status: 400,
        send: as(ada, 'GET', '?practitioner_id=abc'),
      },
      {
        name: 'a number as practitioner id',
        status: 400,
        send: as(ada, 'GET', '?practitioner_id=42'),
      },
      {
        name: 'a practitioner id too long',
        status: 400,
        send: as(ada, 'GET', `?practitioner_id=${dr.id}0`),
      },
      {
        name: 'two practitioner ids',
        status: 400,
        send: as(ada, 'GET', `?practitioner_id=${dr.id}&practitioner_id=${colleague.id}`),
      },
      {
        name: 'an admin naming no practitioner that exists',
        status: 400,
        send: as(ada, 'GET', `?practitioner_id=${crypto.randomUUID()}`),
      },
      {
        name: 'a patient acting for a practice',
        status: 403,
        send: as(noa, 'GET', `?practitioner_id=${dr.id}`),
      },
      {
        name: 'a practitioner acting for another',
        status: 403,
        send: as(dr.user, 'GET', `?practitioner_id=${colleague.id}`),
      },
    ];
    await expectRefused(cases);
  });

  it('POST /conversations', async () => {
    const post = (user: TestUser | undefined, json: unknown, query = '') =>
      as(user, 'POST', query, { json });
    const cases: Bad[] = [
      { name: 'no token', status: 401, send: post(undefined, { practitioner_id: dr.id }) },
      { name: 'an empty body', status: 400, send: post(noa, {}) },
      {
        name: 'both sides',
        status: 400,
        send: post(noa, { practitioner_id: dr.id, patient_id: dan.id }),
      },
      {
        name: 'both sides null',
        status: 400,
        send: post(noa, { practitioner_id: null, patient_id: null }),
      },
      {
        name: 'a malformed practitioner id',
        status: 400,
        send: post(noa, { practitioner_id: 'dr-1' }),
      },
      { name: 'a malformed patient id', status: 400, send: post(dr.user, { patient_id: 12 }) },
      {
        name: 'a first message too long',
        status: 400,
        send: post(noa, { practitioner_id: dr.id, content: 'x'.repeat(4001) }),
      },
      {
        name: 'a first message that is not text',
        status: 400,
        send: post(noa, { practitioner_id: dr.id, content: 7 }),
      },
      { name: 'an array', status: 400, send: post(noa, [{ practitioner_id: dr.id }]) },
      { name: 'null', status: 400, send: post(noa, null) },
      {
        name: 'malformed JSON',
        status: 400,
        send: as(noa, 'POST', '', {
          body: '{"practitioner_id":',
          headers: { 'content-type': 'application/json' },
        }),
      },
      {
        name: 'a form instead of JSON',
        status: 415,
        send: as(noa, 'POST', '', {
          body: `practitioner_id=${dr.id}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
      },
      {
        name: 'a practitioner that does not exist',
        status: 400,
        send: post(noa, { practitioner_id: crypto.randomUUID() }),
      },
      { name: 'oneself', status: 400, send: post(dr.user, { practitioner_id: dr.id }) },
      {
        name: 'a patient writing to a patient',
        status: 403,
        send: post(noa, { patient_id: dan.id }),
      },
      {
        name: 'a patient never seen by the practice',
        status: 400,
        send: post(dr.user, { patient_id: dan.id }),
      },
      { name: 'an admin naming no practice', status: 400, send: post(ada, { patient_id: noa.id }) },
      {
        name: 'a practice named to write to a practitioner',
        status: 400,
        send: post(ada, { practitioner_id: dr.id }, `?practitioner_id=${dr.id}`),
      },
    ];
    await expectRefused(cases);
  });

  it('GET /conversations/:id/messages', async () => {
    const get = (query: string, user: TestUser = noa, conversation = id) =>
      as(user, 'GET', `/${conversation}/messages${query}`);
    const cases: Bad[] = [
      { name: 'no token', status: 401, send: as(undefined, 'GET', `/${id}/messages`) },
      { name: 'a malformed id', status: 400, send: get('', noa, 'abc') },
      { name: 'an id with a character too many', status: 400, send: get('', noa, `${id}x`) },
      { name: 'limit 0', status: 400, send: get('?limit=0') },
      { name: 'limit 101', status: 400, send: get('?limit=101') },
      { name: 'a negative limit', status: 400, send: get('?limit=-1') },
      { name: 'a fractional limit', status: 400, send: get('?limit=1.5') },
      { name: 'a word as limit', status: 400, send: get('?limit=ten') },
      { name: 'before that is no timestamp', status: 400, send: get('?before=yesterday') },
      { name: 'before that is a date only', status: 400, send: get('?before=2026-03-01') },
      { name: 'before in month 13', status: 400, send: get('?before=2026-13-01T00:00:00Z') },
      { name: 'before without a zone', status: 400, send: get('?before=2026-03-01T10:00:00') },
      { name: 'before on February 30', status: 400, send: get('?before=2026-02-30T10:00:00Z') },
      {
        name: 'before with an offset out of range',
        status: 400,
        send: get(`?before=${encodeURIComponent('2026-03-01T10:00:00+99:00')}`),
      },
      {
        name: 'before_id without before',
        status: 400,
        send: get(`?before_id=${crypto.randomUUID()}`),
      },
      {
        name: 'a malformed before_id',
        status: 400,
        send: get('?before=2026-03-01T10:00:00Z&before_id=12'),
      },
      {
        name: 'a conversation that does not exist',
        status: 404,
        send: get('', noa, crypto.randomUUID()),
      },
      { name: "someone else's conversation", status: 404, send: get('', noa, theirs) },
    ];
    await expectRefused(cases);
  });

  it('POST /conversations/:id/messages', async () => {
    const send = (json: unknown, user: TestUser = noa, conversation = id) =>
      as(user, 'POST', `/${conversation}/messages`, { json });
    const cases: Bad[] = [
      {
        name: 'no token',
        status: 401,
        send: as(undefined, 'POST', `/${id}/messages`, { json: { content: 'Hi' } }),
      },
      { name: 'no content', status: 400, send: send({}) },
      { name: 'empty content', status: 400, send: send({ content: '' }) },
      { name: 'blank content', status: 400, send: send({ content: ' \n\t ' }) },
      { name: 'content too long', status: 400, send: send({ content: 'x'.repeat(4001) }) },
      {
        name: 'long content with spaces around',
        status: 400,
        send: send({ content: ` ${'x'.repeat(4001)} ` }),
      },
      { name: 'content that is a number', status: 400, send: send({ content: 42 }) },
      {
        name: 'a system message',
        status: 400,
        send: send({ content: 'Hi', message_type: 'system' }),
      },
      {
        name: 'an unknown type',
        status: 400,
        send: send({ content: 'Hi', message_type: 'video' }),
      },
      {
        name: 'a picture over http',
        status: 400,
        send: send({ content: 'http://cdn.example/a.png', message_type: 'image' }),
      },
      {
        name: 'a picture that is no link',
        status: 400,
        send: send({ content: 'a.png', message_type: 'image' }),
      },
      {
        name: 'a file link with a space',
        status: 400,
        send: send({ content: 'https://cdn.example/a b.pdf', message_type: 'file' }),
      },
      {
        name: 'a javascript link',
        status: 400,
        send: send({ content: 'javascript:alert(1)', message_type: 'file' }),
      },
      { name: 'an array', status: 400, send: send([{ content: 'Hi' }]) },
      {
        name: 'text/plain',
        status: 415,
        send: as(noa, 'POST', `/${id}/messages`, {
          body: 'Hi',
          headers: { 'content-type': 'text/plain' },
        }),
      },
      { name: 'a malformed id', status: 400, send: send({ content: 'Hi' }, noa, '123') },
      {
        name: 'a conversation that does not exist',
        status: 404,
        send: send({ content: 'Hi' }, noa, crypto.randomUUID()),
      },
      {
        name: "someone else's conversation",
        status: 404,
        send: send({ content: 'Hi' }, noa, theirs),
      },
    ];
    await expectRefused(cases);
  });

  it('PATCH /conversations/:id/read', async () => {
    const read = (user: TestUser | undefined, conversation: string, query = '') =>
      as(user, 'PATCH', `/${conversation}/read${query}`);
    const cases: Bad[] = [
      { name: 'no token', status: 401, send: read(undefined, id) },
      {
        name: 'an expired token',
        status: 401,
        send: withToken(await expired(), 'PATCH', `/${id}/read`),
      },
      { name: 'a malformed id', status: 400, send: read(noa, 'abc') },
      { name: 'a number as id', status: 400, send: read(noa, '123') },
      { name: 'an id with a character too many', status: 400, send: read(noa, `${id}0`) },
      {
        name: 'a conversation that does not exist',
        status: 404,
        send: read(noa, crypto.randomUUID()),
      },
      { name: "someone else's conversation", status: 404, send: read(noa, theirs) },
      { name: "a practitioner's colleague", status: 404, send: read(colleague.user, id) },
      { name: 'an admin acting as no party', status: 404, send: read(ada, id) },
      {
        name: 'a malformed practitioner id',
        status: 400,
        send: read(ada, id, '?practitioner_id=x'),
      },
      {
        name: 'a patient acting for a practice',
        status: 403,
        send: read(noa, id, `?practitioner_id=${dr.id}`),
      },
      {
        name: 'an admin acting for another practice',
        status: 404,
        send: read(ada, id, `?practitioner_id=${colleague.id}`),
      },
    ];
    await expectRefused(cases);
  });
});
