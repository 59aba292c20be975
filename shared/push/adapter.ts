/** One notification pushed to every device of its recipient. */
export interface PushMessage {
  /** The notification's id: the provider's idempotency key, so a retry never pushes it twice. */
  id: string;
  /** The recipient's push subscription ids (push_tokens). */
  tokens: string[];
  /** The recipient's `user_settings.locale`, the language `title` and `body` are written in. */
  locale: string;
  title: string;
  body: string;
  /** What the app needs to open the right screen: the notification's id, type and data. */
  data: Record<string, unknown>;
}

/**
 * How a push went, as the delivery routine records it:
 * - `sent`: the provider accepted it;
 * - `unsubscribed`: none of the tokens can receive it any more (nothing was sent);
 * - `failed`: refused for good (a malformed request, a wrong key);
 * - `retry`: a passing failure (the provider's 5xx, a rate limit, the network): try again later.
 * `invalidTokens` are tokens the provider reported invalid or unsubscribed: they are removed.
 * `error` is a short code (`http_500`, `network`...), never a response body.
 */
export type PushOutcome =
  | { outcome: 'sent'; providerId: string; invalidTokens: string[] }
  | { outcome: 'unsubscribed'; invalidTokens: string[] }
  | { outcome: 'failed'; error: string; invalidTokens: string[] }
  | { outcome: 'retry'; error: string; invalidTokens: string[] };

/** A push provider. It never throws for the provider's answers: every answer is an outcome. */
export interface PushAdapter {
  send(message: PushMessage): Promise<PushOutcome>;
}
