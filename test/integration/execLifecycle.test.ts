/**
 * A full life cycle per order type on both products, against the simulator: submit, partial fill, amend, then
 * fill or cancel — and the events the client emits, checked against what the simulator did.
 */
import Decimal from 'decimal.js';
import type { OrderEvent } from '../../src/model/events';
import type { OrderType, SubmitOrder } from '../../src/model/orders';
import { collect, startHarness, types, type Harness } from '../execution/harness';

jest.setTimeout(30_000);

const SPOT = { symbol: 'BTC/USD', id: 'BTC/USD.KRAKEN', tick: new Decimal('0.1'), qty: new Decimal('0.02') };
const FUT = { symbol: 'PF_XBTUSD', id: 'PF_XBTUSD.KRAKEN', tick: new Decimal(1), qty: new Decimal('0.02') };
type Market = typeof SPOT;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
afterEach(() => h.relax(60_000)); // let the simulator's rate counters decay between cases

async function eventually(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until the order has `n` events, then returns their types. */
async function eventsOf(id: string, n: number): Promise<string[]> {
  await eventually(() => h.orderEvents(id).length >= n, `${n} events of ${id}`);
  return types(h.orderEvents(id));
}

function engineOrder(m: Market, id: string) {
  const account = m === SPOT ? h.sim.accounts().spot : h.sim.accounts().futures;
  const found = h.sim.engine.accountOrders(account).filter((o) => o.clOrdId === id);
  expect(found).toHaveLength(1);
  return found[0];
}

/** The fills the client reported match the simulator's, one for one. */
function expectFillsMatch(m: Market, id: string): void {
  const account = m === SPOT ? h.sim.accounts().spot : h.sim.accounts().futures;
  const order = engineOrder(m, id);
  const engineFills = h.sim.engine.accountFills(account).filter((f) => f.orderId === order.id);
  const reported = h
    .orderEvents(id)
    .filter((e): e is Extract<OrderEvent, { type: 'OrderFilled' }> => e.type === 'OrderFilled');
  expect(reported.map((f) => f.tradeId)).toEqual(engineFills.map((f) => (m === SPOT ? f.id : f.uid)));
  expect(reported.map((f) => f.lastQty.toFixed())).toEqual(engineFills.map((f) => f.qty.toFixed()));
  expect(reported.map((f) => f.lastPx.toFixed())).toEqual(engineFills.map((f) => f.price.toFixed()));
  expect(reported.map((f) => [f.commission.toFixed(), f.commissionCurrency, f.liquiditySide])).toEqual(
    engineFills.map((f) => [
      f.fee.toFixed(),
      f.feeAsset.toUpperCase() === 'XBT' ? 'BTC' : f.feeAsset.toUpperCase(),
      f.liquidity === 'maker' ? 'MAKER' : 'TAKER',
    ]),
  );
  for (const f of reported) expect(f.venueOrderId).toBe(order.id);
}

/** Hits the best bid with a synthetic market sell of `qty`. */
function sellInto(m: Market, qty: Decimal): void {
  h.sim.engine.syntheticTrade(m.symbol, 'sell', qty);
}

/** Prints a last trade at `price` (moves the LAST trigger reference). */
function printAt(m: Market, price: Decimal): void {
  h.sim.engine.printTrade(m.symbol, price, new Decimal('0.001'), 'buy', 'market');
}

describe.each([
  ['Spot', SPOT],
  ['Futures', FUT],
])('%s', (_name, m) => {
  const id = (type: OrderType, suffix: string) =>
    `${m === SPOT ? 's' : 'f'}-${type.toLowerCase().slice(0, 10)}-${suffix}`;

  test('LIMIT: submit, partial fill, amend, fill', async () => {
    const cid = id('LIMIT', 'f');
    const { bid } = h.best(m.symbol);
    const price = bid.plus(m.tick);
    const submitted = await collect(
      h.client.submitOrder({
        clientOrderId: cid,
        instrumentId: m.id,
        side: 'BUY',
        type: 'LIMIT',
        quantity: m.qty.toFixed(),
        price: price.toFixed(),
      }),
    );
    expect(types(submitted)).toEqual(['OrderSubmitted', 'OrderAccepted']);
    sellInto(m, m.qty.div(2));
    await eventsOf(cid, 3);
    const amended = await collect(
      h.client.modifyOrder({ clientOrderId: cid, instrumentId: m.id, quantity: m.qty.times(2).toFixed() }),
    );
    expect(amended).toEqual([expect.objectContaining({ type: 'OrderUpdated', quantity: m.qty.times(2) })]);
    sellInto(m, m.qty.times(1.5));
    expect(await eventsOf(cid, 5)).toEqual([
      'OrderSubmitted',
      'OrderAccepted',
      'OrderFilled',
      'OrderUpdated',
      'OrderFilled',
    ]);
    expect(engineOrder(m, cid).status).toBe('closed');
    expectFillsMatch(m, cid);
  });

  test('LIMIT: submit, partial fill, amend price, cancel', async () => {
    const cid = id('LIMIT', 'c');
    const { bid } = h.best(m.symbol);
    await collect(
      h.client.submitOrder({
        clientOrderId: cid,
        instrumentId: m.id,
        side: 'BUY',
        type: 'LIMIT',
        quantity: m.qty.toFixed(),
        price: bid.plus(m.tick).toFixed(),
      }),
    );
    sellInto(m, m.qty.div(4));
    await eventsOf(cid, 3);
    const newPrice = bid.minus(m.tick.times(50));
    const amended = await collect(
      h.client.modifyOrder({ clientOrderId: cid, instrumentId: m.id, price: newPrice.toFixed() }),
    );
    expect(amended).toEqual([expect.objectContaining({ type: 'OrderUpdated', price: newPrice })]);
    const canceled = await collect(h.client.cancelOrder({ clientOrderId: cid, instrumentId: m.id }));
    expect(types(canceled)).toEqual(['OrderCanceled']);
    expect(await eventsOf(cid, 5)).toEqual([
      'OrderSubmitted',
      'OrderAccepted',
      'OrderFilled',
      'OrderUpdated',
      'OrderCanceled',
    ]);
    expect(engineOrder(m, cid).status).toBe('canceled');
    expectFillsMatch(m, cid);
  });

  test('MARKET: submit, filled at once', async () => {
    const cid = id('MARKET', 'f');
    const submitted = await collect(
      h.client.submitOrder({
        clientOrderId: cid,
        instrumentId: m.id,
        side: 'BUY',
        type: 'MARKET',
        quantity: m.qty.toFixed(),
      }),
    );
    expect(types(submitted)).toEqual(['OrderSubmitted', 'OrderAccepted']);
    await eventually(() => engineOrder(m, cid).status === 'closed', 'market order closed');
    const order = engineOrder(m, cid);
    await eventually(
      () => h.orderEvents(cid).filter((e) => e.type === 'OrderFilled').length === order.tradeIds.length,
      'market fills',
    );
    expectFillsMatch(m, cid);
    const filled = h
      .orderEvents(cid)
      .reduce((s, e) => (e.type === 'OrderFilled' ? s.plus(e.lastQty) : s), new Decimal(0));
    expect(filled.toFixed()).toBe(m.qty.toFixed());
  });

  test('STOP_MARKET: submit, amend trigger, triggered and filled', async () => {
    const cid = id('STOP_MARKET', 'f');
    const { ask } = h.best(m.symbol);
    const trigger = ask.plus(m.tick.times(200));
    await collect(
      h.client.submitOrder({
        clientOrderId: cid,
        instrumentId: m.id,
        side: 'BUY',
        type: 'STOP_MARKET',
        quantity: m.qty.toFixed(),
        triggerPrice: trigger.toFixed(),
        triggerType: 'LAST',
      }),
    );
    const higher = trigger.plus(m.tick.times(10));
    const amended = await collect(
      h.client.modifyOrder({ clientOrderId: cid, instrumentId: m.id, triggerPrice: higher.toFixed() }),
    );
    expect(amended).toEqual([expect.objectContaining({ type: 'OrderUpdated', triggerPrice: higher })]);
    printAt(m, higher);
    await eventually(() => h.orderEvents(cid).some((e) => e.type === 'OrderFilled'), 'stop fill');
    await eventually(() => engineOrder(m, cid).status === 'closed', 'stop closed');
    const seq = types(h.orderEvents(cid));
    expect(seq.slice(0, 5)).toEqual([
      'OrderSubmitted',
      'OrderAccepted',
      'OrderUpdated',
      'OrderTriggered',
      'OrderFilled',
    ]);
    expectFillsMatch(m, cid);
  });

  test('STOP_LIMIT: submit, triggered, partial fill, amend, cancel', async () => {
    const cid = id('STOP_LIMIT', 'c');
    const { bid, ask } = h.best(m.symbol);
    const trigger = ask.plus(m.tick.times(100));
    const limit = bid.plus(m.tick); // rests as the best bid once triggered
    await collect(
      h.client.submitOrder({
        clientOrderId: cid,
        instrumentId: m.id,
        side: 'BUY',
        type: 'STOP_LIMIT',
        quantity: m.qty.toFixed(),
        price: limit.toFixed(),
        triggerPrice: trigger.toFixed(),
      }),
    );
    printAt(m, trigger);
    await eventsOf(cid, 3);
    sellInto(m, m.qty.div(2));
    await eventsOf(cid, 4);
    const lower = limit.minus(m.tick.times(20));
    const amended = await collect(
      h.client.modifyOrder({ clientOrderId: cid, instrumentId: m.id, price: lower.toFixed() }),
    );
    expect(amended).toEqual([expect.objectContaining({ type: 'OrderUpdated', price: lower })]);
    await collect(h.client.cancelOrder({ clientOrderId: cid, instrumentId: m.id }));
    expect(await eventsOf(cid, 6)).toEqual([
      'OrderSubmitted',
      'OrderAccepted',
      'OrderTriggered',
      'OrderFilled',
      'OrderUpdated',
      'OrderCanceled',
    ]);
    expectFillsMatch(m, cid);
  });

  test('MARKET_IF_TOUCHED: submit, amend quantity, touched and filled', async () => {
    const cid = id('MARKET_IF_TOUCHED', 'f');
    const { bid } = h.best(m.symbol);
    const trigger = bid.minus(m.tick.times(100));
    await collect(
      h.client.submitOrder({
        clientOrderId: cid,
        instrumentId: m.id,
        side: 'BUY',
        type: 'MARKET_IF_TOUCHED',
        quantity: m.qty.toFixed(),
        triggerPrice: trigger.toFixed(),
      }),
    );
    const bigger = m.qty.plus(m.qty);
    const amended = await collect(
      h.client.modifyOrder({ clientOrderId: cid, instrumentId: m.id, quantity: bigger.toFixed() }),
    );
    expect(amended).toEqual([expect.objectContaining({ type: 'OrderUpdated', quantity: bigger })]);
    printAt(m, trigger);
    await eventually(() => engineOrder(m, cid).status === 'closed', 'touched order closed');
    const order = engineOrder(m, cid);
    await eventually(
      () => h.orderEvents(cid).filter((e) => e.type === 'OrderFilled').length === order.tradeIds.length,
      'fills',
    );
    expect(types(h.orderEvents(cid)).slice(0, 5)).toEqual([
      'OrderSubmitted',
      'OrderAccepted',
      'OrderUpdated',
      'OrderTriggered',
      'OrderFilled',
    ]);
    expectFillsMatch(m, cid);
  });
});

test('Spot LIMIT_IF_TOUCHED: submit, touched, partial fill, amend, fill', async () => {
  const m = SPOT;
  const cid = 's-lit-f';
  const { bid } = h.best(m.symbol);
  const trigger = bid.minus(m.tick.times(100));
  const limit = bid.plus(m.tick);
  await collect(
    h.client.submitOrder({
      clientOrderId: cid,
      instrumentId: m.id,
      side: 'BUY',
      type: 'LIMIT_IF_TOUCHED',
      quantity: m.qty.toFixed(),
      price: limit.toFixed(),
      triggerPrice: trigger.toFixed(),
      triggerType: 'LAST',
    } satisfies SubmitOrder),
  );
  printAt(m, trigger);
  await eventsOf(cid, 3);
  sellInto(m, m.qty.div(2));
  await eventsOf(cid, 4);
  const amended = await collect(
    h.client.modifyOrder({ clientOrderId: cid, instrumentId: m.id, quantity: m.qty.times(3).toFixed() }),
  );
  expect(types(amended)).toEqual(['OrderUpdated']);
  sellInto(m, m.qty.times(2.5));
  expect(await eventsOf(cid, 6)).toEqual([
    'OrderSubmitted',
    'OrderAccepted',
    'OrderTriggered',
    'OrderFilled',
    'OrderUpdated',
    'OrderFilled',
  ]);
  expectFillsMatch(m, cid);
});

test('Spot GTD: expires at its time with OrderExpired', async () => {
  const { bid } = h.best('ETH/USD');
  const events = await collect(
    h.client.submitOrder({
      clientOrderId: 's-gtd',
      instrumentId: 'ETH/USD.KRAKEN',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.01',
      price: bid.minus(50).toFixed(),
      timeInForce: 'GTD',
      expireTime: h.sim.clock.now() + 30_000,
    }),
  );
  expect(types(events)).toEqual(['OrderSubmitted', 'OrderAccepted']);
  h.relax(31_000);
  expect(await eventsOf('s-gtd', 3)).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderExpired']);
});

describe('Spot without its private socket (REST fallback)', () => {
  let r: Harness;
  beforeAll(async () => {
    r = await startHarness({
      products: ['SPOT'],
      client: { baseUrlWsSpotAuth: 'ws://127.0.0.1:1/auth/v2' },
      noConnect: true,
    });
  });
  afterAll(() => r.close());

  test('submit, amend, cancel, batch cancel and cancel all go over REST, with the same events', async () => {
    const { bid } = r.best('BTC/USD');
    const ids = ['r-1', 'r-2', 'r-3', 'r-4', 'r-5'];
    for (const [i, clientOrderId] of ids.entries()) {
      const events = await collect(
        r.client.submitOrder({
          clientOrderId,
          instrumentId: SPOT.id,
          side: 'BUY',
          type: 'LIMIT',
          quantity: '0.01',
          price: bid.minus(100 + i).toFixed(),
        }),
      );
      expect(types(events)).toEqual(['OrderSubmitted', 'OrderAccepted']);
    }
    const lower = bid.minus(200);
    const amended = await collect(
      r.client.modifyOrder({ clientOrderId: 'r-1', instrumentId: SPOT.id, price: lower.toFixed() }),
    );
    expect(amended).toEqual([expect.objectContaining({ type: 'OrderUpdated', price: lower })]);
    expect(types(await collect(r.client.cancelOrder({ clientOrderId: 'r-1', instrumentId: SPOT.id })))).toEqual([
      'OrderCanceled',
    ]);
    const batch = await collect(
      r.client.batchCancelOrders([
        { clientOrderId: 'r-2', instrumentId: SPOT.id },
        { clientOrderId: 'r-3', instrumentId: SPOT.id },
      ]),
    );
    expect(batch.map((e) => [e.type, e.clientOrderId]).sort()).toEqual([
      ['OrderCanceled', 'r-2'],
      ['OrderCanceled', 'r-3'],
    ]);
    const all = await collect(r.client.cancelAllOrders());
    expect(all.map((e) => [e.type, e.clientOrderId]).sort()).toEqual([
      ['OrderCanceled', 'r-4'],
      ['OrderCanceled', 'r-5'],
    ]);
    expect(r.sent).toEqual([]); // nothing went over a socket
    for (const call of ['AddOrder', 'AmendOrder', 'CancelOrder', 'CancelOrderBatch', 'CancelAll']) {
      expect(r.requests).toContain(`POST /0/private/${call}`);
    }
    const engineOrders = r.sim.engine.accountOrders(r.sim.accounts().spot).filter((o) => ids.includes(o.clOrdId ?? ''));
    expect(engineOrders.map((o) => o.status)).toEqual(ids.map(() => 'canceled'));
    expect(engineOrders[0].limitPrice?.toFixed()).toBe(lower.toFixed());
    // One event of each kind per order on events$ too.
    expect(r.orderEvents().filter((e) => e.type === 'OrderCanceled')).toHaveLength(5);
  });
});
