import { createRoute, z } from '@hono/zod-openapi';
import {
  bearer,
  errorResponses,
  jsonBody,
  jsonContent,
  noContent,
} from '../../shared/http/openapi.ts';
import { idParam } from '../../shared/schemas/common.ts';
import {
  actingQuerySchema,
  conversationSchema,
  messageSchema,
  messagesQuerySchema,
  newConversationSchema,
  newMessageSchema,
} from './schemas.ts';

/** What every route of the group says of admins, as the CRM's routes do. */
const ACTING = 'Acting for a practice, as in the CRM: with `practitioner_id` in the query, the ' +
  "request works on that practitioner's conversations as their practitioner (an admin may " +
  "name any practitioner, anyone else only themself, else 403). Without it, on the caller's " +
  'own conversations, as patient or as practitioner: an admin who is no party to a ' +
  'conversation gets 404 like anyone else.';

const CONVERSATION_404 = ' A conversation the caller (or the practice named) is not a party to ' +
  'is 404, whoever the caller is.';

export const listConversations = createRoute({
  method: 'get',
  path: '/',
  summary: 'My conversations, as patient or as practitioner, most recent activity first',
  description: "Each with both parties' names, the last message, the number of messages from " +
    'the other side not yet read, and the latest appointment of the pair. ' + ACTING +
    ' An admin naming no existing practitioner gets 400.',
  security: bearer,
  request: { query: actingQuerySchema },
  responses: {
    200: jsonContent(z.array(conversationSchema), 'The conversations'),
    ...errorResponses(400, 401, 403, 429),
  },
});

export const openConversation = createRoute({
  method: 'post',
  path: '/',
  summary: 'Open the conversation with a practitioner or a patient, or find it',
  description: 'A patient sends `{practitioner_id}` (an active practitioner); a practice sends ' +
    '`{patient_id}`, a patient who has had an appointment with it: a practitioner for ' +
    'themself, an admin naming the practitioner in the `practitioner_id` query parameter (400 ' +
    "without it, and 400 with a patient's body). Anyone may write as a patient. With " +
    '`content`, a first text message is sent as well (to the existing conversation too), with ' +
    'its notification and events. 201 with the conversation when it was opened, 200 when the ' +
    'pair already had it.',
  security: bearer,
  request: { query: actingQuerySchema, body: jsonBody(newConversationSchema) },
  responses: {
    200: jsonContent(conversationSchema, 'The conversation the pair already had'),
    201: jsonContent(conversationSchema, 'The conversation, opened'),
    ...errorResponses(400, 401, 403, 413, 415, 429),
  },
});

export const listMessages = createRoute({
  method: 'get',
  path: '/{id}/messages',
  summary: 'Messages of one of my conversations, oldest first',
  description: 'Without `before`, the newest `limit` messages; with `before`, the `limit` ' +
    'messages just older than it. Both in chronological order, ties on `created_at` ordered ' +
    'by id. To page back without skipping or repeating messages sent at the same instant, send ' +
    'with `before` the `created_at` of the oldest message shown and its id as `before_id`; ' +
    '`before` alone skips the other messages of that very instant. ' + ACTING + CONVERSATION_404,
  security: bearer,
  request: { params: idParam, query: messagesQuerySchema },
  responses: {
    200: jsonContent(z.array(messageSchema), 'The messages'),
    ...errorResponses(400, 401, 403, 404, 429),
  },
});

export const sendMessage = createRoute({
  method: 'post',
  path: '/{id}/messages',
  summary: 'Send a message in one of my conversations',
  description: '`message_type` `text` (the default), `image` or `file`, whose `content` is an ' +
    "https link; `system` is refused. In the same transaction: the conversation's " +
    '`last_message_at`, a `new_message` notification to the other party in their language, ' +
    'the event `message:new` to both parties and `notification:new` to the other party. An ' +
    "admin acting for a practice writes as the practice: the message's sender is the " +
    'practitioner. ' + ACTING + CONVERSATION_404,
  security: bearer,
  request: { params: idParam, query: actingQuerySchema, body: jsonBody(newMessageSchema) },
  responses: {
    201: jsonContent(messageSchema, 'The message sent'),
    ...errorResponses(400, 401, 403, 404, 413, 415, 429),
  },
});

export const markRead = createRoute({
  method: 'patch',
  path: '/{id}/read',
  summary: "Mark read the other party's messages of one of my conversations",
  description: 'Sets `is_read` and `read_at` of every message from the other party, and marks ' +
    'read my `new_message` notifications of the conversation. Idempotent. ' + ACTING +
    CONVERSATION_404,
  security: bearer,
  request: { params: idParam, query: actingQuerySchema },
  responses: {
    ...noContent,
    ...errorResponses(400, 401, 403, 404, 429),
  },
});
