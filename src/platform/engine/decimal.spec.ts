import {
  ONE,
  ZERO,
  add,
  compare,
  divide,
  formatExact,
  formatFixed,
  isDecimalString,
  multiply,
  parseDecimal,
  rational,
  roundHalfUp,
  subtract,
  type Rational,
} from './decimal';

const d = parseDecimal;
/** A rational as "num/den", to compare exact values readably. */
const frac = (r: Rational): string => `${r.num}/${r.den}`;
const OPS: Record<string, (a: Rational, b: Rational) => Rational> = { add, subtract, multiply, divide };

describe('decimal (exact BigInt arithmetic for quantities)', () => {
  describe('parseDecimal accepts the catalog decimal shape: -?digits(.digits)?', () => {
    it.each`
      situation                                      | text                                       | exact
      ${'a whole number of pieces'}                  | ${'12'}                                    | ${'12/1'}
      ${'a kilogram quantity'}                       | ${'0.35'}                                  | ${'7/20'}
      ${'a scrap factor'}                            | ${'0.05'}                                  | ${'1/20'}
      ${'trailing zeros as stored by numeric(18,6)'} | ${'25.500000'}                             | ${'51/2'}
      ${'leading zeros'}                             | ${'007.50'}                                | ${'15/2'}
      ${'zero'}                                      | ${'0'}                                     | ${'0/1'}
      ${'negative zero is zero'}                     | ${'-0.000'}                                | ${'0/1'}
      ${'a stock correction'}                        | ${'-1.5'}                                  | ${'-3/2'}
      ${'more digits than a float holds'}            | ${'123456789012345678901234567890.000001'} | ${'123456789012345678901234567890000001/1000000'}
    `('$situation: "$text" is $exact', ({ text, exact }: { text: string; exact: string }) => {
      expect(isDecimalString(text)).toBe(true);
      expect(frac(d(text))).toBe(exact);
    });

    // Decision: a bare point on either side ("1.", ".5") is rejected, like the catalog's DECIMAL check,
    // so a value means the same everywhere; so are signs other than a leading '-', and any whitespace.
    it.each`
      situation                   | text
      ${'an empty cell'}          | ${''}
      ${'a leading space'}        | ${' 1'}
      ${'a trailing space'}       | ${'1 '}
      ${'an exponent'}            | ${'1e3'}
      ${'an upper-case exponent'} | ${'1E-3'}
      ${'NaN'}                    | ${'NaN'}
      ${'Infinity'}               | ${'Infinity'}
      ${'a leading plus'}         | ${'+1'}
      ${'a trailing point'}       | ${'1.'}
      ${'a leading point'}        | ${'.5'}
      ${'a decimal comma'}        | ${'1,5'}
      ${'a thousands separator'}  | ${'1,000'}
      ${'a numeric separator'}    | ${'1_000'}
      ${'hexadecimal'}            | ${'0x10'}
      ${'two points'}             | ${'1.2.3'}
      ${'a double minus'}         | ${'--1'}
      ${'a lone minus'}           | ${'-'}
      ${'a unit suffix'}          | ${'2kg'}
      ${'a percentage'}           | ${'5%'}
      ${'full-width digits'}      | ${'１２'}
    `('rejects $situation: "$text"', ({ text }: { text: string }) => {
      expect(isDecimalString(text)).toBe(false);
      expect(() => d(text)).toThrow(`Not a decimal number: ${JSON.stringify(text)}`);
    });

    it('rejects values that are not strings at run time (e.g. a float from untyped JSON)', () => {
      expect(isDecimalString(0.5)).toBe(false);
      expect(isDecimalString(null)).toBe(false);
      expect(() => d(0.5 as unknown as string)).toThrow(RangeError);
    });
  });

  describe('rational() reduces and normalises the sign', () => {
    it.each`
      situation                      | num    | den    | exact
      ${'reduced by the gcd'}        | ${6n}  | ${4n}  | ${'3/2'}
      ${'sign moved to numerator'}   | ${6n}  | ${-4n} | ${'-3/2'}
      ${'both negative'}             | ${-6n} | ${-4n} | ${'3/2'}
      ${'zero over anything is 0/1'} | ${0n}  | ${-7n} | ${'0/1'}
    `(
      '$situation: $num/$den is $exact',
      ({ num, den, exact }: { num: bigint; den: bigint; exact: string }) => {
        expect(frac(rational(num, den))).toBe(exact);
      },
    );

    it('refuses a zero denominator', () => {
      expect(() => rational(1n, 0n)).toThrow('Division by zero');
    });
  });

  describe('arithmetic is exact where floating point is not', () => {
    it.each`
      situation                                   | op            | a                           | b                            | exact        | six
      ${'0.1 + 0.2 (float: 0.30000000000000004)'} | ${'add'}      | ${'0.1'}                    | ${'0.2'}                     | ${'3/10'}    | ${'0.300000'}
      ${'0.1 × 3 (float: 0.30000000000000004)'}   | ${'multiply'} | ${'0.1'}                    | ${'3'}                       | ${'3/10'}    | ${'0.300000'}
      ${'1 kg over 3 pcs'}                        | ${'divide'}   | ${'1'}                      | ${'3'}                       | ${'1/3'}     | ${'0.333333'}
      ${'2 kg over 3 pcs'}                        | ${'divide'}   | ${'2'}                      | ${'3'}                       | ${'2/3'}     | ${'0.666667'}
      ${'per 100 pcs base quantity'}              | ${'divide'}   | ${'12.5'}                   | ${'100'}                     | ${'1/8'}     | ${'0.125000'}
      ${'issue more than on hand'}                | ${'subtract'} | ${'1.2'}                    | ${'1.25'}                    | ${'-1/20'}   | ${'-0.050000'}
      ${'1 + scrap 5 % on 2.35 kg'}               | ${'multiply'} | ${'2.35'}                   | ${'1.05'}                    | ${'987/400'} | ${'2.467500'}
      ${'huge × tiny stays exact'}                | ${'multiply'} | ${'1000000000000000000000'} | ${'0.000000000000000000001'} | ${'1/1'}     | ${'1.000000'}
    `(
      '$situation: $op($a, $b) = $exact',
      ({ op, a, b, exact, six }: { op: string; a: string; b: string; exact: string; six: string }) => {
        const fn = OPS[op];
        if (fn === undefined) throw new Error(`unknown op ${op}`);
        const result = fn(d(a), d(b));
        expect(frac(result)).toBe(exact);
        expect(formatFixed(result, 6)).toBe(six);
      },
    );

    it('(1/3) × 3 is exactly 1 again', () => {
      expect(compare(multiply(divide(ONE, d('3')), d('3')), ONE)).toBe(0);
    });

    it('refuses to divide by zero', () => {
      expect(() => divide(ONE, d('0.000'))).toThrow('Division by zero');
    });

    it.each`
      situation                              | a             | b              | expected
      ${'less'}                              | ${'0.999999'} | ${'1'}         | ${-1}
      ${'equal with different zero padding'} | ${'25.5'}     | ${'25.500000'} | ${0}
      ${'greater'}                           | ${'-1'}       | ${'-1.000001'} | ${1}
      ${'zero and negative zero'}            | ${'0'}        | ${'-0'}        | ${0}
    `('compare: $situation ($a vs $b)', ({ a, b, expected }: { a: string; b: string; expected: number }) => {
      expect(compare(d(a), d(b))).toBe(expected);
    });

    it('exposes ZERO and ONE', () => {
      expect(compare(ZERO, d('0'))).toBe(0);
      expect(compare(ONE, d('1.000'))).toBe(0);
    });
  });

  describe('formatFixed rounds half up (ties away from zero) to a fixed number of places', () => {
    it.each`
      situation                                           | value             | places | expected
      ${'whole pieces padded to 6 places'}                | ${'12'}           | ${6}   | ${'12.000000'}
      ${'a 7th-decimal 5 rounds up'}                      | ${'0.0000005'}    | ${6}   | ${'0.000001'}
      ${'just below the tie rounds down'}                 | ${'0.0000004999'} | ${6}   | ${'0.000000'}
      ${'a tie carries through the nines'}                | ${'999.9999995'}  | ${6}   | ${'1000.000000'}
      ${'1.005 to 2 places (float toFixed gives "1.00")'} | ${'1.005'}        | ${2}   | ${'1.01'}
      ${'2.5 to 0 places'}                                | ${'2.5'}          | ${0}   | ${'3'}
      ${'negative tie goes away from zero'}               | ${'-2.5'}         | ${0}   | ${'-3'}
      ${'negative 7th-decimal 5'}                         | ${'-0.0000005'}   | ${6}   | ${'-0.000001'}
      ${'negative below the tie'}                         | ${'-1.0049'}      | ${2}   | ${'-1.00'}
      ${'a tiny negative never prints as -0'}             | ${'-0.0000004'}   | ${6}   | ${'0.000000'}
      ${'zero'}                                           | ${'0'}            | ${6}   | ${'0.000000'}
      ${'already exact'}                                  | ${'0.125'}        | ${3}   | ${'0.125'}
    `(
      '$situation: $value → $expected',
      ({ value, places, expected }: { value: string; places: number; expected: string }) => {
        expect(formatFixed(d(value), places)).toBe(expected);
      },
    );

    it.each`
      situation             | num    | den   | expected
      ${'one third'}        | ${1n}  | ${3n} | ${'0.333333'}
      ${'two thirds'}       | ${2n}  | ${3n} | ${'0.666667'}
      ${'minus two thirds'} | ${-2n} | ${3n} | ${'-0.666667'}
      ${'one seventh'}      | ${1n}  | ${7n} | ${'0.142857'}
    `(
      '$situation ($num/$den) → $expected',
      ({ num, den, expected }: { num: bigint; den: bigint; expected: string }) => {
        expect(formatFixed(rational(num, den), 6)).toBe(expected);
      },
    );

    it('roundHalfUp returns the rounded exact value, symmetric around zero', () => {
      expect(frac(roundHalfUp(d('2.5'), 0))).toBe('3/1');
      expect(frac(roundHalfUp(d('-2.5'), 0))).toBe('-3/1');
      expect(frac(roundHalfUp(rational(2n, 3n), 6))).toBe('666667/1000000');
      expect(frac(roundHalfUp(rational(-2n, 3n), 6))).toBe('-666667/1000000');
      expect(frac(roundHalfUp(d('-0.0000004'), 6))).toBe('0/1');
    });

    it.each([-1, 1.5, Number.NaN])('refuses %p decimal places', (places) => {
      expect(() => formatFixed(ONE, places)).toThrow('Decimal places must be a non-negative integer');
      expect(() => roundHalfUp(ONE, places)).toThrow('Decimal places must be a non-negative integer');
    });
  });

  describe('formatExact never rounds: at least minPlaces digits, more when needed', () => {
    it.each`
      situation                                 | value           | minPlaces | expected
      ${'padded to 6 places'}                   | ${'12'}         | ${6}      | ${'12.000000'}
      ${'a scrap factor'}                       | ${'0.05'}       | ${6}      | ${'0.050000'}
      ${'more digits than minPlaces are kept'}  | ${'0.0000125'}  | ${6}      | ${'0.0000125'}
      ${'trailing zeros beyond minPlaces drop'} | ${'1.50000000'} | ${2}      | ${'1.50'}
      ${'negative'}                             | ${'-1.5'}       | ${0}      | ${'-1.5'}
      ${'zero without places'}                  | ${'-0'}         | ${0}      | ${'0'}
    `(
      '$situation: $value → $expected',
      ({ value, minPlaces, expected }: { value: string; minPlaces: number; expected: string }) => {
        expect(formatExact(d(value), minPlaces)).toBe(expected);
      },
    );

    it('formats 1/8 exactly and refuses 1/3 (no finite decimal expansion)', () => {
      expect(formatExact(rational(1n, 8n), 2)).toBe('0.125');
      expect(() => formatExact(rational(1n, 3n), 6)).toThrow('1/3 has no finite decimal expansion');
    });
  });
});
