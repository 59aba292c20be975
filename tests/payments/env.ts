import { afterAll } from 'vitest';
import { type PaymeStandIn, startPaymeStandIn } from '../helpers/payme-stand-in.ts';

export const RETURN_URL = 'https://app.dokal.example/payments/done';

const VARIABLES = [
  'PAYME_SELLER_KEY',
  'PAYME_API_URL',
  'PAYME_TIMEOUT_MS',
  'PAYME_SIGNATURE_SECRET',
  'PAYME_WEBHOOK_URL',
  'PAYMENT_RETURN_URL',
];

/**
 * A PayMe stand-in and the payments configuration pointing at it, for this test file: the apps
 * read the environment once, on load, so import them after this (`await import(...)`). The
 * environment is put back after the file, for the files that run after it in the same worker.
 */
export async function paymeEnvironment(
  options: { signatureSecret?: string; timeoutMs?: number } = {},
): Promise<PaymeStandIn> {
  const sellerKey = `MPL${Date.now()}-SELLER00-${crypto.randomUUID().slice(0, 8).toUpperCase()}`;
  const standIn = await startPaymeStandIn(sellerKey);
  const saved = Object.fromEntries(VARIABLES.map((v) => [v, process.env[v]]));
  Object.assign(process.env, {
    PAYME_SELLER_KEY: sellerKey,
    PAYME_API_URL: standIn.url,
    PAYME_TIMEOUT_MS: String(options.timeoutMs ?? 500),
    PAYME_SIGNATURE_SECRET: options.signatureSecret ?? '',
    PAYME_WEBHOOK_URL: '',
    PAYMENT_RETURN_URL: RETURN_URL,
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await standIn.close();
  });
  return standIn;
}
