import type { Tx } from '../../shared/db/client.ts';

export async function practitionerExists(tx: Tx, id: string): Promise<boolean> {
  const rows = await tx`select 1 from public.practitioners where id = ${id}`;
  return rows.length === 1;
}
