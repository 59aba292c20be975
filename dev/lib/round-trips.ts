import net from 'node:net';
import type { DriverOptions } from '../../shared/db/client.ts';

export interface WireCounts {
  /** Statements the driver built (its `debug` hook runs once per statement). */
  statements: number;
  /**
   * Writes to the database sockets. postgres.js gathers everything issued in one tick into one
   * write and then waits for the answers, so each write is one network round trip.
   */
  writes: number;
}

/**
 * Driver options that count statements and socket writes, for `addDriverOptions` before the pool
 * opens: the benchmark's gateway (Deno) and the round-trip tests (Node) use the same counter.
 */
export function wireCounter(): { options: DriverOptions; counts: WireCounts } {
  const counts: WireCounts = { statements: 0, writes: 0 };
  const socket = ({ host, port, path }: Parameters<NonNullable<DriverOptions['socket']>>[0]) =>
    new Promise<net.Socket>((resolve, reject) => {
      const s = path ? net.createConnection(path) : net.createConnection(port[0], host[0]);
      const write = s.write.bind(s) as (...args: unknown[]) => boolean;
      s.write = ((...args: unknown[]) => {
        counts.writes++;
        return write(...args);
      }) as typeof s.write;
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
    });
  return {
    counts,
    options: {
      debug: () => void counts.statements++,
      socket,
    },
  };
}
