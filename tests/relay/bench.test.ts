import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from '../../dev/bench/options.ts';
import { formatRelayResults, type RelayBenchResult } from '../../dev/bench/relay.ts';

const result = (name: string, p50Ms: number, p99Ms: number, rss: number): RelayBenchResult => ({
  name,
  sockets: 2000,
  events: 6000,
  expected: 12000,
  received: 12000,
  lost: 0,
  duplicates: 0,
  lostSample: [],
  p50Ms,
  p99Ms,
  maxMs: p99Ms * 2,
  rssPerSocketBytes: rss,
  heapPerSocketBytes: rss / 2,
  connectSeconds: 5,
});

describe('the relay benchmark', () => {
  it('is the group relay of npm run bench', () => {
    expect(parseBenchOptions(['--group', 'relay'], {}).group).toBe('relay');
    expect(parseBenchOptions([], { BENCH_GROUP: 'relay' }).group).toBe('relay');
  });

  it('prints latency, losses, duplicates and memory of both servers, and their ratio', () => {
    const table = formatRelayResults([
      result('relay', 2, 40, 30_720),
      result('bare', 0.5, 10, 20_480),
    ]).split('\n');
    expect(table[0]).toMatch(
      /p50\s+p99\s+max\s+lost\s+duplicates\s+memory\/socket \(RSS\)\s+\(heap\)/,
    );
    expect(table[1]).toMatch(
      /^relay\s+2\.00 ms\s+40\.0 ms\s+80\.0 ms\s+0\s+0\s+30\.0 kB\s+15\.0 kB$/,
    );
    expect(table[3]).toMatch(/^relay \/ bare\s+4\.00 x\s+4\.00 x\s+4\.00 x\s+1\.50 x\s+1\.50 x$/);
  });
});
