import Decimal from 'decimal.js';
import {
  isKrakenClientOrderId,
  krakenClientOrderId,
  spotRestAddOrderParams,
  spotRestAmendOrderParams,
  spotWsAddOrderParams,
  spotWsAmendOrderParams,
  spotWsTime,
  wsNumber,
} from '../../../src/kraken/spot/orderParams';
import type { SubmitOrder } from '../../../src/model/orders';

const pair = { wsName: 'BTC/USD', rawSymbol: 'XXBTZUSD' };
const base = { clientOrderId: 'c1', instrumentId: 'BTC/USD.KRAKEN', side: 'BUY', quantity: '1.25' } as const;

describe('client order ids', () => {
  test('kept when Kraken takes them: printable ASCII up to 18 characters, or a UUID', () => {
    for (const id of [
      'a',
      'order-1',
      'x'.repeat(18),
      '6d1b345e-2821-40e2-ad83-4ecb18a06876',
      'A'.repeat(32).replace(/A/g, 'f'),
    ]) {
      expect(isKrakenClientOrderId(id)).toBe(true);
      expect(krakenClientOrderId(id)).toBe(id);
    }
  });

  test('longer or non-ASCII ids become a UUID derived from them, the same every time', () => {
    for (const id of ['x'.repeat(19), 'strategy/leg-2/order-42', 'ordre-déjà', 'has space']) {
      const mapped = krakenClientOrderId(id);
      expect(mapped).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(krakenClientOrderId(id)).toBe(mapped);
      expect(isKrakenClientOrderId(mapped)).toBe(true);
    }
    expect(krakenClientOrderId('x'.repeat(19))).not.toBe(krakenClientOrderId('x'.repeat(20)));
  });
});

describe('WS v2 add_order params', () => {
  test('limit: order_type, side, order_qty, symbol, limit_price, cl_ord_id; GTC is the default and not sent', () => {
    expect(spotWsAddOrderParams({ ...base, type: 'LIMIT', price: '50000.5' }, pair, 'c1')).toEqual({
      order_type: 'limit',
      side: 'buy',
      order_qty: 1.25,
      symbol: 'BTC/USD',
      limit_price: 50000.5,
      cl_ord_id: 'c1',
    });
  });

  test('stop-limit: triggers with reference and static price; post-only; IOC and GTD in lower case', () => {
    const cmd: SubmitOrder = {
      ...base,
      side: 'SELL',
      type: 'STOP_LIMIT',
      price: '49000',
      triggerPrice: '49500',
      triggerType: 'INDEX',
      timeInForce: 'GTD',
      expireTime: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
    };
    expect(spotWsAddOrderParams(cmd, pair, 'c1')).toEqual({
      order_type: 'stop-loss-limit',
      side: 'sell',
      order_qty: 1.25,
      symbol: 'BTC/USD',
      limit_price: 49000,
      triggers: { reference: 'index', price: 49500, price_type: 'static' },
      time_in_force: 'gtd',
      expire_time: '2026-01-02T03:04:05Z',
      cl_ord_id: 'c1',
    });
    expect(
      spotWsAddOrderParams({ ...base, type: 'LIMIT', price: '1', timeInForce: 'IOC' }, pair, 'c1').time_in_force,
    ).toBe('ioc');
    expect(spotWsAddOrderParams({ ...base, type: 'LIMIT', price: '1', postOnly: true }, pair, 'c1').post_only).toBe(
      true,
    );
  });

  test('every model type maps to its Kraken type', () => {
    const types = {
      MARKET: 'market',
      LIMIT: 'limit',
      STOP_MARKET: 'stop-loss',
      STOP_LIMIT: 'stop-loss-limit',
      MARKET_IF_TOUCHED: 'take-profit',
      LIMIT_IF_TOUCHED: 'take-profit-limit',
    } as const;
    for (const [type, wire] of Object.entries(types)) {
      expect(
        spotWsAddOrderParams({ ...base, type: type as keyof typeof types, price: '1', triggerPrice: '2' }, pair, 'c')
          .order_type,
      ).toBe(wire);
    }
  });

  test('a quote-quantity market buy sends cash_order_qty instead of order_qty', () => {
    const params = spotWsAddOrderParams({ ...base, type: 'MARKET', quantity: '100', quoteQuantity: true }, pair, 'c1');
    expect(params.cash_order_qty).toBe(100);
    expect(params).not.toHaveProperty('order_qty');
  });

  test('numbers a double cannot hold exactly are refused, not altered', () => {
    expect(wsNumber(new Decimal('0.12345678'))).toBe(0.12345678);
    expect(wsNumber(new Decimal('12345678901234567.1'))).toBeUndefined();
    expect(() =>
      spotWsAddOrderParams({ ...base, type: 'MARKET', quantity: '1.00000000000000000001' }, pair, 'c'),
    ).toThrow(/more digits/);
  });

  test('expire_time has second precision', () => {
    expect(spotWsTime(Date.UTC(2026, 4, 5, 6, 7, 8, 999))).toBe('2026-05-05T06:07:08Z');
  });
});

describe('REST AddOrder params', () => {
  test('limit: pair key, type, ordertype, volume, price, cl_ord_id', () => {
    const params = spotRestAddOrderParams({ ...base, type: 'LIMIT', price: '50000' }, pair, 'c1');
    expect({ ...params, volume: params.volume.toString(), price: params.price?.toString() }).toEqual({
      pair: 'XXBTZUSD',
      type: 'buy',
      ordertype: 'limit',
      volume: '1.25',
      price: '50000',
      cl_ord_id: 'c1',
    });
  });

  test('stop-limit: price is the trigger, price2 the limit; trigger reference; flags; GTD expiretm in seconds', () => {
    const params = spotRestAddOrderParams(
      {
        ...base,
        type: 'LIMIT_IF_TOUCHED',
        price: '48000',
        triggerPrice: '48500',
        triggerType: 'INDEX',
        timeInForce: 'GTD',
        expireTime: 1_700_000_000_999,
      },
      pair,
      'c1',
    );
    expect([
      params.ordertype,
      String(params.price),
      String(params.price2),
      params.trigger,
      params.timeinforce,
      params.expiretm,
    ]).toEqual(['take-profit-limit', '48500', '48000', 'index', 'GTD', 1_700_000_000]);
    const market = spotRestAddOrderParams({ ...base, type: 'MARKET', quoteQuantity: true }, pair, 'c1');
    expect(market.oflags).toBe('viqc');
    expect(spotRestAddOrderParams({ ...base, type: 'LIMIT', price: '1', postOnly: true }, pair, 'c').oflags).toBe(
      'post',
    );
  });
});

describe('amend params', () => {
  test('by order id or by client order id; only what changes', () => {
    expect(
      spotWsAmendOrderParams({ clientOrderId: 'c', instrumentId: 'BTC/USD.KRAKEN', price: '10.5' }, { orderId: 'O1' }),
    ).toEqual({
      order_id: 'O1',
      limit_price: 10.5,
    });
    expect(
      spotWsAmendOrderParams(
        { clientOrderId: 'c', instrumentId: 'x', quantity: '2', triggerPrice: '3' },
        { clOrdId: 'c' },
      ),
    ).toEqual({ cl_ord_id: 'c', order_qty: 2, trigger_price: 3 });
    const rest = spotRestAmendOrderParams({ clientOrderId: 'c', instrumentId: 'x', quantity: '2' }, { orderId: 'O1' });
    expect([rest.txid, String(rest.order_qty), rest.limit_price]).toEqual(['O1', '2', undefined]);
  });
});
