import type { z } from '@hono/zod-openapi';
import { isoDate, optionalParam } from './common.ts';

/** The longest period a from/to query may cover: `to` at most this many days after `from`. */
export const MAX_PERIOD_DAYS = 366;

const DAY_MS = 86_400_000;

/** Whole days from one `YYYY-MM-DD` date to another, negative when `to` is earlier. */
export const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);

const PERIOD_RULES = `\`to\` cannot be before \`from\`, and is at most ${MAX_PERIOD_DAYS} days ` +
  'after it.';

/** `from` and `to` of a period both required, both included. */
export const periodParams = {
  from: isoDate.openapi({ description: 'First date of the period, included' }),
  to: isoDate.openapi({ description: `Last date of the period, included. ${PERIOD_RULES}` }),
};

/** `from` and `to` of a period that may be left out, together (`""` means left out). */
export const optionalPeriodParams = {
  from: optionalParam(isoDate).openapi({
    description: 'First date of the period, included; sent together with `to`',
  }),
  to: optionalParam(isoDate).openapi({
    description: `Last date of the period, included; sent together with \`from\`. ${PERIOD_RULES}`,
  }),
};

/**
 * The cross-field rules of a period, for `superRefine`: `from` and `to` together, `to` not
 * before `from`, at most MAX_PERIOD_DAYS days apart. Issues are reported on `to`.
 */
export function checkPeriod(period: { from?: string; to?: string }, ctx: z.RefinementCtx): void {
  const { from, to } = period;
  if (from === undefined && to === undefined) return;
  if (from === undefined || to === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: [from === undefined ? 'from' : 'to'],
      message: 'Send from and to together.',
    });
    return;
  }
  const days = daysBetween(from, to);
  if (days < 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      message: 'The end date cannot be before the start date.',
    });
  } else if (days > MAX_PERIOD_DAYS) {
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      message: `The end date can be at most ${MAX_PERIOD_DAYS} days after the start date.`,
    });
  }
}
