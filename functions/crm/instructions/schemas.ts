import { z } from '@hono/zod-openapi';
import { requiredText, trueOrFalse } from '../../../shared/schemas/common.ts';
import { sortOrder } from '../schemas.ts';

export const appointmentInstructionSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    content: z.string(),
    is_active: z.boolean(),
    sort_order: z.int(),
  })
  .openapi('AppointmentInstruction');

export const instructionFieldsSchema = z.object({
  title: requiredText(200),
  content: requiredText(5000),
  is_active: trueOrFalse.optional().openapi({
    description: 'Defaults to true',
  }),
  sort_order: sortOrder.optional().openapi({ description: 'Defaults to 0' }),
});

export const instructionChangesSchema = instructionFieldsSchema.partial();

export type NewInstruction = z.infer<typeof instructionFieldsSchema>;
export type InstructionChanges = z.infer<typeof instructionChangesSchema>;
export type AppointmentInstruction = z.infer<typeof appointmentInstructionSchema>;
