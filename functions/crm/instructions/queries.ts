import type { Tx } from '../../../shared/db/client.ts';
import type { AppointmentInstruction, InstructionChanges, NewInstruction } from './schemas.ts';

export const INSTRUCTIONS_TABLE = 'appointment_instructions';

const instructionColumns = (tx: Tx) => tx`id, title, content, is_active, sort_order`;

export function listInstructions(
  tx: Tx,
  practitionerId: string,
): Promise<AppointmentInstruction[]> {
  return tx<AppointmentInstruction[]>`
    select ${instructionColumns(tx)} from public.appointment_instructions
    where practitioner_id = ${practitionerId}
    order by sort_order, created_at, id`;
}

export async function insertInstruction(
  tx: Tx,
  practitionerId: string,
  input: NewInstruction,
): Promise<AppointmentInstruction> {
  const [row] = await tx<AppointmentInstruction[]>`
    insert into public.appointment_instructions (practitioner_id, title, content, is_active, sort_order)
    values (${practitionerId}, ${input.title}, ${input.content}, ${input.is_active ?? true},
            ${input.sort_order ?? 0})
    returning ${instructionColumns(tx)}`;
  return row;
}

export async function lockInstruction(
  tx: Tx,
  practitionerId: string,
  id: string,
): Promise<AppointmentInstruction | undefined> {
  const [row] = await tx<AppointmentInstruction[]>`
    select ${instructionColumns(tx)} from public.appointment_instructions
    where id = ${id} and practitioner_id = ${practitionerId}
    for update`;
  return row;
}

export async function updateInstruction(
  tx: Tx,
  practitionerId: string,
  id: string,
  changes: InstructionChanges,
  columns: Array<keyof InstructionChanges>,
): Promise<AppointmentInstruction> {
  const [row] = await tx<AppointmentInstruction[]>`
    update public.appointment_instructions set ${tx(changes, columns)}
    where id = ${id} and practitioner_id = ${practitionerId}
    returning ${instructionColumns(tx)}`;
  return row;
}
