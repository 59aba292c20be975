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
  notificationSchema,
  pushTokenRegistrationSchema,
  pushTokenRemovalSchema,
  unreadCountSchema,
} from './schemas.ts';

// The literal paths come before `/{id}/read`: none of them has the shape `/<id>/read`, and
// listing them first keeps it so if one ever does.

export const listNotifications = createRoute({
  method: 'get',
  path: '/',
  summary: 'My latest 50 notifications, newest first',
  security: bearer,
  responses: {
    200: jsonContent(z.array(notificationSchema), 'The notifications'),
    ...errorResponses(401, 429),
  },
});

export const unreadCount = createRoute({
  method: 'get',
  path: '/unread-count',
  summary: 'How many of my notifications are unread',
  security: bearer,
  responses: {
    200: jsonContent(unreadCountSchema, 'The count'),
    ...errorResponses(401, 429),
  },
});

export const markAllRead = createRoute({
  method: 'patch',
  path: '/read-all',
  summary: 'Mark all my notifications read',
  security: bearer,
  responses: {
    ...noContent,
    ...errorResponses(401, 429),
  },
});

export const registerPushToken = createRoute({
  method: 'post',
  path: '/push-tokens',
  summary: "Register this device's push subscription id for me",
  description:
    'The OneSignal subscription id of the device. Registering it again changes nothing; a ' +
    'device registered by someone else (it changed hands) moves to me.',
  security: bearer,
  request: { body: jsonBody(pushTokenRegistrationSchema) },
  responses: {
    ...noContent,
    ...errorResponses(400, 401, 413, 415, 429),
  },
});

export const removePushToken = createRoute({
  method: 'delete',
  path: '/push-tokens',
  summary: 'Stop pushing to this device (at sign-out)',
  description: 'Done even when I had no such device: the answer is the same.',
  security: bearer,
  request: { body: jsonBody(pushTokenRemovalSchema) },
  responses: {
    ...noContent,
    ...errorResponses(400, 401, 413, 415, 429),
  },
});

export const markRead = createRoute({
  method: 'patch',
  path: '/{id}/read',
  summary: 'Mark one of my notifications read',
  security: bearer,
  request: { params: idParam },
  responses: {
    ...noContent,
    ...errorResponses(400, 401, 404, 429),
  },
});
