/**
 * Order placement against the simulator: never duplicated after a lost answer, refusals as events with Kraken's
 * reason, malformed stream messages survived.
 */
import Decimal from 'decimal.js';
import { isOrderEvent } from '../../src/execution';
import type { SubmitOrder } from '../../src/model/orders';
import { collect, settle, startHarness, types, type Harness } from '../execution/harness';

jest.setTimeout(20_000);

function farBuy(h: Harness, id: string, symbol = 'BTC/USD'): SubmitOrder {
  const { bid } = h.best(symbol);
  return {
    clientOrderId: id,
    instrumentId: `${symbol}.KRAKEN`,
    side: 'BUY',
    type: 'LIMIT',
    quantity: symbol.startsWith('PF_') ? '0.01' : '0.01',
    price: bid.times(0.8).toDecimalPlaces(0).toFixed(),
  };
}

describe('a placement whose answer is lost', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('Spot over WS: the order exists once, one OrderAccepted, no resend', async () => {
    h = await startHarness({ products: ['SPOT'] });
    h.sim.faults.timeoutNextOrderPlacement({ venue: 'spot', transport: 'ws' });
    const events = await collect(h.client.submitOrder(farBuy(h, 'lost-ws')));
    expect(types(events)).toEqual(['OrderSubmitted', 'OrderAccepted']);
    await settle(1_300); // past the request timeout: the lost answer is resolved, not resent
    const placed = h.sim.engine.accountOrders(h.sim.accounts().spot).filter((o) => o.clOrdId === 'lost-ws');
    expect(placed).toHaveLength(1);
    expect(h.sent.filter((f) => f.method === 'add_order')).toHaveLength(1);
    expect(h.orderEvents('lost-ws').filter((e) => e.type === 'OrderAccepted')).toHaveLength(1);
    expect(h.orderEvents('lost-ws').find((e) => e.type === 'OrderAccepted')?.venueOrderId).toBe(placed[0].id);
  });

  test('Spot over REST (no private socket): found by client order id after the time-out, accepted once', async () => {
    h = await startHarness({
      products: ['SPOT'],
      client: { baseUrlWsSpotAuth: 'ws://127.0.0.1:1/auth/v2' },
      noConnect: true,
    });
    h.sim.faults.timeoutNextOrderPlacement({ venue: 'spot', transport: 'rest' });
    const events = await collect(h.client.submitOrder(farBuy(h, 'lost-rest')));
    expect(types(events)).toEqual(['OrderSubmitted', 'OrderAccepted']);
    const placed = h.sim.engine.accountOrders(h.sim.accounts().spot).filter((o) => o.clOrdId === 'lost-rest');
    expect(placed).toHaveLength(1);
    expect(h.requests.filter((r) => r === 'POST /0/private/AddOrder')).toHaveLength(1);
    expect(h.requests).toContain('POST /0/private/OpenOrders');
    await settle(200);
    expect(h.orderEvents('lost-rest').filter((e) => e.type === 'OrderAccepted')).toHaveLength(1);
  });

  test('Futures: sendorder hangs; the order exists once, one OrderAccepted', async () => {
    h = await startHarness({ products: ['FUTURES'] });
    h.sim.faults.timeoutNextOrderPlacement({ venue: 'futures', transport: 'rest' });
    const events = await collect(h.client.submitOrder(farBuy(h, 'lost-fut', 'PF_XBTUSD')));
    expect(types(events)).toEqual(['OrderSubmitted', 'OrderAccepted']);
    await settle(1_300);
    const placed = h.sim.engine.accountOrders(h.sim.accounts().futures).filter((o) => o.clOrdId === 'lost-fut');
    expect(placed).toHaveLength(1);
    expect(h.requests.filter((r) => r.endsWith('/sendorder'))).toHaveLength(1);
    expect(h.orderEvents('lost-fut').filter((e) => e.type === 'OrderAccepted')).toHaveLength(1);
  });

  test.each([
    ['Spot', 'BTC/USD', '/0/private/AddOrder', /no order with client order id 'reused'.*not placed/],
    ['Futures', 'PF_XBTUSD', '/derivatives/api/v3/sendorder', /no order with cliOrdId 'reused'.*not placed/],
  ] as const)(
    '%s: a lost placement is not mistaken for an earlier, closed order with the same client order id',
    async (product, symbol, path, reason) => {
      h = await startHarness({
        products: [product === 'Spot' ? 'SPOT' : 'FUTURES'],
        // Spot over REST (no private socket), where a lost answer is looked up in OpenOrders, then ClosedOrders.
        ...(product === 'Spot' ? { client: { baseUrlWsSpotAuth: 'ws://127.0.0.1:1/auth/v2' }, noConnect: true } : {}),
      });
      const instrumentId = `${symbol}.KRAKEN`;
      const first = await collect(h.client.submitOrder(farBuy(h, 'reused', symbol)));
      expect(types(first)).toEqual(['OrderSubmitted', 'OrderAccepted']);
      await collect(h.client.cancelOrder({ clientOrderId: 'reused', instrumentId }));
      h.relax(5_000);
      // Kraken takes the id again once the order is closed; this placement never reaches it.
      h.sim.faults.failNextRest({ path, status: 502 });
      const again = await collect(h.client.submitOrder(farBuy(h, 'reused', symbol)));
      expect(types(again)).toEqual(['OrderSubmitted', 'OrderRejected']);
      expect(again[1]).toMatchObject({ reason: expect.stringMatching(reason) });
      const account = product === 'Spot' ? h.sim.accounts().spot : h.sim.accounts().futures;
      expect(h.sim.engine.accountOrders(account).filter((o) => o.clOrdId === 'reused')).toHaveLength(1);
    },
  );

  test('Futures without its private socket: sendorder hangs; found by cliOrdId, one order, one OrderAccepted', async () => {
    h = await startHarness({
      products: ['FUTURES'],
      client: { baseUrlWsFutures: 'ws://127.0.0.1:1/ws/v1' },
      noConnect: true,
    });
    h.sim.faults.timeoutNextOrderPlacement({ venue: 'futures', transport: 'rest' });
    const events = await collect(h.client.submitOrder(farBuy(h, 'lost-fut-rest', 'PF_XBTUSD')));
    expect(types(events)).toEqual(['OrderSubmitted', 'OrderAccepted']);
    await settle(200);
    const placed = h.sim.engine.accountOrders(h.sim.accounts().futures).filter((o) => o.clOrdId === 'lost-fut-rest');
    expect(placed).toHaveLength(1);
    expect(h.requests.filter((r) => r.endsWith('/sendorder'))).toHaveLength(1);
    expect(h.requests.some((r) => r.endsWith('/orders/status') || r.endsWith('/openorders'))).toBe(true);
    const accepted = h.orderEvents('lost-fut-rest').filter((e) => e.type === 'OrderAccepted');
    expect(accepted.map((e) => e.venueOrderId)).toEqual([placed[0].id]);
  });

  test('a placement that never reached Kraken is rejected after the lookup finds nothing', async () => {
    h = await startHarness({ products: ['FUTURES'] });
    h.sim.faults.failNextRest({ path: '/derivatives/api/v3/sendorder', status: 502 });
    const events = await collect(h.client.submitOrder(farBuy(h, 'never', 'PF_XBTUSD')));
    expect(types(events)).toEqual(['OrderSubmitted', 'OrderRejected']);
    expect(events[1].type === 'OrderRejected' && events[1].reason).toMatch(
      /no order with cliOrdId 'never'.*not placed/,
    );
    expect(h.sim.engine.accountOrders(h.sim.accounts().futures).filter((o) => o.clOrdId === 'never')).toHaveLength(0);
  });
});

describe('a modify whose answer is lost', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('Futures: editorder answered by a 502 is read back; the unchanged order gives one OrderModifyRejected', async () => {
    h = await startHarness({ products: ['FUTURES'] });
    const order = farBuy(h, 'edit-lost', 'PF_XBTUSD');
    expect(types(await collect(h.client.submitOrder(order)))).toEqual(['OrderSubmitted', 'OrderAccepted']);
    h.sim.faults.failNextRest({ path: '/derivatives/api/v3/editorder', status: 502 });
    const newPrice = new Decimal(order.price as string).minus(10).toFixed();
    const events = await collect(
      h.client.modifyOrder({ clientOrderId: 'edit-lost', instrumentId: order.instrumentId, price: newPrice }),
    );
    expect(types(events)).toEqual(['OrderModifyRejected']);
    expect(events[0].type === 'OrderModifyRejected' && events[0].reason).toMatch(
      /^no answer to the edit \(.*502.*\); the order at Kraken is unchanged$/,
    );
    const [placed] = h.sim.engine.accountOrders(h.sim.accounts().futures).filter((o) => o.clOrdId === 'edit-lost');
    expect(placed.limitPrice?.toFixed()).toBe(new Decimal(order.price as string).toFixed());
    expect(h.requests.filter((r) => r.endsWith('/editorder'))).toHaveLength(1);
  });
});

describe('refused orders are events with Kraken reason', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  test('insufficient funds (Spot, Futures)', async () => {
    const spot = await collect(h.client.submitOrder({ ...farBuy(h, 'too-big'), quantity: '1000' }));
    expect(types(spot)).toEqual(['OrderSubmitted', 'OrderRejected']);
    expect(spot[1]).toMatchObject({ reason: 'EOrder:Insufficient funds' });
    const fut = await collect(h.client.submitOrder({ ...farBuy(h, 'too-big-f', 'PF_XBTUSD'), quantity: '5000' }));
    expect(types(fut)).toEqual(['OrderSubmitted', 'OrderRejected']);
    expect(fut[1]).toMatchObject({ reason: 'insufficientAvailableFunds' });
  });

  test('post-only that would take: Spot accepts then cancels it, Futures rejects it (dueToPostOnly)', async () => {
    const { ask } = h.best('BTC/USD');
    const spot = await collect(
      h.client.submitOrder({
        clientOrderId: 'post-take',
        instrumentId: 'BTC/USD.KRAKEN',
        side: 'BUY',
        type: 'LIMIT',
        quantity: '0.01',
        price: ask.plus(100).toFixed(),
        postOnly: true,
      }),
    );
    expect(types(spot)).toEqual(['OrderSubmitted', 'OrderAccepted']);
    await h.until((e) => isOrderEvent(e) && e.clientOrderId === 'post-take' && e.type === 'OrderCanceled');
    expect(h.orderEvents('post-take').at(-1)).toMatchObject({ type: 'OrderCanceled', reason: 'Post only order' });
    const fAsk = h.best('PF_XBTUSD').ask;
    const fut = await collect(
      h.client.submitOrder({
        clientOrderId: 'post-take-f',
        instrumentId: 'PF_XBTUSD.KRAKEN',
        side: 'BUY',
        type: 'LIMIT',
        quantity: '0.01',
        price: fAsk.plus(100).toFixed(),
        postOnly: true,
      }),
    );
    expect(types(fut)).toEqual(['OrderSubmitted', 'OrderRejected']);
    expect(fut[1]).toMatchObject({ reason: 'postWouldExecute', dueToPostOnly: true });
  });

  test('invalid price (off the tick)', async () => {
    const spot = await collect(h.client.submitOrder({ ...farBuy(h, 'bad-tick'), price: '1000.05' }));
    expect(spot[1]).toMatchObject({ type: 'OrderRejected', reason: 'EOrder:Tick size check failed' });
    const fut = await collect(h.client.submitOrder({ ...farBuy(h, 'bad-tick-f', 'PF_XBTUSD'), price: '1000.5' }));
    expect(fut[1]).toMatchObject({ type: 'OrderRejected', reason: 'invalidPrice' });
  });

  test('unknown order on cancel: Kraken says so', async () => {
    const spot = await collect(h.client.cancelOrder({ clientOrderId: 'ghost', instrumentId: 'BTC/USD.KRAKEN' }));
    expect(spot).toEqual([expect.objectContaining({ type: 'OrderCancelRejected', reason: 'EOrder:Unknown order' })]);
    const fut = await collect(h.client.cancelOrder({ clientOrderId: 'ghost-f', instrumentId: 'PF_XBTUSD.KRAKEN' }));
    expect(fut).toEqual([expect.objectContaining({ type: 'OrderCancelRejected', reason: 'notFound' })]);
  });

  test('a refused modify is OrderModifyRejected with the reason', async () => {
    await collect(h.client.submitOrder(farBuy(h, 'to-amend')));
    const events = await collect(
      h.client.modifyOrder({ clientOrderId: 'to-amend', instrumentId: 'BTC/USD.KRAKEN', quantity: '5000' }),
    );
    expect(events).toEqual([
      expect.objectContaining({ type: 'OrderModifyRejected', reason: 'EOrder:Insufficient funds' }),
    ]);
  });

  test('an order refused locally is OrderDenied, never sent', async () => {
    const before = h.sent.length + h.requests.length;
    const events = await collect(h.client.submitOrder({ ...farBuy(h, 'fok'), timeInForce: 'FOK' }));
    expect(events).toEqual([
      expect.objectContaining({ type: 'OrderDenied', reason: expect.stringMatching(/FOK is not supported.*use IOC/) }),
    ]);
    expect(h.sent.length + h.requests.length).toBe(before);
  });
});

describe('a malformed execution message', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('is reported on errors$ and the stream goes on (Spot)', async () => {
    h = await startHarness({ products: ['SPOT'] });
    h.sim.faults.sendMalformedFrame({
      group: 'spot-auth',
      frame: JSON.stringify({
        channel: 'executions',
        type: 'update',
        data: [{ exec_type: 42, order_id: 7 }],
        sequence: 99,
      }),
    });
    h.sim.faults.sendMalformedFrame({ group: 'spot-auth', frame: '{"channel":"executions","type":' });
    await settle(200);
    expect(h.errors.some((e) => e.name === 'KrakenDecodeError' && /executions entry/.test(e.message))).toBe(true);
    expect(h.errors.some((e) => e.name === 'KrakenDecodeError' && /malformed frame/.test(e.message))).toBe(true);
    const events = await collect(h.client.submitOrder(farBuy(h, 'after-bad')));
    expect(types(events)).toEqual(['OrderSubmitted', 'OrderAccepted']);
  });

  test.each([
    [
      'Spot',
      'spot-auth',
      'executions',
      {
        channel: 'executions',
        type: 'update',
        data: [
          {
            exec_type: 'new',
            order_id: 'OBAD00-BAD00-BAD000',
            symbol: '',
            side: 'buy',
            order_type: 'limit',
            order_qty: 1,
          },
        ],
      },
    ],
    [
      'Futures',
      'futures',
      'open_orders',
      {
        feed: 'open_orders',
        order: {
          instrument: '',
          time: 1,
          last_update_time: 1,
          qty: 1,
          filled: 0,
          limit_price: 1,
          stop_price: 0,
          type: 'limit',
          order_id: 'bad00000-0000-4000-8000-000000000000',
          direction: 0,
          reduce_only: false,
        },
        is_cancel: false,
        reason: 'new_placed_order_by_user',
      },
    ],
  ] as const)(
    '%s: a well-formed entry that cannot be applied is an error on errors$; the subscription is kept',
    async (product, group, feed, frame) => {
      h = await startHarness({ products: [product === 'Spot' ? 'SPOT' : 'FUTURES'] });
      expect(h.subscriptionsTo(feed)).toBe(1);
      h.sim.faults.sendMalformedFrame({ group, frame: JSON.stringify(frame) });
      await settle(200);
      expect(h.errors.map((e) => e.name)).toContain('KrakenDecodeError');
      expect(h.subscriptionsTo(feed)).toBe(1); // not torn down and resubscribed
      const symbol = product === 'Spot' ? 'BTC/USD' : 'PF_XBTUSD';
      const events = await collect(h.client.submitOrder(farBuy(h, `after-unusable-${product}`, symbol)));
      expect(types(events)).toEqual(['OrderSubmitted', 'OrderAccepted']);
    },
  );

  test('is reported on errors$ and the stream goes on (Futures)', async () => {
    h = await startHarness({ products: ['FUTURES'] });
    h.sim.faults.sendMalformedFrame({
      group: 'futures',
      frame: JSON.stringify({ feed: 'fills', fills: [{ instrument: 'PF_XBTUSD', qty: 'lots' }] }),
    });
    await settle(200);
    expect(h.errors.some((e) => e.name === 'KrakenDecodeError' && /fills fill 0/.test(e.message))).toBe(true);
    const { ask } = h.best('PF_XBTUSD');
    const events = await collect(
      h.client.submitOrder({
        clientOrderId: 'mkt-after-bad',
        instrumentId: 'PF_XBTUSD.KRAKEN',
        side: 'BUY',
        type: 'LIMIT',
        quantity: '0.01',
        price: ask.toFixed(),
      }),
    );
    expect(types(events)).toEqual(['OrderSubmitted', 'OrderAccepted']);
    await h.until((e) => isOrderEvent(e) && e.clientOrderId === 'mkt-after-bad' && e.type === 'OrderFilled');
  });
});

describe('Futures market fills that never show in open_orders', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('still produce OrderAccepted and OrderFilled (fills feed)', async () => {
    h = await startHarness({ products: ['FUTURES'] });
    h.sim.faults.dropChannel('open_orders', { group: 'futures' });
    const events = await collect(
      h.client.submitOrder({
        clientOrderId: 'fast',
        instrumentId: 'PF_XBTUSD.KRAKEN',
        side: 'BUY',
        type: 'MARKET',
        quantity: '0.02',
      }),
    );
    expect(types(events)).toEqual(['OrderSubmitted', 'OrderAccepted']);
    await h.until((e) => isOrderEvent(e) && e.clientOrderId === 'fast' && e.type === 'OrderFilled');
    const fills = h.orderEvents('fast').filter((e) => e.type === 'OrderFilled');
    const engineFills = h.sim.engine.accountFills(h.sim.accounts().futures).filter((f) => f.clOrdId === 'fast');
    expect(fills.map((f) => f.type === 'OrderFilled' && f.tradeId)).toEqual(engineFills.map((f) => f.uid));
  });

  test('still produce OrderFilled when the fills feed is silent too (REST /fills)', async () => {
    h = await startHarness({ products: ['FUTURES'] });
    h.sim.faults.dropChannel('open_orders', { group: 'futures' });
    h.sim.faults.dropChannel('fills', { group: 'futures' });
    await collect(
      h.client.submitOrder({
        clientOrderId: 'fast2',
        instrumentId: 'PF_XBTUSD.KRAKEN',
        side: 'SELL',
        type: 'MARKET',
        quantity: '0.02',
      }),
    );
    await h.until((e) => isOrderEvent(e) && e.clientOrderId === 'fast2' && e.type === 'OrderFilled', 5_000);
    const engineFills = h.sim.engine.accountFills(h.sim.accounts().futures).filter((f) => f.clOrdId === 'fast2');
    expect(h.orderEvents('fast2').filter((e) => e.type === 'OrderFilled')).toHaveLength(engineFills.length);
    expect(h.requests).toContain('GET /derivatives/api/v3/fills');
  });
});

describe('connect', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('rejects at once with Kraken reason when the credentials are refused', async () => {
    h = await startHarness({
      products: ['SPOT'],
      noConnect: true,
      client: { apiKey: 'not-a-key', apiSecret: Buffer.from('not the secret').toString('base64') },
    });
    const started = Date.now();
    await expect(h.client.connect()).rejects.toThrow(/EAPI:Invalid key/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('orders placed elsewhere', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('reach events$ too, named by their Kraken id when they have no client order id', async () => {
    h = await startHarness();
    const { bid } = h.best('BTC/USD');
    const placed = h.sim.engine.submitOrder(h.sim.accounts().spot, {
      symbol: 'BTC/USD',
      side: 'buy',
      type: 'limit',
      qty: new Decimal('0.01'),
      limitPrice: bid.minus(50),
    });
    if (!placed.ok) throw new Error(placed.code);
    await h.until((e) => isOrderEvent(e) && e.venueOrderId === placed.order.id && e.type === 'OrderAccepted');
    h.sim.engine.cancelOrder(h.sim.accounts().spot, placed.order.id);
    const canceled = await h.until(
      (e) => isOrderEvent(e) && e.venueOrderId === placed.order.id && e.type === 'OrderCanceled',
    );
    expect(canceled).toMatchObject({
      clientOrderId: placed.order.id,
      instrumentId: expect.objectContaining({ symbol: 'BTC/USD' }),
    });
  });
});
