import { describe, expect, it } from 'vitest';
import { clientAddress } from '../../shared/http/client-address.ts';

describe('clientAddress', () => {
  it.each([
    // [header, trusted hops, address]
    ['203.0.113.7', 1, '203.0.113.7'],
    ['198.51.100.1, 203.0.113.7', 1, '203.0.113.7'],
    ['203.0.113.7, 10.0.0.1', 2, '203.0.113.7'],
    ['198.51.100.1, 192.0.2.2, 203.0.113.7, 10.0.0.1', 2, '203.0.113.7'],
    ['203.0.113.7, 10.0.0.1, 10.0.0.2', 3, '203.0.113.7'],
  ])('reads %j with %i trusted proxies as %s', (header, hops, address) => {
    expect(clientAddress(header, hops)).toBe(address);
  });

  it('takes the leftmost entry when fewer proxies wrote the header than are trusted', () => {
    expect(clientAddress('203.0.113.7', 2)).toBe('203.0.113.7');
  });

  it('ignores blanks and spaces a client or proxy left in the list', () => {
    expect(clientAddress(' 198.51.100.1 ,, 203.0.113.7 , ', 1)).toBe('203.0.113.7');
  });

  it.each(['2001:db8::1', '[2001:db8::1]:443', '203.0.113.7:5678'])(
    'keeps the IP literal %s',
    (address) => {
      expect(clientAddress(`198.51.100.1, ${address}`, 1)).toBe(address);
    },
  );

  it.each(['not-an-address', `203.0.113.${'7'.repeat(60)}`, "1.2.3.4'; drop"])(
    'calls an entry that is no IP literal (%j) unknown',
    (entry) => {
      expect(clientAddress(`203.0.113.9, ${entry}`, 1)).toBe('unknown');
    },
  );

  it.each([undefined, '', ' , '])('calls a request without any address %j unknown', (header) => {
    expect(clientAddress(header, 1)).toBe('unknown');
  });
});
