import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  maskTeudatZehut,
  openTeudatZehut,
  sealTeudatZehut,
} from '../../../shared/health/teudat-zehut.ts';
import type { AppEnv } from '../../../shared/http/env.ts';
import { notFound } from '../../../shared/http/errors.ts';
import { type JsonText, sendJsonText } from '../../../shared/http/json-text.ts';
import { forPractitioner } from '../acting.ts';
import { type CrmTable, writeFor } from '../write.ts';
import {
  insertDraft,
  listPatients,
  lockRecord,
  openPatientRecord,
  PATIENT_RECORDS_TABLE,
  readPatient,
  recordChanges,
  type SealedOf,
  searchPatients,
  updateRecord,
} from './queries.ts';
import type * as routes from './routes.ts';
import type { PatientListItem, PatientPage, PatientRecord } from './schemas.ts';

export const patientRecords: CrmTable = {
  table: PATIENT_RECORDS_TABLE,
  resource: 'patient_record',
  missing: 'We could not find this patient.',
};

/** The masked numbers of these records, by record id (opened before the commit). */
async function masks(sealed: SealedOf[]): Promise<Map<string, string>> {
  const opened = await Promise.all(sealed.map(async (s) =>
    [
      s.id,
      maskTeudatZehut(await openTeudatZehut({ kind: s.owner, id: s.owner_id }, s.sealed)),
    ] as const
  ));
  return new Map(opened);
}

/** Sends a page of patients, with the masked numbers laid in when there are any. */
async function sendPage(c: Context<AppEnv>, page: JsonText<PatientPage>, sealed: SealedOf[]) {
  if (sealed.length === 0) return sendJsonText(c, page, 200);
  const masked = await masks(sealed);
  const body = JSON.parse(page) as PatientPage;
  for (const p of body.patients) p.teudat_zehut_masked = masked.get(p.id) ?? null;
  return c.json(body, 200);
}

/** One record as the lists show it, with its masked number. */
async function asItem(found: { item: JsonText<PatientListItem>; sealed: SealedOf[] }) {
  const item = JSON.parse(found.item) as PatientListItem;
  item.teudat_zehut_masked = (await masks(found.sealed)).get(item.id) ?? null;
  return item;
}

export const list: RouteHandler<typeof routes.listPatients, AppEnv> = async (c) => {
  const query = c.req.valid('query');
  const [{ page, sealed }] = await forPractitioner(
    c,
    query.practitioner_id,
    (tx, a) => listPatients(tx, a.practitionerId, query),
  );
  return await sendPage(c, page, sealed);
};

export const search: RouteHandler<typeof routes.searchPatients, AppEnv> = async (c) => {
  const query = c.req.valid('query');
  const [{ page, sealed }] = await forPractitioner(
    c,
    query.practitioner_id,
    (tx, a) => searchPatients(tx, a.practitionerId, query),
  );
  return await sendPage(c, page, sealed);
};

export const create: RouteHandler<typeof routes.createPatient, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const input = c.req.valid('json');
  const item = await writeFor(c, practitioner_id, patientRecords, async (tx, acting) => {
    const id = await insertDraft(tx, acting.practitionerId, input);
    const [found] = await readPatient(tx, acting.practitionerId, id);
    const fields = Object.keys(input).filter((k) => input[k as keyof typeof input] != null);
    return { result: await asItem(found!), audit: { verb: 'create', entityId: id, fields } };
  });
  return c.json(item, 201);
};

export const update: RouteHandler<typeof routes.updatePatient, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const { id } = c.req.valid('param');
  const input = c.req.valid('json');
  const sealed = input.teudat_zehut === undefined
    ? undefined
    : input.teudat_zehut === null
    ? null
    : await sealTeudatZehut({ kind: 'patient_record', id }, input.teudat_zehut);
  const changes = recordChanges(input, sealed);
  const fields = Object.keys(input).filter((k) => input[k as keyof typeof input] !== undefined);
  const item = await writeFor(c, practitioner_id, patientRecords, async (tx, acting) => {
    if (!(await lockRecord(tx, acting.practitionerId, id))) throw notFound(patientRecords.missing);
    if (fields.length > 0) await updateRecord(tx, acting.practitionerId, id, changes);
    const [found] = await readPatient(tx, acting.practitionerId, id);
    return {
      result: await asItem(found!),
      audit: fields.length > 0 ? { verb: 'update', entityId: id, fields } : undefined,
    };
  });
  return c.json(item, 200);
};

export const show: RouteHandler<typeof routes.getPatient, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const { practitioner_id } = c.req.valid('query');
  const record = await forPractitioner(c, practitioner_id, async (tx, acting) => {
    const [found] = await openPatientRecord(tx, acting.practitionerId, id);
    if (!found) return undefined;
    // Opened before the commit: a number that does not open takes the access-log row with it.
    const masked = found.teudat_zehut_sealed === null ? null : maskTeudatZehut(
      await openTeudatZehut(
        { kind: found.teudat_zehut_owner!, id: found.teudat_zehut_owner_id! },
        found.teudat_zehut_sealed,
      ),
    );
    return { body: found.body, masked };
  });
  // Another practitioner's patient, or nobody: the same answer.
  if (!record) throw notFound(patientRecords.missing);
  if (record.masked === null) return sendJsonText(c, record.body, 200);
  const body = JSON.parse(record.body) as PatientRecord;
  body.patient.teudat_zehut_masked = record.masked;
  return c.json(body, 200);
};
