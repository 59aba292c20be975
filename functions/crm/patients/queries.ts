import type { Tx } from '../../../shared/db/client.ts';
import type { JsonText } from '../../../shared/http/json-text.ts';
import type { PatientRecord } from './schemas.ts';

/**
 * The patient's record for the practitioner, and the access-log row of this reading, in one
 * statement (migration 20261202004300): nothing at all unless the two share an appointment and
 * the caller is that practitioner or an admin acting for them. The body comes with
 * `teudat_zehut_masked` null; the sealed number beside it is for the API to mask.
 */
export const openPatientRecord = (tx: Tx, practitionerId: string, patientId: string) =>
  tx<{ body: JsonText<PatientRecord>; teudat_zehut_sealed: string | null }[]>`
    select body, teudat_zehut_sealed from app.open_patient_record(${practitionerId}, ${patientId})`;
