import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { KrakenDecodeError } from '../../../src/errors';
import { DecimalFromString } from '../../../src/kraken/common/codecs';
import {
  decodeJsonOrError,
  decodeOrError,
  decodeOrThrow,
  inputExcerpt,
  parseJsonOrError,
} from '../../../src/kraken/common/decode';

const Pair = t.intersection([t.type({ pair_decimals: t.number }), t.partial({ ordermin: DecimalFromString })]);
const Result = t.type({ result: t.record(t.string, Pair) });

describe('decodeOrError', () => {
  it('returns the decoded value on success', () => {
    const decoded = decodeOrError(
      Result,
      { result: { XXBTZUSD: { pair_decimals: 1, ordermin: '0.0001' } } },
      'AssetPairs',
    );
    expect(E.isRight(decoded) && decoded.right.result.XXBTZUSD.ordermin?.toFixed()).toBe('0.0001');
  });

  it('names the io-ts path of a wrong-typed field, skipping union/intersection indices', () => {
    const decoded = decodeOrError(Result, { result: { XXBTZUSD: { pair_decimals: '1' } } }, 'AssetPairs');
    if (E.isRight(decoded)) throw new Error('expected a decode error');
    const error = decoded.left;
    expect(error).toBeInstanceOf(KrakenDecodeError);
    expect(error.paths).toEqual(['result.XXBTZUSD.pair_decimals']);
    expect(error.message).toContain('AssetPairs');
    expect(error.message).toContain('result.XXBTZUSD.pair_decimals');
    expect(error.message).toContain('"1"');
    expect(error.input).toContain('"pair_decimals":"1"');
  });

  it('prefixes paths when decoding a part of a message', () => {
    const decoded = decodeOrError(t.record(t.string, Pair), { XXBTZUSD: { pair_decimals: null } }, 'x', 'result');
    expect(E.isLeft(decoded) && decoded.left.paths).toEqual(['result.XXBTZUSD.pair_decimals']);
  });

  it('reports every failing path once', () => {
    const decoded = decodeOrError(Result, { result: { A: { pair_decimals: 'x', ordermin: 5 }, B: {} } }, 'AssetPairs');
    expect(E.isLeft(decoded) && [...decoded.left.paths].sort()).toEqual([
      'result.A.ordermin',
      'result.A.pair_decimals',
      'result.B.pair_decimals',
    ]);
  });

  it('throws the same error from decodeOrThrow', () => {
    expect(() => decodeOrThrow(Result, { result: 3 }, 'AssetPairs')).toThrow(KrakenDecodeError);
    expect(decodeOrThrow(Result, { result: {} }, 'AssetPairs')).toEqual({ result: {} });
  });
});

describe('input excerpts', () => {
  it('masks credential-like fields and cuts long input', () => {
    const excerpt = inputExcerpt({ token: 'abc123secret', signed_challenge: 'sig', api_key: 'k', price: 1 });
    expect(excerpt).not.toContain('abc123secret');
    expect(excerpt).not.toContain('"sig"');
    expect(excerpt).toContain('"price":1');
    expect(inputExcerpt('x'.repeat(1000)).length).toBeLessThan(400);
  });

  it('masks credentials in raw text too', () => {
    expect(inputExcerpt('{"result":{"token":"1Dwc4lzSwNWOAwkM","expires":900}}')).not.toContain('1Dwc4lzSwNWOAwkM');
  });
});

describe('JSON at the edge', () => {
  it('turns text that is not JSON into a decode error', () => {
    const parsed = parseJsonOrError('{"channel":', 'Spot WS frame');
    expect(E.isLeft(parsed) && parsed.left).toBeInstanceOf(KrakenDecodeError);
    expect(E.isLeft(decodeJsonOrError(Result, 'nope', 'x'))).toBe(true);
    expect(E.isRight(decodeJsonOrError(Result, '{"result":{}}', 'x'))).toBe(true);
  });
});
