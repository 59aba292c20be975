import type postgres from 'postgres';
import { BENCH_DOMAIN } from './data.ts';
import type { SignedInUser } from './fixtures.ts';
import type { BenchOptions } from './options.ts';
import type { Scenario } from './scenarios.ts';

// The `payments` and `reviews` groups: their data and their routes under load. Kept apart from
// data.ts and scenarios.ts, which only call in here.

const FUNCTIONS = '/functions/v1';
const CARDS_PER_USER = 3;
const REVIEW_PRACTITIONERS = 100;
const REVIEW_PRACTITIONER_EMAILS = `bench-review-practitioner-%@${BENCH_DOMAIN}`;
/**
 * Requests per second the review pool is sized for: more than the route can answer here, so the
 * pool never runs dry during a run. A reused appointment would answer 409 and void the figures.
 */
const REVIEWS_PER_SECOND_CEILING = 2000;

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

/** Anonymous load from many clients, as `scenarios.ts` sends the directory's. */
const fromSomeClient = () => ({
  'x-forwarded-for': `10.${Math.floor(Math.random() * 40)}.${Math.floor(Math.random() * 250)}.1`,
});

const benchSaleId = (n: number) => `SALEBENCH-${String(n).padStart(8, '0')}-REPLAY00-00000000`;

/**
 * Three cards each for the bench users (the first the default), and one completed payment each
 * whose `sale-complete` notification was processed: what PayMe's retries replay. Idempotent.
 */
async function ensurePaymentData(sql: postgres.Sql, users: SignedInUser[]): Promise<void> {
  const ids = users.map((u) => u.id);
  await sql`
    insert into public.payment_methods (user_id, brand, last4, expiry_month, expiry_year, is_default)
    select u.id, (array['Visa', 'Mastercard', 'Isracard'])[c], lpad((1000 * c + u.n)::text, 4, '0'),
           1 + c * 3, extract(year from now())::int + c, c = 1
    from unnest(${ids}::uuid[]) with ordinality u(id, n)
    cross join generate_series(1, ${CARDS_PER_USER}) c
    where not exists (select from public.payment_methods m where m.user_id = u.id)`;
  const sales = users.map((_, i) => benchSaleId(i + 1));
  await sql`
    insert into public.payment_transactions
      (user_id, amount_agorot, description, status, payme_sale_id, payme_sale_code, payment_url)
    select x.id, 15000, 'Bench consultation', 'completed', x.sale, 20000000 + x.n,
           'https://sandbox.payme.io/sale/generate/' || x.sale
    from unnest(${ids}::uuid[], ${sales}::text[]) with ordinality as x(id, sale, n)
    on conflict (payme_sale_id) do nothing`;
  await sql`
    insert into private.payme_notifications
      (payme_sale_id, notify_type, transaction_id, fields, outcome, client_address)
    select t.payme_sale_id, 'sale-complete', t.id,
           jsonb_build_object('notify_type', 'sale-complete', 'payme_sale_id', t.payme_sale_id,
                              'price', '15000', 'currency', 'ILS'),
           'processed', 'unknown'
    from public.payment_transactions t
    where t.payme_sale_id = any(${sales}::text[])
    on conflict (payme_sale_id, notify_type) where outcome = 'processed' do nothing`;
}

export function paymentScenarios(users: SignedInUser[]): Scenario[] {
  const signedIn = () => ({ authorization: `Bearer ${pick(users).token}` });
  // PayMe's notification of one of the bench's processed sales, as PayMe sends it (a form).
  // The bench gateway sets no signature secret: the MD5 check a deployment with one adds costs
  // microseconds next to the request's two statements.
  const replay = () => {
    const n = 1 + Math.floor(Math.random() * users.length);
    return new URLSearchParams({
      status_code: '0',
      notify_type: 'sale-complete',
      payme_sale_id: benchSaleId(n),
      payme_transaction_id: `TRANBENCH-${String(n).padStart(8, '0')}`,
      price: '15000',
      currency: 'ILS',
      sale_status: 'completed',
    }).toString();
  };
  return [
    {
      name: 'GET /payments/methods (3 cards)',
      group: 'payments',
      target: 0.6,
      against: 'floor',
      method: 'GET',
      next: () => ({ path: `${FUNCTIONS}/payments/methods`, headers: signedIn() }),
    },
    {
      name: 'POST /payments/webhook (replayed notification)',
      group: 'payments',
      target: 0.4,
      against: 'floor',
      method: 'POST',
      next: () => ({
        path: `${FUNCTIONS}/payments/webhook`,
        headers: { ...fromSomeClient(), 'content-type': 'application/x-www-form-urlencoded' },
        body: replay(),
      }),
    },
  ];
}

/** The practitioners the bench users review, numbered 1..REVIEW_PRACTITIONERS. */
async function ensureReviewPractitioners(sql: postgres.Sql): Promise<void> {
  await sql`
    insert into auth.users (email, raw_user_meta_data)
    select format('bench-review-practitioner-%s@%s', g, ${BENCH_DOMAIN}::text),
           jsonb_build_object('first_name', 'Review', 'last_name', format('Doctor %s', g))
    from generate_series(1, ${REVIEW_PRACTITIONERS}) g
    on conflict (email) do nothing`;
  await sql`
    update public.profiles set role = 'practitioner'
    where email like ${REVIEW_PRACTITIONER_EMAILS} and role <> 'practitioner'`;
}

interface Reviewable {
  id: string;
  practitioner_id: string;
  patient_id: string;
}

/**
 * Completed appointments of the bench users with the review practitioners, not reviewed yet:
 * one per POST /reviews, since an appointment is reviewed once. Topped up to `count` (the
 * appointments' own triggers run, as for any inserted appointment) and returned in random
 * order: requests in a row go to different practitioners, as real reviews do, instead of
 * queueing on one practitioner's rating figures (one row, locked until each commit).
 */
async function reviewPool(
  sql: postgres.Sql,
  users: SignedInUser[],
  count: number,
): Promise<Reviewable[]> {
  const ids = users.map((u) => u.id);
  const unreviewed = (limit: number) =>
    sql<Reviewable[]>`
      select a.id, a.practitioner_id, a.patient_id
      from public.appointments a
      join public.profiles p on p.id = a.practitioner_id and p.email like ${REVIEW_PRACTITIONER_EMAILS}
      where a.patient_id = any(${ids}::uuid[]) and a.status = 'completed'
        and not exists (select from public.reviews r where r.appointment_id = a.id)
      order by random()
      limit ${limit}`;
  const existing = await unreviewed(count);
  const missing = count - existing.length;
  if (missing <= 0) return existing;
  await sql`
    with doctors as (
      select array_agg(id order by email) as ids from public.profiles
      where email like ${REVIEW_PRACTITIONER_EMAILS}
    )
    insert into public.appointments
      (patient_id, practitioner_id, appointment_date, start_time, end_time, status, visited_before)
    select (${ids}::uuid[])[1 + g % ${ids.length}],
           d.ids[1 + g % cardinality(d.ids)],
           current_date - 1 - g % 3000, '09:00', '09:30', 'completed', true
    from generate_series(1, ${missing}) g cross join doctors d`;
  return await unreviewed(count);
}

export async function reviewScenarios(
  sql: postgres.Sql,
  users: SignedInUser[],
  options: BenchOptions,
  log: (line: string) => void,
): Promise<Scenario[]> {
  const started = performance.now();
  await ensureReviewPractitioners(sql);
  // Warm-up, the counted sample and the measured run; a CPU profile of the route needs its own.
  const runs = options.cpuProfile && 'POST /reviews'.includes(options.cpuProfile) ? 2 : 1;
  const needed = Math.ceil(
    runs * (options.warmup + options.duration) * REVIEWS_PER_SECOND_CEILING + options.sample,
  );
  const pool = await reviewPool(sql, users, needed);
  log(
    `Review pool: ${pool.length} completed appointments without a review ` +
      `(${((performance.now() - started) / 1000).toFixed(1)} s).`,
  );
  const tokens = new Map(users.map((u) => [u.id, u.token]));
  let next = 0;
  return [{
    name: 'POST /reviews',
    group: 'reviews',
    target: 0.3,
    against: 'floor',
    method: 'POST',
    next: () => {
      // Past the end of the pool the same appointments come back and answer 409: the run then
      // shows failures instead of flattering figures.
      const appointment = pool[next++ % pool.length];
      return {
        path: `${FUNCTIONS}/reviews`,
        headers: {
          authorization: `Bearer ${tokens.get(appointment.patient_id)}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          appointment_id: appointment.id,
          practitioner_id: appointment.practitioner_id,
          rating: 1 + (next % 5),
          comment: 'Clear explanations, on time.',
        }),
      };
    },
  }];
}

/** The scenarios of these groups that `options` asks for; their data made first. */
export async function paymentAndReviewScenarios(
  sql: postgres.Sql,
  users: SignedInUser[],
  options: BenchOptions,
  log: (line: string) => void,
): Promise<Scenario[]> {
  const wanted = (group: string) => options.group === undefined || options.group === group;
  const scenarios: Scenario[] = [];
  if (wanted('payments')) {
    await ensurePaymentData(sql, users);
    scenarios.push(...paymentScenarios(users));
  }
  if (wanted('reviews')) scenarios.push(...await reviewScenarios(sql, users, options, log));
  return scenarios;
}
