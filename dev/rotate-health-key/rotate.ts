import type postgres from 'postgres';
import type { HealthKeys } from '../../shared/config.ts';
import { UnsealError } from '../../shared/crypto/sealing.ts';
import { resealTeudatZehut, type TeudatZehutOwner } from '../../shared/health/teudat-zehut.ts';

/** Every column that holds a sealed value, with the id its value is bound to. */
const SEALED = [
  { table: 'health_profiles', id: 'user_id', kind: 'health_profile' },
  { table: 'relatives', id: 'id', kind: 'relative' },
  { table: 'patient_records', id: 'id', kind: 'patient_record' },
] as const satisfies ReadonlyArray<{ table: string; id: string; kind: TeudatZehutOwner['kind'] }>;

export interface TableRotation {
  table: string;
  /** Values re-encrypted to the current key by this run. */
  reencrypted: number;
  /** Values under the current key once the run ends (those of earlier runs included). */
  current: number;
  /** Values changed by their owner while this run read them: already current, or theirs. */
  changedMeanwhile: number;
  /** Values that did not open (an unknown key, altered): left as they are. */
  failed: number;
  /** Values under another key still, the failed ones included (the rest when interrupted). */
  remaining: number;
}

export interface RotationOptions {
  /** Values read, re-encrypted and written back per transaction. */
  batchSize?: number;
  /** Stops between two batches once aborted (Ctrl-C); a later run carries on. */
  signal?: AbortSignal;
  /** Told of every value that did not open: where, never what. */
  onFailure?: (where: { table: string; id: string; reason: string }) => void;
  /** Told after each batch, with the table's counts so far. */
  onBatch?: (progress: { table: string; reencrypted: number; failed: number }) => void;
}

const FIRST_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Re-encrypts every sealed teudat zehut that is not under the current key, in batches of
 * `batchSize`, each its own statement: an interrupted run leaves every value openable (under
 * its old key or the new one), and running it again carries on with what is left. A value its
 * owner changed meanwhile is left to the owner's write. Returns the counts per table.
 */
export async function rotateHealthKeys(
  sql: postgres.Sql,
  keys: HealthKeys,
  options: RotationOptions = {},
): Promise<{ tables: TableRotation[]; interrupted: boolean }> {
  const batchSize = options.batchSize ?? 500;
  const current = keys.encryption.currentKeyId;
  const tables: TableRotation[] = [];
  let interrupted = false;
  for (const { table, id: idColumn, kind } of SEALED) {
    const counts = { table, reencrypted: 0, current: 0, changedMeanwhile: 0, failed: 0 };
    const target = sql(`public.${table}`);
    const id = sql(idColumn);
    // Ids only grow within a run, so a value that fails is not read twice.
    let after = FIRST_ID;
    for (;;) {
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      const batch = await sql<{ id: string; sealed: string }[]>`
        select ${id} as id, teudat_zehut_encrypted as sealed from ${target}
        where teudat_zehut_encrypted is not null
          and split_part(teudat_zehut_encrypted, '.', 2) <> ${current}
          and ${id} > ${after}
        order by ${id}
        limit ${batchSize}`;
      if (batch.length === 0) break;
      after = batch.at(-1)!.id;
      const resealed: Array<{ id: string; old: string; sealed: string }> = [];
      for (const row of batch) {
        try {
          const sealed = await resealTeudatZehut({ kind, id: row.id }, row.sealed, keys);
          resealed.push({ id: row.id, old: row.sealed, sealed });
        } catch (e) {
          if (!(e instanceof UnsealError)) throw e;
          counts.failed++;
          options.onFailure?.({ table, id: row.id, reason: e.reason });
        }
      }
      if (resealed.length === 0) {
        options.onBatch?.(counts);
        continue;
      }
      const written = await sql`
        update ${target} t set teudat_zehut_encrypted = v.sealed
        from unnest(${resealed.map((r) => r.id)}::uuid[], ${resealed.map((r) => r.old)}::text[],
                    ${resealed.map((r) => r.sealed)}::text[]) v(id, old, sealed)
        where t.${id} = v.id and t.teudat_zehut_encrypted = v.old`;
      counts.reencrypted += written.count;
      counts.changedMeanwhile += resealed.length - written.count;
      options.onBatch?.(counts);
    }
    const [left] = await sql<{ current: number; remaining: number }[]>`
      select count(*) filter (where split_part(teudat_zehut_encrypted, '.', 2) = ${current})::int
               as current,
             count(*) filter (where split_part(teudat_zehut_encrypted, '.', 2) <> ${current})::int
               as remaining
      from ${target} where teudat_zehut_encrypted is not null`;
    tables.push({ ...counts, ...left });
    if (interrupted) break;
  }
  return { tables, interrupted };
}

/** One line per table, for the terminal. */
export function formatRotation(
  currentKeyId: string,
  { tables, interrupted }: { tables: TableRotation[]; interrupted: boolean },
): string {
  const lines = tables.map((t) =>
    `${t.table}: ${t.reencrypted} re-encrypted, ${t.current} under ${currentKeyId}, ` +
    `${t.changedMeanwhile} changed meanwhile, ${t.failed} failed, ${t.remaining} remaining.`
  );
  if (interrupted) lines.push('Interrupted: run it again to carry on.');
  return lines.join('\n');
}
