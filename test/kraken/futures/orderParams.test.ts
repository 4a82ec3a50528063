import {
  futuresClientOrderId,
  futuresEditOrderParams,
  futuresOrderType,
  futuresSendOrderParams,
} from '../../../src/kraken/futures/orderParams';
import Decimal from 'decimal.js';

const instrument = { rawSymbol: 'PF_XBTUSD' };
const base = { clientOrderId: 'c1', instrumentId: 'PF_XBTUSD.KRAKEN', side: 'BUY', quantity: '0.01' } as const;

const text = (params: object) =>
  Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Decimal.isDecimal(v) ? (v as Decimal).toFixed() : v]));

test('order types: lmt / post / ioc / mkt / stp / take_profit', () => {
  expect(futuresOrderType({ type: 'LIMIT' })).toBe('lmt');
  expect(futuresOrderType({ type: 'LIMIT', postOnly: true })).toBe('post');
  expect(futuresOrderType({ type: 'LIMIT', timeInForce: 'IOC' })).toBe('ioc');
  expect(futuresOrderType({ type: 'MARKET' })).toBe('mkt');
  expect(futuresOrderType({ type: 'STOP_MARKET' })).toBe('stp');
  expect(futuresOrderType({ type: 'STOP_LIMIT' })).toBe('stp');
  expect(futuresOrderType({ type: 'MARKET_IF_TOUCHED' })).toBe('take_profit');
  expect(() => futuresOrderType({ type: 'LIMIT_IF_TOUCHED' })).toThrow(/no Kraken Futures order type/);
});

test('sendorder: limit order', () => {
  expect(text(futuresSendOrderParams({ ...base, type: 'LIMIT', price: '50000' }, instrument, 'c1'))).toEqual({
    orderType: 'lmt',
    symbol: 'PF_XBTUSD',
    side: 'buy',
    size: '0.01',
    limitPrice: '50000',
    cliOrdId: 'c1',
  });
});

test('sendorder: stop-limit with a trigger signal and reduce-only', () => {
  expect(
    text(
      futuresSendOrderParams(
        {
          ...base,
          side: 'SELL',
          type: 'STOP_LIMIT',
          price: '49000',
          triggerPrice: '49500',
          triggerType: 'MARK',
          reduceOnly: true,
        },
        instrument,
        'c1',
      ),
    ),
  ).toEqual({
    orderType: 'stp',
    symbol: 'PF_XBTUSD',
    side: 'sell',
    size: '0.01',
    limitPrice: '49000',
    stopPrice: '49500',
    cliOrdId: 'c1',
    triggerSignal: 'mark',
    reduceOnly: true,
  });
});

test('sendorder: trigger signals LAST → last, MARK → mark, INDEX → index (default last)', () => {
  const signal = (triggerType?: 'LAST' | 'MARK' | 'INDEX') =>
    futuresSendOrderParams(
      { ...base, type: 'STOP_MARKET', triggerPrice: '1', ...(triggerType ? { triggerType } : {}) },
      instrument,
      'c',
    ).triggerSignal;
  expect([signal(), signal('LAST'), signal('MARK'), signal('INDEX')]).toEqual(['last', 'last', 'mark', 'index']);
  expect(futuresSendOrderParams({ ...base, type: 'LIMIT', price: '1' }, instrument, 'c')).not.toHaveProperty(
    'triggerSignal',
  );
});

test('editorder: sizes are totals (ABSOLUTE); a stop keeps its stop price', () => {
  expect(
    text(futuresEditOrderParams({ clientOrderId: 'c', instrumentId: 'x', quantity: '0.02' }, { orderId: 'u1' })),
  ).toEqual({
    orderId: 'u1',
    size: '0.02',
    qtyMode: 'ABSOLUTE',
  });
  expect(
    text(
      futuresEditOrderParams(
        { clientOrderId: 'c', instrumentId: 'x', price: '100' },
        { cliOrdId: 'c' },
        { triggerPrice: new Decimal(105) },
      ),
    ),
  ).toEqual({ cliOrdId: 'c', limitPrice: '100', stopPrice: '105' });
});

test('cliOrdId follows the Spot rule (≤ 18 characters or a UUID, else a derived UUID)', () => {
  expect(futuresClientOrderId('short-id')).toBe('short-id');
  expect(futuresClientOrderId('a-much-longer-client-order-id')).toMatch(/^[0-9a-f-]{36}$/);
});
