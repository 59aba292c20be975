import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { freePort } from '../../dev/lib/free-port.ts';

/** One request the stand-in received, exactly as it arrived. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A sale as the stand-in's PayMe keeps it. */
export interface StandInSale {
  payme_sale_id: string;
  payme_sale_code: number;
  transaction_id: string;
  sale_status: string;
  sale_price: number;
  sale_currency: string;
}

/** How to answer one request instead of the way PayMe does: a body, a status, or silence. */
export type Answer =
  | { status?: number; json: unknown }
  | { status: number; text: string }
  | 'hang';

export interface PaymeStandIn {
  url: string;
  sellerKey: string;
  requests: ReceivedRequest[];
  sales: Map<string, StandInSale>;
  /** Answers the next requests this way, in order, instead of PayMe's way. */
  answerNext(...answers: Answer[]): void;
  /** What PayMe's records say of a sale from now on (the buyer paid, PayMe refunded...). */
  setSale(id: string, changes: Partial<StandInSale>): void;
  /** A sale PayMe knows, made without generate-sale. */
  addSale(sale: Partial<StandInSale> & { payme_sale_id: string }): void;
  reset(): void;
  close(): Promise<void>;
}

/**
 * A local PayMe: generate-sale and get-sales answered as PayMe's documentation shows (see
 * shared/payme/client.ts), for this one seller key only, every request kept for the tests to
 * check field by field. Requests it cannot read are refused the way PayMe refuses.
 */
export async function startPaymeStandIn(sellerKey: string): Promise<PaymeStandIn> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/api`;
  const requests: ReceivedRequest[] = [];
  const sales = new Map<string, StandInSale>();
  let queued: Answer[] = [];
  let counter = 0;
  const instance = crypto.randomUUID().replaceAll('-', '').slice(0, 8).toUpperCase();
  const hanging = new Set<() => void>();

  const refusal = (details: string, code: number) => ({
    status_code: 1,
    status_error_details: details,
    status_additional_info: null,
    status_error_code: code,
  });

  function payme(path: string, body: Record<string, unknown>): { status: number; json: unknown } {
    if (body.seller_payme_id !== sellerKey) {
      // PayMe names what it did not recognise; the adapter must not pass the key on.
      return {
        status: 500,
        json: refusal(`Seller ${String(body.seller_payme_id)} was not found`, 301),
      };
    }
    if (path === '/api/generate-sale') {
      const price = body.sale_price;
      if (typeof price !== 'number' || !Number.isInteger(price) || price < 100) {
        return { status: 500, json: refusal('The price is not valid', 313) };
      }
      counter += 1;
      const sale: StandInSale = {
        // Unique across stand-ins too: test files run in parallel on one database.
        payme_sale_id: `SALE${String(Date.now()).slice(-8)}-${instance}-${
          String(counter).padStart(8, '0')
        }-STANDIN0`,
        payme_sale_code: 20000000 + counter,
        transaction_id: String(body.transaction_id),
        sale_status: 'initial',
        sale_price: price,
        sale_currency: String(body.currency),
      };
      sales.set(sale.payme_sale_id, sale);
      return {
        status: 200,
        json: {
          status_code: 0,
          sale_url: `http://127.0.0.1:${port}/sale/generate/${sale.payme_sale_id}`,
          payme_sale_id: sale.payme_sale_id,
          payme_sale_code: sale.payme_sale_code,
          price: sale.sale_price,
          transaction_id: sale.transaction_id,
          currency: sale.sale_currency,
        },
      };
    }
    if (path === '/api/get-sales') {
      const sale = sales.get(String(body.sale_payme_id));
      const items = sale
        ? [{ seller_payme_id: sellerKey, sale_payme_id: sale.payme_sale_id, ...sale }]
        : [];
      return { status: 200, json: { items_count: items.length, items, status_code: 0 } };
    }
    return { status: 404, json: refusal('Unknown method', 404) };
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '';
      requests.push({ method: req.method ?? '', path, headers: req.headers, body });
      const next = queued.shift();
      if (next === 'hang') {
        hanging.add(() => res.destroy());
        return;
      }
      let answer: { status: number; json?: unknown; text?: string };
      if (next) {
        answer = 'json' in next ? { status: next.status ?? 200, json: next.json } : next;
      } else {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          parsed = undefined;
        }
        answer = req.method === 'POST' && req.headers['content-type'] === 'application/json' &&
            typeof parsed === 'object' && parsed !== null
          ? payme(path, parsed as Record<string, unknown>)
          : { status: 500, json: refusal('Bad request', 100) };
      }
      if (answer.text !== undefined) {
        res.writeHead(answer.status, { 'content-type': 'text/html' }).end(answer.text);
      } else {
        res.writeHead(answer.status, { 'content-type': 'application/json' })
          .end(JSON.stringify(answer.json));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

  return {
    url,
    sellerKey,
    requests,
    sales,
    answerNext: (...answers) => queued.push(...answers),
    setSale(id, changes) {
      const sale = sales.get(id);
      if (!sale) throw new Error(`The stand-in has no sale ${id}`);
      Object.assign(sale, changes);
    },
    addSale(sale) {
      sales.set(sale.payme_sale_id, {
        payme_sale_code: 1,
        transaction_id: '',
        sale_status: 'initial',
        sale_price: 0,
        sale_currency: 'ILS',
        ...sale,
      });
    },
    reset() {
      requests.length = 0;
      queued = [];
    },
    async close() {
      for (const end of hanging) end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
