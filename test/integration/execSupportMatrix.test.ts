/**
 * Every row of the support matrix, on both products, against the simulator: a supported feature is sent and
 * accepted by Kraken (the simulator); an unsupported one is denied locally, never sent, with a reason that says
 * what to use instead.
 */
import Decimal from 'decimal.js';
import { KrakenExecutionClient, SUPPORT_MATRIX, isOrderEvent, type SupportRow } from '../../src/execution';
import type { KrakenRawHttpClient } from '../../src/http/KrakenRawHttpClient';
import { krakenClientOrderId } from '../../src/kraken/spot/orderParams';
import type { OrderEvent } from '../../src/model/events';
import type { KrakenProductType } from '../../src/model/identifiers';
import type { SubmitOrder } from '../../src/model/orders';
import type { EngineOrder } from '../../src/sim/engine/engine';
import { collect, settle, startHarness, type Harness } from '../execution/harness';

jest.setTimeout(30_000);

let h: Harness;
let n = 0;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
afterEach(() => h.relax(30_000));

const MARKETS: Record<KrakenProductType, { symbol: string; tick: Decimal; qty: string }> = {
  SPOT: { symbol: 'BTC/USD', tick: new Decimal('0.1'), qty: '0.01' },
  FUTURES: { symbol: 'PF_XBTUSD', tick: new Decimal(1), qty: '0.01' },
};

/** An order exercising one row: resting (or, for IOC and MARKET, executing) so that Kraken accepts it. */
function orderFor(row: SupportRow, product: KrakenProductType): SubmitOrder {
  const m = MARKETS[product];
  const { bid, ask } = h.best(m.symbol);
  const base = { clientOrderId: `mx-${++n}`, instrumentId: `${m.symbol}.KRAKEN`, quantity: m.qty };
  const far = bid.minus(m.tick.times(200)).toFixed();
  const above = ask.plus(m.tick.times(200)).toFixed();
  const below = bid.minus(m.tick.times(200)).toFixed();
  const limit: SubmitOrder = { ...base, side: 'BUY', type: 'LIMIT', price: far };
  switch (row.dimension) {
    case 'orderType':
      switch (row.value) {
        case 'MARKET':
          return { ...base, side: 'BUY', type: 'MARKET' };
        case 'LIMIT':
          return limit;
        case 'STOP_MARKET':
          return { ...base, side: 'BUY', type: 'STOP_MARKET', triggerPrice: above };
        case 'STOP_LIMIT':
          return { ...base, side: 'BUY', type: 'STOP_LIMIT', triggerPrice: above, price: above };
        case 'MARKET_IF_TOUCHED':
          return { ...base, side: 'BUY', type: 'MARKET_IF_TOUCHED', triggerPrice: below };
        default:
          return { ...base, side: 'BUY', type: 'LIMIT_IF_TOUCHED', triggerPrice: below, price: below };
      }
    case 'timeInForce':
      switch (row.value) {
        case 'GTD':
          return { ...limit, timeInForce: 'GTD', expireTime: h.sim.clock.now() + 3_600_000 };
        case 'IOC':
          return { ...limit, price: ask.toFixed(), timeInForce: 'IOC' };
        default:
          return { ...limit, timeInForce: row.value as 'GTC' | 'FOK' };
      }
    case 'postOnly':
      return { ...limit, postOnly: true };
    case 'reduceOnly':
      return { ...base, side: 'SELL', type: 'LIMIT', price: ask.plus(m.tick.times(200)).toFixed(), reduceOnly: true };
    case 'triggerType':
      return {
        ...base,
        side: 'BUY',
        type: 'STOP_MARKET',
        triggerPrice: above,
        triggerType: row.value as 'LAST' | 'MARK' | 'INDEX',
      };
    case 'quoteQuantity':
      return { ...base, side: 'BUY', type: 'MARKET', quantity: '100', quoteQuantity: true };
  }
}

const cases = SUPPORT_MATRIX.flatMap((row) =>
  (['SPOT', 'FUTURES'] as const).map(
    (product) => [`${row.dimension} ${row.value} on ${product}`, row, product] as const,
  ),
);

test.each(cases)('%s', async (_name, row, product) => {
  if (row.dimension === 'reduceOnly' && product === 'FUTURES') {
    // Reduce-only needs a position to reduce.
    await collect(
      h.client.submitOrder({
        clientOrderId: `pos-${++n}`,
        instrumentId: 'PF_XBTUSD.KRAKEN',
        side: 'BUY',
        type: 'MARKET',
        quantity: '0.01',
      }),
    );
  }
  const cmd = orderFor(row, product);
  const sentBefore = h.sent.length;
  const requestsBefore = h.requests.length;
  const events = await collect(h.client.submitOrder(cmd));
  const support = row[product];
  const atVenue = atSimulator(cmd.clientOrderId);
  if (support.supported) {
    expect(events.map((e) => ('reason' in e ? `${e.type}: ${e.reason}` : e.type))).toEqual([
      'OrderSubmitted',
      'OrderAccepted',
    ]);
    // Placed once, and as the row says it maps on the wire.
    expect(atVenue).toHaveLength(1);
    expect(events[1].venueOrderId).toBe(atVenue[0].id);
    expect(placedAs(atVenue[0], product)).toEqual(expect.objectContaining(expectedWire(row, product, cmd)));
  } else {
    expect(events).toEqual([expect.objectContaining({ type: 'OrderDenied' })]);
    const [denied] = events;
    expect(denied.type === 'OrderDenied' && denied.reason).toContain(`use ${support.instead}`);
    expect(h.sent.length).toBe(sentBefore);
    expect(h.requests.length).toBe(requestsBefore);
    expect(atVenue).toEqual([]);
  }
});

/** Orders with this client order id at the simulator, on both products. */
function atSimulator(clientOrderId: string): EngineOrder[] {
  const { spot, futures } = h.sim.accounts();
  return [...h.sim.engine.accountOrders(spot), ...h.sim.engine.accountOrders(futures)].filter(
    (o) => o.clOrdId === clientOrderId,
  );
}

/** What the simulator made of an order: Spot's order type, or the Futures orderType it was sent as. */
function placedAs(order: EngineOrder, product: KrakenProductType): Record<string, unknown> {
  return {
    type: product === 'FUTURES' ? (order.tags as { futuresType?: string }).futuresType : order.type,
    timeInForce: order.timeInForce,
    expireTime: order.expireTime,
    postOnly: order.postOnly,
    reduceOnly: order.reduceOnly,
    triggerReference: order.triggerReference,
    triggerPrice: order.triggerPrice?.toFixed(),
    limitPrice: order.type === 'market' ? undefined : order.limitPrice?.toFixed(),
    quantityInBase: order.qty.lt(1),
  };
}

/** The wire semantics a row promises, as `placedAs` reads them. */
function expectedWire(row: SupportRow, product: KrakenProductType, cmd: SubmitOrder): Record<string, unknown> {
  const spot = product === 'SPOT';
  const types: Record<string, [string, string]> = {
    MARKET: ['market', 'mkt'],
    LIMIT: ['limit', 'lmt'],
    STOP_MARKET: ['stop-loss', 'stp'],
    STOP_LIMIT: ['stop-loss-limit', 'stp'],
    MARKET_IF_TOUCHED: ['take-profit', 'take_profit'],
    LIMIT_IF_TOUCHED: ['take-profit-limit', 'take_profit'],
  };
  let type = types[cmd.type][spot ? 0 : 1];
  if (!spot && cmd.postOnly) type = 'post';
  if (!spot && cmd.timeInForce === 'IOC') type = 'ioc';
  const wire: Record<string, unknown> = { type, postOnly: cmd.postOnly === true, reduceOnly: cmd.reduceOnly === true };
  if (spot || cmd.type !== 'MARKET') wire.timeInForce = cmd.timeInForce ?? 'GTC';
  if (cmd.timeInForce === 'GTD') wire.expireTime = Math.floor((cmd.expireTime as number) / 1000) * 1000;
  if (cmd.triggerPrice !== undefined) {
    wire.triggerPrice = new Decimal(cmd.triggerPrice).toFixed();
    wire.triggerReference = (cmd.triggerType ?? 'LAST').toLowerCase();
  }
  if (cmd.price !== undefined) wire.limitPrice = new Decimal(cmd.price).toFixed();
  if (row.dimension === 'quoteQuantity') wire.quantityInBase = true; // 100 USD bought as a fraction of a BTC
  return wire;
}

test('the combination rules deny with what to do instead', async () => {
  const far = h.best('BTC/USD').bid.minus(100).toFixed();
  const base = { instrumentId: 'BTC/USD.KRAKEN', side: 'BUY' as const, quantity: '0.01' };
  const denied = async (cmd: Omit<SubmitOrder, 'clientOrderId'>) => {
    const [event] = await collect(h.client.submitOrder({ ...cmd, clientOrderId: `deny-${++n}` } as SubmitOrder));
    expect(event.type).toBe('OrderDenied');
    return event.type === 'OrderDenied' ? event.reason : '';
  };
  expect(await denied({ ...base, type: 'MARKET', timeInForce: 'IOC' })).toMatch(/IOC applies to limit-type orders/);
  expect(await denied({ ...base, type: 'LIMIT', price: far, timeInForce: 'GTD' })).toMatch(/GTD requires expireTime/);
  expect(await denied({ ...base, type: 'STOP_MARKET', triggerPrice: far, postOnly: true })).toMatch(
    /postOnly applies to LIMIT orders only/,
  );
  expect(await denied({ ...base, type: 'LIMIT', price: far, triggerType: 'LAST' })).toMatch(
    /triggerType applies to stop/,
  );
  expect(await denied({ ...base, type: 'LIMIT' })).toMatch(/needs a price/);
  expect(await denied({ ...base, type: 'MARKET', price: far })).toMatch(/takes no price; remove it, or use LIMIT/);
  expect(await denied({ ...base, type: 'LIMIT', price: far, quantity: '-1' })).toMatch(/quantity must be a positive/);
  expect(
    await denied({
      ...base,
      instrumentId: 'PF_XBTUSD.KRAKEN',
      type: 'STOP_LIMIT',
      triggerPrice: '1',
      price: '1',
      timeInForce: 'IOC',
    }),
  ).toMatch(/IOC on Kraken Futures applies to LIMIT orders only/);
  expect(await denied({ ...base, instrumentId: 'NOPE/USD.KRAKEN', type: 'MARKET' })).toMatch(
    /Kraken lists no instrument/,
  );
});

test('client order ids Kraken would refuse are mapped; events carry the caller id', async () => {
  const long = 'strategy-alpha/leg-2/order-000042';
  const { bid } = h.best('BTC/USD');
  const events = await collect(
    h.client.submitOrder({
      clientOrderId: long,
      instrumentId: 'BTC/USD.KRAKEN',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.01',
      price: bid.minus(100).toFixed(),
    }),
  );
  expect(events.map((e) => [e.type, e.clientOrderId])).toEqual([
    ['OrderSubmitted', long],
    ['OrderAccepted', long],
  ]);
  const placed = h.sim.engine.order(events[1].venueOrderId as string);
  expect(placed?.clOrdId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const reports = await collect(h.client.orderStatusReports({ openOnly: true }));
  expect(reports.find((r) => r.venueOrderId === placed?.id)?.clientOrderId).toBe(long);
  const canceled = await collect(h.client.cancelOrder({ clientOrderId: long, instrumentId: 'BTC/USD.KRAKEN' }));
  expect(canceled).toEqual([expect.objectContaining({ type: 'OrderCanceled', clientOrderId: long })]);
});

test('after a restart: a mapped id reads back as its UUID until registered; cancelling by the original id works', async () => {
  const spotId = 'restart/strategy-alpha/order-000001';
  const futId = 'restart/strategy-alpha/order-000002';
  const { bid } = h.best('BTC/USD');
  const fBid = h.best('PF_XBTUSD').bid;
  const base = { side: 'BUY' as const, type: 'LIMIT' as const, quantity: '0.01' };
  await collect(
    h.client.submitOrder({
      ...base,
      clientOrderId: spotId,
      instrumentId: 'BTC/USD.KRAKEN',
      price: bid.minus(150).toFixed(),
    }),
  );
  await collect(
    h.client.submitOrder({
      ...base,
      clientOrderId: futId,
      instrumentId: 'PF_XBTUSD.KRAKEN',
      price: fBid.minus(150).toFixed(),
    }),
  );
  const raw = (h.client as unknown as { raw: KrakenRawHttpClient }).raw;
  const fresh = new KrakenExecutionClient(h.client.config, { httpClient: raw });
  const events: OrderEvent[] = [];
  fresh.events$.subscribe((e) => {
    if (isOrderEvent(e)) events.push(e);
  });
  try {
    await fresh.connect();
    const spotVenueId = atSimulator(krakenClientOrderId(spotId))[0].id;
    const reportOf = async () =>
      (await collect(fresh.orderStatusReports({ openOnly: true }))).find((r) => r.venueOrderId === spotVenueId);
    expect((await reportOf())?.clientOrderId).toBe(krakenClientOrderId(spotId));
    fresh.registerClientOrderIds(spotId);
    expect((await reportOf())?.clientOrderId).toBe(spotId);
    // Not registered, addressed by the original id: found under its UUID, cancelled once, named as the caller
    // names it — one OrderCanceled, with Kraken's order id.
    const futVenueId = atSimulator(krakenClientOrderId(futId))[0].id;
    const canceled = await collect(fresh.cancelOrder({ clientOrderId: futId, instrumentId: 'PF_XBTUSD.KRAKEN' }));
    expect(canceled).toEqual([
      expect.objectContaining({ type: 'OrderCanceled', clientOrderId: futId, venueOrderId: futVenueId }),
    ]);
    await collect(fresh.cancelOrder({ clientOrderId: spotId, instrumentId: 'BTC/USD.KRAKEN' }));
    await settle(100);
    expect(events.filter((e) => e.type === 'OrderCanceled').map((e) => [e.clientOrderId, e.venueOrderId])).toEqual([
      [futId, futVenueId],
      [spotId, spotVenueId],
    ]);
    expect(atSimulator(krakenClientOrderId(futId))[0].status).toBe('canceled');
  } finally {
    await fresh.close();
  }
});
