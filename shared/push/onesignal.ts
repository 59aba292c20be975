import type { PushConfig } from '../config.ts';
import type { PushAdapter, PushMessage, PushOutcome } from './adapter.ts';

/**
 * The languages OneSignal takes as keys of `headings` and `contents` among the app's locales
 * (fr, he, en, ru, am, es). OneSignal has no Amharic key
 * (https://documentation.onesignal.com/docs/multi-language-messaging, "Supported languages"),
 * so an Amharic text travels under `en` alone.
 */
const ONESIGNAL_LANGUAGES = new Set(['en', 'fr', 'he', 'ru', 'es']);

/** Longest wait for OneSignal's answer; past it the attempt is retried later. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The same text under the recipient's language and under `en`. The notification row is already
 * written in the recipient's language (`user_settings.locale`), which may differ from the
 * device's: OneSignal shows the key of the device's language, and `en` to every other device
 * ("Any/English", required as the fallback). Both hold the recipient's text, so every device of
 * the recipient shows it in the language they chose in the app.
 */
function inLanguage(locale: string, text: string): Record<string, string> {
  return ONESIGNAL_LANGUAGES.has(locale) && locale !== 'en'
    ? { [locale]: text, en: text }
    : { en: text };
}

/**
 * The request body of OneSignal's "Create message" for push
 * (https://documentation.onesignal.com/reference/push-notification): the app, the devices by
 * subscription id, the title (`headings`) and text (`contents`) per language, the app's `data`,
 * and the notification's id as `idempotency_key`, so a retry after a lost answer is not pushed
 * twice (https://documentation.onesignal.com/reference/idempotent-notification-requests: a UUID,
 * honoured for 30 days).
 */
export function oneSignalRequestBody(appId: string, message: PushMessage) {
  return {
    app_id: appId,
    include_subscription_ids: message.tokens,
    headings: inLanguage(message.locale, message.title),
    contents: inLanguage(message.locale, message.body),
    data: message.data,
    idempotency_key: message.id,
  };
}

interface OneSignalAnswer {
  id?: unknown;
  errors?: unknown;
}

/**
 * The subscription ids an answer reports unusable. `errors` is either an object listing them
 * (`invalid_player_ids`: invalid or unsubscribed subscription ids, the others were sent to) or a
 * list of sentences; "All included players are not subscribed" means every one we sent.
 */
function unusableTokens(answer: OneSignalAnswer, sent: string[]): string[] {
  const { errors } = answer;
  if (Array.isArray(errors)) {
    return errors.some((e) => typeof e === 'string' && /not subscribed/i.test(e)) ? sent : [];
  }
  if (errors && typeof errors === 'object') {
    const listed = (errors as { invalid_player_ids?: unknown }).invalid_player_ids;
    if (Array.isArray(listed)) return sent.filter((token) => listed.includes(token));
  }
  return [];
}

async function readAnswer(res: Response): Promise<OneSignalAnswer> {
  try {
    const answer = await res.json();
    return answer && typeof answer === 'object' ? answer as OneSignalAnswer : {};
  } catch {
    return {};
  }
}

/**
 * Reads OneSignal's answer. 200 with an `id` is sent (some subscriptions may be listed
 * invalid); 200 with an empty `id` sent nothing, because no subscription could receive it; 429
 * and 5xx are passing; any other 4xx is a request OneSignal will never take (a wrong key, a
 * malformed body), recorded as failed. Subscriptions reported invalid are removed in every case.
 */
export async function oneSignalOutcome(res: Response, sent: string[]): Promise<PushOutcome> {
  const answer = await readAnswer(res);
  const invalidTokens = unusableTokens(answer, sent);
  const error = `http_${res.status}`;
  if (res.status === 429 || res.status >= 500) return { outcome: 'retry', error, invalidTokens };
  if (!res.ok) return { outcome: 'failed', error, invalidTokens };
  if (typeof answer.id === 'string' && answer.id !== '') {
    return { outcome: 'sent', providerId: answer.id, invalidTokens };
  }
  if (invalidTokens.length > 0) return { outcome: 'unsubscribed', invalidTokens };
  return { outcome: 'failed', error: 'not_created', invalidTokens };
}

const errorName = (e: unknown) => (e as { name?: string })?.name;

/** OneSignal's REST API with the app's id and REST API key. */
export function createOneSignalAdapter(settings: PushConfig): PushAdapter {
  const url = `${settings.apiUrl}/notifications?c=push`;
  return {
    async send(message) {
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: {
            // An App API key goes with the `Key` scheme (the page above, "Authorization").
            authorization: `Key ${settings.restApiKey}`,
            'content-type': 'application/json',
            accept: 'application/json',
          },
          body: JSON.stringify(oneSignalRequestBody(settings.appId, message)),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (e) {
        const timedOut = ['TimeoutError', 'AbortError'].includes(errorName(e) ?? '');
        return { outcome: 'retry', error: timedOut ? 'timeout' : 'network', invalidTokens: [] };
      }
      return await oneSignalOutcome(res, message.tokens);
    },
  };
}

/** The configured adapter, or undefined when push is off. */
export const pushAdapterFor = (settings: PushConfig | undefined): PushAdapter | undefined =>
  settings ? createOneSignalAdapter(settings) : undefined;
