import { z } from '@hono/zod-openapi';
import { APPOINTMENT_STATUSES } from '../../shared/schemas/appointment.ts';
import {
  optionalParam,
  optionalText,
  orNull,
  uuid,
  wholeNumberParam,
} from '../../shared/schemas/common.ts';
import { personNamesSchema } from '../../shared/schemas/practitioner.ts';

const timestamp = z.string().openapi({ format: 'date-time' });

export const MESSAGE_TYPES = ['text', 'image', 'file', 'system'] as const;
/** What a client may send: `system` messages are written by Dokal only. */
const CLIENT_MESSAGE_TYPES = ['text', 'image', 'file'] as const;
export const MAX_MESSAGE_LENGTH = 4000;

/** A message as both clients read it, in every answer and in the `message:new` event. */
export const messageSchema = z
  .object({
    id: z.uuid(),
    conversation_id: z.uuid(),
    sender_id: z.uuid(),
    content: z.string(),
    message_type: z.enum(MESSAGE_TYPES),
    is_read: z.boolean(),
    read_at: timestamp.nullable(),
    created_at: timestamp,
  })
  .openapi('ConversationMessage');

export const conversationSchema = z
  .object({
    id: z.uuid(),
    patient_id: z.uuid(),
    practitioner_id: z.uuid(),
    last_message_at: timestamp.nullable(),
    practitioners: z.object({ id: z.uuid(), profiles: personNamesSchema }),
    profiles: personNamesSchema.openapi({ description: 'The patient (the CRM shows them)' }),
    last_message: orNull(
      z.object({
        id: z.uuid(),
        content: z.string(),
        created_at: timestamp,
        message_type: z.enum(MESSAGE_TYPES),
        sender_id: z.uuid(),
      }).openapi('ConversationLastMessage'),
    ),
    unread_count: z.int().min(0).openapi({
      description: 'Messages from the other side not yet read',
    }),
    appointments: orNull(
      z.object({
        id: z.uuid(),
        status: z.enum(APPOINTMENT_STATUSES),
        appointment_date: z.string().openapi({ format: 'date', example: '2026-02-10' }),
        reason: z.string().nullable().openapi({ description: 'The label of its reason' }),
      }).openapi('ConversationAppointment'),
    ).openapi({ description: 'The latest appointment of the pair, if any' }),
  })
  .openapi('Conversation');

/** The practice an admin acts for, as in the CRM; a practitioner may name only themself. */
const actingParam = optionalParam(uuid).openapi({
  description: 'Act for this practice: its conversations only. An admin must name one to ' +
    "read or write a practice's conversations; anyone else may name only themself.",
});

export const actingQuerySchema = z.object({ practitioner_id: actingParam });

const TEXT_REQUIRED = 'Write a message.';
const TOO_LONG = `Use at most ${MAX_MESSAGE_LENGTH} characters.`;

/** A message's text: trimmed, 1 to 4,000 characters. */
const messageText = z
  .string({ message: TEXT_REQUIRED })
  .trim()
  .min(1, { message: TEXT_REQUIRED })
  .max(MAX_MESSAGE_LENGTH, { message: TOO_LONG });

/** An https link, as the database requires of pictures and files (migration 20261202003000). */
const HTTPS_URL = /^https:\/\/[^\s/?#]+([/?#]\S*)?$/;
const isHttpsUrl = (value: string) => HTTPS_URL.test(value) && URL.canParse(value);

/** `text` when left out or null. */
const messageType = z.preprocess(
  (v) => (v === null ? undefined : v),
  z.enum(CLIENT_MESSAGE_TYPES, {
    error: (issue) =>
      issue.input === 'system'
        ? 'System messages are written by Dokal only.'
        : 'Use text, image or file.',
  }).default('text'),
).openapi({ type: ['string', 'null'], enum: [...CLIENT_MESSAGE_TYPES, null], default: 'text' });

export const newMessageSchema = z
  .object({
    content: messageText.openapi({
      description: 'The text, or for `image` and `file` the https link to the picture or file',
    }),
    message_type: messageType,
  })
  .superRefine((message, ctx) => {
    if (message.message_type !== 'text' && !isHttpsUrl(message.content)) {
      ctx.addIssue({
        code: 'custom',
        path: ['content'],
        message: 'Send a picture or a file as an https link.',
      });
    }
  });

const ONE_SIDE =
  'Send practitioner_id to write to a practitioner, or patient_id to write to a patient.';

export const newConversationSchema = z
  .object({
    practitioner_id: uuid.nullable().optional().openapi({
      description: 'A patient writing to this practitioner',
    }),
    patient_id: uuid.nullable().optional().openapi({
      description: 'A practice writing to this patient',
    }),
    // "" or spaces mean no first message (client-compat).
    content: optionalText(MAX_MESSAGE_LENGTH).openapi({
      description: 'A first text message, optional',
    }),
  })
  .superRefine((body, ctx) => {
    if ((body.practitioner_id == null) === (body.patient_id == null)) {
      ctx.addIssue({
        code: 'custom',
        path: [body.practitioner_id == null ? 'practitioner_id' : 'patient_id'],
        message: ONE_SIDE,
      });
    }
  });

const BEFORE_MESSAGE = 'Use an ISO timestamp with a time zone, for example 2026-02-08T14:30:00Z.';
const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-](0\d|1[0-4])(:?[0-5]\d)?)$/;

/** A real instant: the pattern, and a day the month has. */
function isIsoTimestamp(value: string): boolean {
  const m = ISO_TIMESTAMP.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1 && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d;
}

/**
 * An ISO-8601 timestamp with its zone, to the microsecond (as the API writes them). A `+` of an
 * offset left unencoded in the query string arrives as a space, and is read as the `+` it was.
 */
const isoTimestampParam = z.preprocess(
  (v) => (typeof v === 'string' ? v.replace(/ (\d{2}(:?\d{2})?)$/, '+$1') : v),
  z.string({ message: BEFORE_MESSAGE })
    .refine(isIsoTimestamp, { message: BEFORE_MESSAGE })
    .openapi({ pattern: ISO_TIMESTAMP.source, example: '2026-02-08T14:30:00.000000Z' }),
);

export const messagesQuerySchema = z
  .object({
    limit: wholeNumberParam('limit', 1, 100, 50),
    before: optionalParam(isoTimestampParam).openapi({
      description: 'Only messages older than this instant (usually the `created_at` of the ' +
        'oldest message shown)',
    }),
    before_id: optionalParam(uuid).openapi({
      description: 'With `before`: the id of that oldest message. Messages of the same ' +
        '`created_at` then page by id, so none is skipped or repeated.',
    }),
    practitioner_id: actingParam,
  })
  .superRefine((query, ctx) => {
    if (query.before_id !== undefined && query.before === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['before_id'],
        message: 'Send before_id with before: the created_at of the same message.',
      });
    }
  });

export type Conversation = z.infer<typeof conversationSchema>;
export type Message = z.infer<typeof messageSchema>;
export type NewMessage = z.infer<typeof newMessageSchema>;
export type NewConversation = z.infer<typeof newConversationSchema>;
export type MessagesQuery = z.infer<typeof messagesQuerySchema>;
