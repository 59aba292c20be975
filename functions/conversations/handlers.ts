import type { RouteHandler } from '@hono/zod-openapi';
import { recordAudit } from '../../shared/audit.ts';
import { currentUser } from '../../shared/auth/middleware.ts';
import type { AuthUser } from '../../shared/auth/user.ts';
import { asUser } from '../../shared/db/as-user.ts';
import type { Tx } from '../../shared/db/client.ts';
import type { AppEnv } from '../../shared/http/env.ts';
import { forbidden, notFound, validationFailed } from '../../shared/http/errors.ts';
import { sendJsonText } from '../../shared/http/json-text.ts';
import { forSomeoneElse, type Side, sideOf } from './acting.ts';
import {
  insertMessage,
  listConversations,
  listMessages,
  markRead as markReadQuery,
  openConversation,
  type Pair,
} from './queries.ts';
import type * as routes from './routes.ts';

const missing = () => notFound('We could not find this conversation.');

const unknownPractitioner = () =>
  validationFailed(
    { practitioner_id: ['No practitioner has this identifier.'] },
    'We could not find this practitioner.',
  );

/** What an admin writes for a practice is recorded with them as its actor, as in the CRM. */
function auditForPractice(
  tx: Tx,
  side: Side,
  action: string,
  entity: string,
  entityId: string,
  conversationId: string,
) {
  return recordAudit(tx, {
    actorId: side.actorId,
    action,
    entity,
    entityId,
    details: { practitioner_id: side.userId, conversation_id: conversationId },
  });
}

/**
 * A write of one statement, as the caller. A party's is handed back unsent, so it leaves with
 * the commit (one round trip); an admin's for a practice is awaited, then audited.
 */
function writeOnce<T>(
  user: AuthUser,
  side: Side,
  statement: (tx: Tx) => Promise<T>,
  audit: (tx: Tx, written: T) => Promise<void>,
): Promise<T> {
  return asUser(user.claims, (tx) => {
    if (!forSomeoneElse(side)) return statement(tx);
    return statement(tx).then(async (written) => {
      await audit(tx, written);
      return written;
    });
  });
}

export const list: RouteHandler<typeof routes.listConversations, AppEnv> = async (c) => {
  const user = currentUser(c);
  const side = sideOf(user, c.req.valid('query').practitioner_id);
  const [{ conversations, known }] = await asUser(
    user.claims,
    (tx) => listConversations(tx, side),
  );
  if (!known) throw unknownPractitioner();
  return sendJsonText(c, conversations, 200);
};

/**
 * The side that opens: a patient's body names the practitioner, a practice's the patient. An
 * admin names the practice in the query, as in the CRM; a patient account has no practice.
 */
function openingSide(
  c: Parameters<RouteHandler<typeof routes.openConversation, AppEnv>>[0],
): { side: Side; pair: Pair } {
  const user = currentUser(c);
  const acting = c.req.valid('query').practitioner_id;
  const body = c.req.valid('json');
  if (body.practitioner_id != null) {
    if (acting !== undefined) {
      throw validationFailed(
        { practitioner_id: ['Name a practice to act for only to write to a patient.'] },
        'Name a practice to act for only to write to a patient.',
      );
    }
    return {
      side: { userId: user.id, practice: false, actorId: user.id },
      pair: { patientId: user.id, practitionerId: body.practitioner_id },
    };
  }
  if (user.role === 'patient') {
    throw forbidden('Only a practice can start a conversation with a patient.');
  }
  if (user.role === 'admin' && acting === undefined) {
    throw validationFailed(
      { practitioner_id: ['Name the practitioner to act for.'] },
      'Please choose the practitioner to act for.',
    );
  }
  const side = sideOf(user, acting ?? user.id);
  return { side, pair: { patientId: body.patient_id!, practitionerId: side.userId } };
}

export const open: RouteHandler<typeof routes.openConversation, AppEnv> = async (c) => {
  const user = currentUser(c);
  const { side, pair } = openingSide(c);
  const content = c.req.valid('json').content ?? null;
  const opened = await asUser(user.claims, async (tx) => {
    const result = await openConversation(tx, pair, side.userId, content);
    if (forSomeoneElse(side) && result.found) {
      const conversationId = result.found.id;
      if (result.created) {
        await auditForPractice(
          tx,
          side,
          'conversation.create',
          'conversations',
          conversationId,
          conversationId,
        );
      }
      if (result.messageId) {
        await auditForPractice(
          tx,
          side,
          'message.create',
          'messages',
          result.messageId,
          conversationId,
        );
      }
    }
    return result;
  });
  if (!opened.found) throw missing();
  return opened.created
    ? sendJsonText(c, opened.found.conversation, 201)
    : sendJsonText(c, opened.found.conversation, 200);
};

export const messages: RouteHandler<typeof routes.listMessages, AppEnv> = async (c) => {
  const user = currentUser(c);
  const { id } = c.req.valid('param');
  const page = c.req.valid('query');
  const side = sideOf(user, page.practitioner_id);
  const [found] = await asUser(user.claims, (tx) => listMessages(tx, side, id, page));
  if (!found) throw missing();
  return sendJsonText(c, found.messages, 200);
};

export const send: RouteHandler<typeof routes.sendMessage, AppEnv> = async (c) => {
  const user = currentUser(c);
  const { id } = c.req.valid('param');
  const side = sideOf(user, c.req.valid('query').practitioner_id);
  const message = c.req.valid('json');
  const [sent] = await writeOnce(
    user,
    side,
    (tx) => insertMessage(tx, side, id, message),
    async (tx, [row]) => {
      if (row) await auditForPractice(tx, side, 'message.create', 'messages', row.id, id);
    },
  );
  if (!sent) throw missing();
  return sendJsonText(c, sent.message, 201);
};

export const read: RouteHandler<typeof routes.markRead, AppEnv> = async (c) => {
  const user = currentUser(c);
  const { id } = c.req.valid('param');
  const side = sideOf(user, c.req.valid('query').practitioner_id);
  const [{ found }] = await writeOnce(
    user,
    side,
    (tx) => markReadQuery(tx, side, id),
    async (tx, [row]) => {
      if (row.found) await auditForPractice(tx, side, 'conversation.read', 'conversations', id, id);
    },
  );
  if (found === 0) throw missing();
  return c.body(null, 204);
};
