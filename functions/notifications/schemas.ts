import { z } from '@hono/zod-openapi';

/** Every type a notification can have (public.notification_type). */
export const NOTIFICATION_TYPES = [
  'appointment_request',
  'appointment_created',
  'appointment_confirmed',
  'appointment_cancelled',
  'appointment_completed',
  'appointment_reminder',
  'new_message',
  'review_received',
  'appointment_rescheduled',
  'earlier_slot_available',
] as const;

/** Contract 10, with `user_id` (client-compat). Title and body are in the recipient's language. */
export const notificationSchema = z
  .object({
    id: z.uuid(),
    user_id: z.uuid(),
    type: z.enum(NOTIFICATION_TYPES),
    title: z.string(),
    body: z.string(),
    data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).openapi({
      description: '`appointment_id` and/or `conversation_id` where they apply',
      example: { appointment_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7' },
    }),
    is_read: z.boolean(),
    created_at: z.string().openapi({ format: 'date-time', example: '2026-02-08T10:00:00.000000Z' }),
  })
  .openapi('Notification');

export const unreadCountSchema = z.object({ count: z.number().int().min(0) }).openapi(
  'UnreadCount',
);

export const PUSH_PLATFORMS = ['ios', 'android', 'web'] as const;

const TOKEN_MESSAGE = 'Use the push subscription id the app received: 10 to 255 characters.';

/**
 * A push provider's subscription id (OneSignal today): 10 to 255 printable characters without
 * spaces (client-compat). The database holds the same rule.
 */
export const pushToken = z
  .string({ message: TOKEN_MESSAGE })
  .trim()
  .regex(/^[!-~]{10,255}$/, { message: TOKEN_MESSAGE })
  .openapi({ minLength: 10, maxLength: 255, example: '1dd608f2-c6a1-11e3-851d-000c2940e62c' });

export const pushTokenRegistrationSchema = z.object({
  token: pushToken,
  platform: z.enum(PUSH_PLATFORMS, { message: `Use one of: ${PUSH_PLATFORMS.join(', ')}.` }),
});

export const pushTokenRemovalSchema = z.object({ token: pushToken });

export type Notification = z.infer<typeof notificationSchema>;
export type UnreadCount = z.infer<typeof unreadCountSchema>;
export type PushTokenRegistration = z.infer<typeof pushTokenRegistrationSchema>;
