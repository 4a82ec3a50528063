import { checkModifyOrder, checkSubmitOrder, SUPPORT_MATRIX, supportRow } from '../../src/execution/supportMatrix';
import type { SubmitOrder } from '../../src/model/orders';

const limit: SubmitOrder = {
  clientOrderId: 'c',
  instrumentId: 'BTC/USD.KRAKEN',
  side: 'BUY',
  type: 'LIMIT',
  quantity: '1',
  price: '100',
};

describe('the support matrix', () => {
  test('has one row per value, each product either a wire value or what to use instead', () => {
    const keys = SUPPORT_MATRIX.map((r) => `${r.dimension}:${r.value}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const row of SUPPORT_MATRIX) {
      for (const support of [row.SPOT, row.FUTURES]) {
        if (support.supported) expect(support.wire.length).toBeGreaterThan(0);
        else expect(support.instead.length).toBeGreaterThan(0);
      }
    }
  });

  test("is the reference's: LIMIT_IF_TOUCHED, GTD Spot only; FOK nowhere; reduceOnly Futures only; MARK Futures only", () => {
    const unsupported = SUPPORT_MATRIX.flatMap((r) =>
      (['SPOT', 'FUTURES'] as const).filter((p) => !r[p].supported).map((p) => `${r.dimension} ${r.value} ${p}`),
    );
    expect(unsupported.sort()).toEqual(
      [
        'orderType LIMIT_IF_TOUCHED FUTURES',
        'timeInForce GTD FUTURES',
        'timeInForce FOK SPOT',
        'timeInForce FOK FUTURES',
        'reduceOnly true SPOT',
        'triggerType MARK SPOT',
        'quoteQuantity true FUTURES',
      ].sort(),
    );
  });

  test('every unsupported row is denied with its "instead"', () => {
    for (const row of SUPPORT_MATRIX) {
      for (const product of ['SPOT', 'FUTURES'] as const) {
        const support = row[product];
        if (support.supported) continue;
        const cmd: SubmitOrder =
          row.dimension === 'orderType'
            ? { ...limit, type: row.value as SubmitOrder['type'], triggerPrice: '90' }
            : row.dimension === 'timeInForce'
              ? { ...limit, timeInForce: row.value as SubmitOrder['timeInForce'], expireTime: 1 }
              : row.dimension === 'triggerType'
                ? {
                    ...limit,
                    type: 'STOP_MARKET',
                    price: undefined,
                    triggerPrice: '90',
                    triggerType: row.value as 'MARK',
                  }
                : { ...limit, [row.dimension]: true };
        expect(checkSubmitOrder(cmd, product)).toBe(
          `${row.value === 'true' ? row.dimension : `${row.dimension} ${row.value}`} is not supported on Kraken ${product === 'SPOT' ? 'Spot' : 'Futures'}; use ${support.instead}`,
        );
      }
    }
  });

  test('rows are looked up by dimension and value', () => {
    expect(supportRow('orderType', 'STOP_LIMIT')?.FUTURES).toEqual({ supported: true, wire: 'stp with limitPrice' });
    expect(supportRow('timeInForce', 'DAY')).toBeUndefined();
  });
});

describe('checkSubmitOrder', () => {
  test('accepts well-formed orders', () => {
    expect(checkSubmitOrder(limit, 'SPOT')).toBeUndefined();
    expect(checkSubmitOrder({ ...limit, type: 'MARKET', price: undefined }, 'FUTURES')).toBeUndefined();
    expect(checkSubmitOrder({ ...limit, timeInForce: 'GTD', expireTime: 1_900_000_000_000 }, 'SPOT')).toBeUndefined();
    expect(checkSubmitOrder({ ...limit, reduceOnly: true }, 'FUTURES')).toBeUndefined();
    expect(
      checkSubmitOrder({ ...limit, type: 'STOP_LIMIT', triggerPrice: '101', timeInForce: 'IOC' }, 'SPOT'),
    ).toBeUndefined();
  });

  test.each([
    [{ ...limit, clientOrderId: '' }, 'SPOT', /clientOrderId must be a non-empty string/],
    [{ ...limit, side: 'HOLD' as never }, 'SPOT', /side must be BUY or SELL/],
    [{ ...limit, type: 'ICEBERG' as never }, 'SPOT', /orderType ICEBERG is unknown; expected one of MARKET, LIMIT/],
    [{ ...limit, quantity: 'lots' }, 'SPOT', /quantity must be a decimal number, got 'lots'/],
    [{ ...limit, quantity: '0' }, 'SPOT', /quantity must be a positive number/],
    [{ ...limit, price: undefined }, 'SPOT', /a LIMIT order needs a price/],
    [{ ...limit, type: 'STOP_MARKET' as const }, 'SPOT', /takes no price; remove it, or use STOP_LIMIT/],
    [{ ...limit, type: 'STOP_LIMIT' as const }, 'SPOT', /a STOP_LIMIT order needs a triggerPrice/],
    [{ ...limit, triggerPrice: '1' }, 'SPOT', /takes no triggerPrice; use STOP_LIMIT or LIMIT_IF_TOUCHED/],
    [
      { ...limit, type: 'MARKET' as const, price: undefined, timeInForce: 'IOC' as const },
      'SPOT',
      /IOC applies to limit-type orders only/,
    ],
    [
      { ...limit, type: 'STOP_LIMIT' as const, triggerPrice: '1', timeInForce: 'IOC' as const },
      'FUTURES',
      /IOC on Kraken Futures applies to LIMIT orders only/,
    ],
    [{ ...limit, timeInForce: 'GTD' as const }, 'SPOT', /GTD requires expireTime/],
    [
      { ...limit, type: 'MARKET' as const, price: undefined, timeInForce: 'GTD' as const, expireTime: 1 },
      'SPOT',
      /GTD applies to resting orders/,
    ],
    [{ ...limit, expireTime: 1_900_000_000_000 }, 'SPOT', /expireTime is used with timeInForce GTD only/],
    [{ ...limit, postOnly: true, timeInForce: 'IOC' as const }, 'SPOT', /postOnly and IOC contradict/],
    [
      { ...limit, type: 'STOP_LIMIT' as const, triggerPrice: '1', postOnly: true },
      'FUTURES',
      /postOnly applies to LIMIT orders only/,
    ],
    [{ ...limit, quoteQuantity: true }, 'SPOT', /quoteQuantity applies to MARKET BUY orders only/],
    [{ ...limit, triggerType: 'LAST' as const }, 'FUTURES', /triggerType applies to stop and if-touched orders only/],
    [{ ...limit, quantity: '1.00000000000000000001' }, 'SPOT', /more significant digits than Kraken accepts/],
  ] as const)('denies %#: %s', (cmd, product, reason) => {
    expect(checkSubmitOrder(cmd as SubmitOrder, product)).toMatch(reason);
  });
});

describe('checkModifyOrder', () => {
  test('needs something to change, positive amounts', () => {
    const cmd = { clientOrderId: 'c', instrumentId: 'BTC/USD.KRAKEN' };
    expect(checkModifyOrder(cmd, 'SPOT')).toMatch(/nothing to modify/);
    expect(checkModifyOrder({ ...cmd, price: '-1' }, 'SPOT')).toMatch(/price must be a positive number/);
    expect(checkModifyOrder({ ...cmd, quantity: '2' }, 'FUTURES')).toBeUndefined();
  });
});
