import { z } from '@hono/zod-openapi';
import { optionalText, requiredText, trueOrFalse } from '../../../shared/schemas/common.ts';
import { sortOrder } from '../schemas.ts';

export const appointmentReasonSchema = z
  .object({
    id: z.uuid(),
    practitioner_id: z.uuid().nullable().openapi({ description: 'null: a global reason' }),
    label: z.string(),
    label_fr: z.string().nullable(),
    label_he: z.string().nullable(),
    sort_order: z.int(),
    is_active: z.boolean(),
  })
  .openapi('AppointmentReason');

export const reasonFieldsSchema = z.object({
  label: requiredText(200),
  label_fr: optionalText(200),
  label_he: optionalText(200),
  sort_order: sortOrder.optional().openapi({ description: 'Defaults to 0' }),
  is_active: trueOrFalse.optional().openapi({
    description: 'Defaults to true',
  }),
});

export const reasonChangesSchema = reasonFieldsSchema.partial();

export type NewReason = z.infer<typeof reasonFieldsSchema>;
export type ReasonChanges = z.infer<typeof reasonChangesSchema>;
export type AppointmentReason = z.infer<typeof appointmentReasonSchema>;
