import net from 'node:net';
import type { DriverOptions } from '../../shared/db/client.ts';

export interface WireCounts {
  /** Statements run: the Execute (extended protocol) and Query (simple) messages sent. */
  statements: number;
  /**
   * Writes to the database sockets. postgres.js gathers everything issued in one tick into one
   * write and then waits for the answers, so each write is one network round trip.
   */
  writes: number;
}

const EXECUTE = 0x45; // 'E'
const QUERY = 0x51; // 'Q'

/**
 * Statements in one write of the frontend protocol: each message is a type byte and a length
 * that counts itself. postgres.js writes whole messages, so a write never ends mid-message.
 * (Counting through the driver's `debug` hook instead would make it capture a stack trace for
 * every statement, a cost the API does not have.)
 */
function statementsIn(chunk: Uint8Array): number {
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  let statements = 0;
  for (let at = 0; at + 5 <= chunk.length; at += 1 + view.getUint32(at + 1)) {
    if (chunk[at] === EXECUTE || chunk[at] === QUERY) statements++;
  }
  return statements;
}

/**
 * Driver options that count statements and socket writes, for `addDriverOptions` before the pool
 * opens: the benchmark's gateway and reference servers (Deno) and the round-trip tests (Node)
 * use the same counter.
 */
export function wireCounter(): { options: DriverOptions; counts: WireCounts } {
  const counts: WireCounts = { statements: 0, writes: 0 };
  const socket = ({ host, port, path }: Parameters<NonNullable<DriverOptions['socket']>>[0]) =>
    new Promise<net.Socket>((resolve, reject) => {
      const s = path ? net.createConnection(path) : net.createConnection(port[0], host[0]);
      const write = s.write.bind(s) as (chunk: Uint8Array, ...rest: unknown[]) => boolean;
      // The first write is the startup message, the one message without a type byte.
      let started = false;
      s.write = ((chunk: Uint8Array, ...rest: unknown[]) => {
        counts.writes++;
        if (started) counts.statements += statementsIn(chunk);
        started = true;
        return write(chunk, ...rest);
      }) as typeof s.write;
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
    });
  return { counts, options: { socket } };
}
