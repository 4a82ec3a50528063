import Decimal from 'decimal.js';
import { isOutcomeUnknown } from '../../src/execution/context';
import { mergeAccountStates, reportQuery } from '../../src/execution/reports';
import {
  KrakenApiError,
  KrakenConfigError,
  KrakenConnectionError,
  KrakenDecodeError,
  KrakenRateLimitError,
  KrakenTimeoutError,
} from '../../src/errors';
import { InstrumentId } from '../../src/model/identifiers';
import type { AccountState } from '../../src/model/reports';

const d = (v: string) => new Decimal(v);
const balance = (currency: string, total: string, locked = '0') => ({
  currency,
  total: d(total),
  locked: d(locked),
  free: d(total).minus(locked),
});

test('merged account state: each currency once, totals and holds added, margins kept, MARGIN with Futures', () => {
  const spot: AccountState = {
    accountId: 'S',
    accountType: 'CASH',
    balances: [balance('USD', '100', '10'), balance('BTC', '2')],
    margins: [],
    reported: true,
    tsEvent: 5,
    tsInit: 5,
  };
  const futures: AccountState = {
    accountId: 'F',
    accountType: 'MARGIN',
    baseCurrency: 'USD',
    balances: [balance('USD', '50', '20'), balance('BTC', '1')],
    margins: [
      { currency: 'USD', initial: d('20'), maintenance: d('10'), instrumentId: InstrumentId.from('PF_XBTUSD.KRAKEN') },
    ],
    reported: false,
    tsEvent: 7,
    tsInit: 7,
  };
  const merged = mergeAccountStates('ACC', [spot, futures], 9);
  expect(merged.balances.map((b) => [b.currency, b.total.toFixed(), b.locked.toFixed(), b.free.toFixed()])).toEqual([
    ['USD', '150', '30', '120'],
    ['BTC', '3', '0', '3'],
  ]);
  expect(merged).toMatchObject({
    accountId: 'ACC',
    accountType: 'MARGIN',
    baseCurrency: 'USD',
    reported: false,
    tsEvent: 7,
    tsInit: 9,
  });
  expect(merged.margins).toEqual(futures.margins);
  expect(mergeAccountStates('ACC', [spot], 1).accountType).toBe('CASH');
});

test('report query: instrument ids and time bounds resolved; a reversed window refused', () => {
  expect(reportQuery({ instrumentId: 'BTC/USD.KRAKEN', start: new Date(1000), end: 2000, openOnly: true })).toEqual({
    instrumentId: InstrumentId.from('BTC/USD.KRAKEN'),
    start: 1000,
    end: 2000,
    openOnly: true,
  });
  expect(() => reportQuery({ start: 2, end: 1 })).toThrow(KrakenConfigError);
  expect(() => reportQuery({ start: Number.NaN })).toThrow(/epoch milliseconds/);
});

test('a placement outcome is unknown after a time-out, a drop, a gateway error or an internal error; known after a refusal', () => {
  expect(isOutcomeUnknown(new KrakenTimeoutError('t'))).toBe(true);
  expect(isOutcomeUnknown(new KrakenConnectionError('c'))).toBe(true);
  expect(isOutcomeUnknown(new KrakenDecodeError('d'))).toBe(true);
  expect(isOutcomeUnknown(new KrakenApiError([], 'AddOrder', 502))).toBe(true);
  expect(isOutcomeUnknown(new KrakenApiError(['EGeneral:Internal error'], 'AddOrder'))).toBe(true);
  expect(isOutcomeUnknown(new KrakenApiError(['EService: Unavailable'], 'AddOrder'))).toBe(true);
  expect(isOutcomeUnknown(new KrakenApiError(['EOrder:Insufficient funds'], 'AddOrder'))).toBe(false);
  expect(isOutcomeUnknown(new KrakenApiError(['invalidArgument'], 'sendorder'))).toBe(false);
  expect(isOutcomeUnknown(new KrakenRateLimitError(['EAPI:Rate limit exceeded']))).toBe(false);
  expect(isOutcomeUnknown(new KrakenConfigError('apiKey', 'missing'))).toBe(false);
});
