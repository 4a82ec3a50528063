import * as E from 'fp-ts/Either';
import * as fc from 'fast-check';
import type * as t from 'io-ts';
import { Decimal } from '../../../src/model/decimal';
import {
  BooleanFromStringOrBoolean,
  DecimalFromNumber,
  DecimalFromString,
  DecimalFromStringOrNumber,
  EpochMsFromNumberOrString,
  EpochMsFromRfc3339,
  EpochMsFromRfc3339OrZero,
  EpochMsFromUnixSeconds,
  NumberFromStringOrNumber,
  epochMsToRfc3339,
  openEnum,
  rfc3339ToEpochMs,
  unixSecondsTextToEpochMs,
} from '../../../src/kraken/common/codecs';

function right<A>(result: E.Either<t.Errors, A>): A {
  if (E.isLeft(result)) throw new Error(`expected Right, got ${JSON.stringify(result.left.map((e) => e.value))}`);
  return result.right;
}

describe('decimal codecs', () => {
  it('decodes decimal strings exactly', () => {
    const value = right(DecimalFromString.decode('30010.00000001'));
    expect(Decimal.isDecimal(value)).toBe(true);
    expect(value.toFixed()).toBe('30010.00000001');
    expect(right(DecimalFromString.decode('-1.5e-7')).toFixed()).toBe('-0.00000015');
  });

  it.each(['', 'abc', 'NaN', 'Infinity', '1.2.3'])('rejects the string %j', (text) => {
    expect(E.isLeft(DecimalFromString.decode(text))).toBe(true);
  });

  it('rejects numbers where a string is expected, and strings where a number is', () => {
    expect(E.isLeft(DecimalFromString.decode(1.5))).toBe(true);
    expect(E.isLeft(DecimalFromNumber.decode('1.5'))).toBe(true);
    expect(E.isLeft(DecimalFromNumber.decode(Number.NaN))).toBe(true);
  });

  it('decodes a JSON number through its shortest text', () => {
    expect(right(DecimalFromNumber.decode(0.1)).toFixed()).toBe('0.1');
    expect(right(DecimalFromNumber.decode(5.1e-5)).toFixed()).toBe('0.000051');
  });

  it('accepts either form where Kraken varies', () => {
    expect(right(DecimalFromStringOrNumber.decode('25435.21')).toFixed()).toBe('25435.21');
    expect(right(DecimalFromStringOrNumber.decode(25435.21)).toFixed()).toBe('25435.21');
    expect(E.isLeft(DecimalFromStringOrNumber.decode(null))).toBe(true);
  });

  it('encodes back to plain text, never exponent form', () => {
    expect(DecimalFromString.encode(new Decimal('1e-9'))).toBe('0.000000001');
    expect(DecimalFromStringOrNumber.encode(new Decimal('1234.5'))).toBe('1234.5');
  });

  it('round-trips any decimal text', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 12 }), (units, scale) => {
        const text = new Decimal(units).div(new Decimal(10).pow(scale)).toFixed();
        expect(DecimalFromString.encode(right(DecimalFromString.decode(text)))).toBe(text);
      }),
    );
  });
});

describe('timestamp codecs', () => {
  it('keeps microseconds as a fractional millisecond', () => {
    expect(right(EpochMsFromRfc3339.decode('2023-09-22T10:33:05.709950Z'))).toBeCloseTo(1695378785709.95, 3);
    expect(rfc3339ToEpochMs('2023-10-06T18:20:27.383408052Z')).toBeCloseTo(1696616427383.408, 3);
  });

  it('reads the shapes Kraken sends', () => {
    expect(rfc3339ToEpochMs('2023-07-06T18:52:00Z')).toBe(Date.UTC(2023, 6, 6, 18, 52, 0));
    expect(rfc3339ToEpochMs('2024-05-03T13:15:34.1Z')).toBe(Date.parse('2024-05-03T13:15:34.100Z'));
    // no offset: UTC (Kraken's batch_add time_out)
    expect(rfc3339ToEpochMs('2022-06-13T08:09:10.7890123')).toBeCloseTo(
      Date.parse('2022-06-13T08:09:10.789Z') + 0.0123,
      4,
    );
    expect(rfc3339ToEpochMs('2023-01-01T01:00:00+01:00')).toBe(Date.UTC(2023, 0, 1));
    expect(rfc3339ToEpochMs('2023-01-01T00:00:00-0230')).toBe(Date.UTC(2023, 0, 1, 2, 30));
  });

  it.each(['', 'x', '2023-13-01T00:00:00Z', '2023-01-01', '2023-01-01T24:00:00Z', '2023-01-01T00:00:00.Z'])(
    'rejects %j',
    (text) => {
      expect(rfc3339ToEpochMs(text)).toBeUndefined();
      expect(E.isLeft(EpochMsFromRfc3339.decode(text))).toBe(true);
    },
  );

  it('agrees with Date.parse on millisecond timestamps', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
        expect(rfc3339ToEpochMs(new Date(ms).toISOString())).toBe(ms);
      }),
    );
  });

  it('encodes epoch ms back to RFC 3339 with microseconds', () => {
    expect(epochMsToRfc3339(1695378785709.95)).toBe('2023-09-22T10:33:05.709950Z');
    expect(epochMsToRfc3339(1688669448000)).toBe('2023-07-06T18:50:48.000Z');
  });

  it('converts Unix seconds (float or text) to epoch ms', () => {
    expect(right(EpochMsFromUnixSeconds.decode(1688666559.8974))).toBeCloseTo(1688666559897.4, 3);
    expect(right(EpochMsFromUnixSeconds.decode(0))).toBe(0);
    expect(right(EpochMsFromUnixSeconds.decode('1688669597.8277369'))).toBeCloseTo(1688669597827.737, 3);
    expect(unixSecondsTextToEpochMs('1688671200')).toBe(1688671200000);
    expect(unixSecondsTextToEpochMs('-1.5')).toBe(-1500);
    expect(E.isLeft(EpochMsFromUnixSeconds.decode('soon'))).toBe(true);
  });

  it('accepts epoch ms as a number or numeric string', () => {
    expect(right(EpochMsFromNumberOrString.decode(1604937694000))).toBe(1604937694000);
    expect(right(EpochMsFromNumberOrString.decode('1604937694000'))).toBe(1604937694000);
    expect(E.isLeft(EpochMsFromNumberOrString.decode('2020-01-01'))).toBe(true);
  });

  it('reads a disarmed dead man switch time "0" as 0', () => {
    expect(right(EpochMsFromRfc3339OrZero.decode('0'))).toBe(0);
    expect(right(EpochMsFromRfc3339OrZero.decode('2023-03-24T17:42:56Z'))).toBe(Date.UTC(2023, 2, 24, 17, 42, 56));
  });
});

describe('other codecs', () => {
  it('keeps an unknown enum value', () => {
    const status = openEnum('Status', ['open', 'closed']);
    expect(right(status.decode('brand_new_status'))).toBe('brand_new_status');
    expect(E.isLeft(status.decode(3))).toBe(true);
  });

  it('reads numbers and booleans that may arrive as text', () => {
    expect(right(NumberFromStringOrNumber.decode('12'))).toBe(12);
    expect(right(NumberFromStringOrNumber.decode(12.5))).toBe(12.5);
    expect(E.isLeft(NumberFromStringOrNumber.decode(''))).toBe(true);
    expect(right(BooleanFromStringOrBoolean.decode('true'))).toBe(true);
    expect(right(BooleanFromStringOrBoolean.decode(false))).toBe(false);
    expect(E.isLeft(BooleanFromStringOrBoolean.decode('yes'))).toBe(true);
  });
});
