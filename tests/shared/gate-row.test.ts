import { describe, expect, it } from 'vitest';
import { gateRow } from '../../shared/db/client.ts';
import { isConnectionLost } from '../../shared/db/connection-lost.ts';

describe('gateRow', () => {
  const at = new Date();

  it('hands back the one row with the columns asked for, null values included', () => {
    const row = { role: null, hits: 1, reset_at: at };
    expect(gateRow([row], ['role', 'hits', 'reset_at'])).toBe(row);
  });

  it.each([
    ['no row', []],
    ['two rows', [{ hits: 1, reset_at: at }, { hits: 2, reset_at: at }]],
    ["another statement's row", [{ set_config: 'authenticated' }]],
  ])('reads %s as the connection lost, which the API answers 503', (_, rows) => {
    let thrown: unknown;
    try {
      gateRow(rows as Array<{ hits: number; reset_at: Date }>, ['hits', 'reset_at']);
    } catch (e) {
      thrown = e;
    }
    expect(isConnectionLost(thrown)).toBe(true);
  });
});
