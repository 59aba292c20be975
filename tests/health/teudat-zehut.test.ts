import { describe, expect, it } from 'vitest';
import {
  hasValidCheckDigit,
  maskTeudatZehut,
  normaliseTeudatZehut,
} from '../../shared/health/teudat-zehut.ts';
import { optionalTeudatZehut } from '../../shared/schemas/teudat-zehut.ts';

describe('the Israeli check digit', () => {
  // Computed by hand: digits weighted 1,2,1,2..., the digits of each product summed.
  const valid = [
    '123456782',
    '039337423',
    '332796184',
    '200000008',
    '314159260',
    '987654324',
    '555555556',
    '000123455',
    '000000018',
  ];
  const invalid = [
    '123456789', // last digit off by one
    '123456783',
    '039337424',
    '332796185',
    '213456782', // two digits swapped
    '987654321',
    '000000019',
    '000000000', // passes the sum, but is nobody's number
    '12345678', // eight digits: not normalised
    '1234567820', // ten digits
    '12345678a',
    '',
  ];

  it.each(valid)('accepts %s', (n) => expect(hasValidCheckDigit(n)).toBe(true));
  it.each(invalid)('refuses %j', (n) => expect(hasValidCheckDigit(n)).toBe(false));
});

describe('normalisation', () => {
  it.each([
    ['123456782', '123456782'],
    ['12345678-2', '123456782'],
    ['123-456-782', '123456782'],
    [' 123 456 782 ', '123456782'],
    ['1 2-3 4-5 6-7 8-2', '123456782'],
    ['39337423', '039337423'],
    ['123455', '000123455'],
    ['00018', '000000018'],
    ['18000', '000018000'],
  ])('reads %j as %s', (written, nine) => expect(normaliseTeudatZehut(written)).toBe(nine));

  it.each([
    '1234',
    '18',
    '1234567890',
    '12345678x',
    '123.456.782',
    '123_456_782',
    '+123456782',
    '',
  ])(
    'has no 9 digits for %j',
    (written) => expect(normaliseTeudatZehut(written)).toBeUndefined(),
  );

  it('masks all but the last four digits', () => {
    expect(maskTeudatZehut('123456789')).toBe('*****6789');
  });
});

describe('optionalTeudatZehut (the request field)', () => {
  const parse = (v: unknown) => optionalTeudatZehut.safeParse(v);

  it.each([
    ['123456782', '123456782'],
    ['039-337-423', '039337423'],
    ['39337423', '039337423'],
    ['00018', '000000018'],
  ])('hands %j on as %s', (v, nine) => expect(parse(v)).toEqual({ success: true, data: nine }));

  it.each([['', null], ['   ', null], [null, null], [undefined, undefined]])(
    'reads %j as %j',
    (v, out) => expect(parse(v)).toEqual({ success: true, data: out }),
  );

  it.each([
    ['123456789', 'This teudat zehut is not valid: please check the digits.'],
    ['000000000', 'This teudat zehut is not valid: please check the digits.'],
    ['1234', 'Enter the teudat zehut as 5 to 9 digits.'],
    ['1234567890', 'Enter the teudat zehut as 5 to 9 digits.'],
    ['12345678a', 'Enter the teudat zehut as 5 to 9 digits.'],
    [123456782, 'Enter the teudat zehut as 5 to 9 digits.'],
    [true, 'Enter the teudat zehut as 5 to 9 digits.'],
    ['1'.repeat(41), 'Enter the teudat zehut as 5 to 9 digits.'],
  ])('refuses %j with a sentence that does not repeat it', (v, message) => {
    const result = parse(v);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.message)).toEqual([message]);
    expect(JSON.stringify(result.error!.issues)).not.toContain(String(v).slice(0, 9));
  });
});
