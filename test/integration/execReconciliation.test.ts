/**
 * Reconciliation against the simulator: after a restart the report streams reproduce the simulator's order and
 * fill history exactly; after a reconnect a fill that happened while the socket was down reaches events$ once.
 */
import Decimal from 'decimal.js';
import type { Observable } from 'rxjs';
import { KrakenExecutionClient, isOrderEvent } from '../../src/execution';
import type { OrderType } from '../../src/model/orders';
import type { OrderStatus } from '../../src/model/reports';
import type { EngineOrder } from '../../src/sim/engine/engine';
import { collect, settle, startHarness, type Harness } from '../execution/harness';

jest.setTimeout(30_000);

async function eventually(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const MODEL_TYPES: Record<EngineOrder['type'], OrderType> = {
  market: 'MARKET',
  limit: 'LIMIT',
  'stop-loss': 'STOP_MARKET',
  'stop-loss-limit': 'STOP_LIMIT',
  'take-profit': 'MARKET_IF_TOUCHED',
  'take-profit-limit': 'LIMIT_IF_TOUCHED',
};

function expectedStatus(order: EngineOrder): OrderStatus {
  switch (order.status) {
    case 'closed':
      return 'FILLED';
    case 'canceled':
      return 'CANCELED';
    case 'expired':
      return 'EXPIRED';
    default:
      return order.filled.isZero() ? 'ACCEPTED' : 'PARTIALLY_FILLED';
  }
}

describe('after a restart', () => {
  let h: Harness;
  let fresh: KrakenExecutionClient;
  beforeAll(async () => {
    h = await startHarness();
    const c = h.client;
    // Each command a few simulated seconds after the previous one, so that time bounds have something to cut.
    const step = async <T>(command: Observable<T>): Promise<T[]> => {
      const events = await collect(command);
      h.relax(3_000);
      return events;
    };
    // A history on both products: resting, partially filled, filled, cancelled, expired, triggered orders.
    for (const [symbol, tick, qty] of [
      ['BTC/USD', new Decimal('0.1'), '0.02'],
      ['PF_XBTUSD', new Decimal(1), '0.02'],
    ] as const) {
      const p = symbol === 'BTC/USD' ? 's' : 'f';
      const id = `${symbol}.KRAKEN`;
      const { bid, ask } = h.best(symbol);
      await step(
        c.submitOrder({
          clientOrderId: `${p}-rest`,
          instrumentId: id,
          side: 'BUY',
          type: 'LIMIT',
          quantity: qty,
          price: bid.minus(tick.times(50)).toFixed(),
        }),
      );
      await step(
        c.submitOrder({ clientOrderId: `${p}-mkt`, instrumentId: id, side: 'BUY', type: 'MARKET', quantity: qty }),
      );
      await step(
        c.submitOrder({ clientOrderId: `${p}-sell`, instrumentId: id, side: 'SELL', type: 'MARKET', quantity: qty }),
      );
      await step(
        c.submitOrder({
          clientOrderId: `${p}-cxl`,
          instrumentId: id,
          side: 'SELL',
          type: 'LIMIT',
          quantity: qty,
          price: ask.plus(tick.times(80)).toFixed(),
        }),
      );
      await step(c.cancelOrder({ clientOrderId: `${p}-cxl`, instrumentId: id }));
      await step(
        c.submitOrder({
          clientOrderId: `${p}-stop`,
          instrumentId: id,
          side: 'BUY',
          type: 'STOP_MARKET',
          quantity: qty,
          triggerPrice: ask.plus(tick.times(30)).toFixed(),
        }),
      );
      h.sim.engine.printTrade(symbol, ask.plus(tick.times(30)), new Decimal('0.001'), 'buy', 'market');
      // A stop cancelled before it triggered (Futures keeps it in the triggers history, not the orders history).
      await step(
        c.submitOrder({
          clientOrderId: `${p}-stopx`,
          instrumentId: id,
          side: 'SELL',
          type: 'STOP_MARKET',
          quantity: qty,
          triggerPrice: bid.minus(tick.times(300)).toFixed(),
        }),
      );
      await step(c.cancelOrder({ clientOrderId: `${p}-stopx`, instrumentId: id }));
      // Last: a resting buy partly filled by someone else's sell (no self-trade with our own market sells).
      const now = h.best(symbol);
      await collect(
        c.submitOrder({
          clientOrderId: `${p}-part`,
          instrumentId: id,
          side: 'BUY',
          type: 'LIMIT',
          quantity: qty,
          price: Decimal.min(now.bid.plus(tick), now.ask.minus(tick)).toFixed(),
        }),
      );
      h.sim.engine.syntheticTrade(symbol, 'sell', new Decimal(qty).div(2));
      // Then away from the touch, where the market makers' requotes cannot reach it.
      await step(
        c.modifyOrder({ clientOrderId: `${p}-part`, instrumentId: id, price: now.bid.minus(tick.times(40)).toFixed() }),
      );
    }
    await step(
      c.submitOrder({
        clientOrderId: 's-gtd',
        instrumentId: 'ETH/USD.KRAKEN',
        side: 'BUY',
        type: 'LIMIT',
        quantity: '0.01',
        price: '2000',
        timeInForce: 'GTD',
        expireTime: h.sim.clock.now() + 30_000,
      }),
    );
    h.relax(60_000); // the GTD order expires; rate counters decay
    await settle(200);
    await h.client.close();
    fresh = new KrakenExecutionClient(h.client.config, { httpClient: (h.client as unknown as { raw: never }).raw });
  });
  afterAll(async () => {
    await fresh.close();
    await h.close();
  });

  test('orderStatusReports reproduce every order the simulator holds, field by field', async () => {
    const reports = await collect(fresh.orderStatusReports());
    const engine = h.sim.engine;
    const orders = [...engine.accountOrders(h.sim.accounts().spot), ...engine.accountOrders(h.sim.accounts().futures)];
    expect(orders.length).toBeGreaterThanOrEqual(15);
    expect(reports.map((r) => r.venueOrderId).sort()).toEqual(orders.map((o) => o.id).sort());
    for (const order of orders) {
      const report = reports.find((r) => r.venueOrderId === order.id);
      const limitType = order.type === 'limit' || order.type.endsWith('-limit');
      expect({
        id: order.id,
        clientOrderId: report?.clientOrderId,
        instrumentId: report?.instrumentId.toString(),
        side: report?.orderSide,
        type: report?.orderType,
        status: report?.orderStatus,
        quantity: report?.quantity.toFixed(),
        filled: report?.filledQty.toFixed(),
        price: report?.price?.toFixed(),
        triggerPrice: report?.triggerPrice?.toFixed(),
        avgPx: report?.avgPx?.toFixed(),
        timeInForce: report?.timeInForce,
        expireTime: report?.expireTime,
      }).toEqual({
        id: order.id,
        clientOrderId: order.clOrdId,
        instrumentId: `${order.symbol}.KRAKEN`,
        side: order.side === 'buy' ? 'BUY' : 'SELL',
        type: order.tags.futuresType === 'mkt' ? 'MARKET' : MODEL_TYPES[order.type],
        status: expectedStatus(order),
        quantity: order.qty.toFixed(),
        filled: order.filled.toFixed(),
        price: limitType ? order.limitPrice?.toFixed() : undefined,
        triggerPrice: order.triggerPrice?.toFixed(),
        // Kraken Futures order history carries no average price (the fill reports have the prices).
        avgPx: order.filled.isZero() || order.venue === 'futures' ? undefined : order.cost.div(order.filled).toFixed(),
        timeInForce: order.timeInForce,
        expireTime: order.expireTime,
      });
    }
  });

  test('fillReports reproduce every fill, field by field', async () => {
    const reports = await collect(fresh.fillReports());
    const engine = h.sim.engine;
    const fills = [
      ...engine.accountFills(h.sim.accounts().spot).map((f) => ({ id: f.id, f })),
      ...engine.accountFills(h.sim.accounts().futures).map((f) => ({ id: f.uid, f })),
    ];
    expect(fills.length).toBeGreaterThanOrEqual(8);
    expect(reports.map((r) => r.tradeId).sort()).toEqual(fills.map((x) => x.id).sort());
    for (const { id, f } of fills) {
      const report = reports.find((r) => r.tradeId === id);
      const instrument = engine.instruments.get(f.symbol);
      const spot = instrument?.venue === 'spot';
      // Spot REST writes fees at the pair's cost precision; Futures sends them as they are.
      const fee = instrument?.venue === 'spot' ? f.fee.toDecimalPlaces(instrument.costDecimals) : f.fee;
      expect({
        id,
        venueOrderId: report?.venueOrderId,
        // Futures /fills echoes the cliOrdId; Spot TradesHistory has no client order id.
        clientOrderId: report?.clientOrderId,
        instrumentId: report?.instrumentId.toString(),
        side: report?.orderSide,
        lastQty: report?.lastQty.toFixed(),
        lastPx: report?.lastPx.toFixed(),
        commission: report?.commission.toFixed(),
        commissionCurrency: report?.commissionCurrency,
        liquiditySide: report?.liquiditySide,
        tsEvent: report?.tsEvent,
      }).toEqual({
        id,
        venueOrderId: f.orderId,
        clientOrderId: spot ? undefined : f.clOrdId,
        instrumentId: `${f.symbol}.KRAKEN`,
        side: f.side === 'buy' ? 'BUY' : 'SELL',
        lastQty: f.qty.toFixed(),
        lastPx: f.price.toFixed(),
        commission: fee.toFixed(),
        commissionCurrency: 'USD',
        liquiditySide: f.liquidity === 'maker' ? 'MAKER' : 'TAKER',
        tsEvent: f.time,
      });
    }
  });

  test('start/end bounds: fills in the window exactly, orders alive in it', async () => {
    const engine = h.sim.engine;
    const fills = [
      ...engine.accountFills(h.sim.accounts().spot).map((f) => ({ id: f.id, time: f.time })),
      ...engine.accountFills(h.sim.accounts().futures).map((f) => ({ id: f.uid, time: f.time })),
    ];
    const times = [...new Set(fills.map((f) => f.time))].sort((a, b) => a - b);
    expect(times.length).toBeGreaterThanOrEqual(6); // the history is spread over time
    const start = times[1];
    const end = times[times.length - 2];
    const fillsIn = (s?: number, e?: number) =>
      fills
        .filter((f) => (s === undefined || f.time >= s) && (e === undefined || f.time <= e))
        .map((f) => f.id)
        .sort();
    const ids = (reports: readonly { tradeId: string }[]) => reports.map((r) => r.tradeId).sort();
    expect(ids(await collect(fresh.fillReports({ start })))).toEqual(fillsIn(start));
    expect(ids(await collect(fresh.fillReports({ end })))).toEqual(fillsIn(undefined, end));
    expect(ids(await collect(fresh.fillReports({ start, end: new Date(end) })))).toEqual(fillsIn(start, end));
    expect(fillsIn(start, end).length).toBeLessThan(fills.length);

    // Orders: every order with an event in the window, and every order still open that was placed by its end.
    const orders = [...engine.accountOrders(h.sim.accounts().spot), ...engine.accountOrders(h.sim.accounts().futures)];
    const orderTimes = [...new Set(orders.map((o) => o.openTime))].sort((a, b) => a - b);
    const oStart = orderTimes[2];
    const oEnd = orderTimes[orderTimes.length - 3];
    const within = (t: number | undefined) => t !== undefined && t >= oStart && t <= oEnd;
    const expected = orders
      .filter(
        (o) =>
          within(o.openTime) ||
          within(o.closeTime) ||
          (o.closeTime === undefined && o.openTime <= oEnd) ||
          o.tradeIds.some((id) => within(engine.accountFills(o.accountId).find((f) => f.id === id)?.time)),
      )
      .map((o) => o.id)
      .sort();
    const reported = await collect(fresh.orderStatusReports({ start: oStart, end: oEnd }));
    expect(reported.map((r) => r.venueOrderId).sort()).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(orders.length);
  });

  test('instrument filter and openOnly', async () => {
    const btc = await collect(fresh.orderStatusReports({ instrumentId: 'BTC/USD.KRAKEN' }));
    const engineBtc = h.sim.engine.accountOrders(h.sim.accounts().spot).filter((o) => o.symbol === 'BTC/USD');
    expect(btc.map((r) => r.venueOrderId).sort()).toEqual(engineBtc.map((o) => o.id).sort());
    const futFills = await collect(fresh.fillReports({ instrumentId: 'PF_XBTUSD.KRAKEN' }));
    expect(futFills.map((r) => r.tradeId).sort()).toEqual(
      h.sim.engine
        .accountFills(h.sim.accounts().futures)
        .map((f) => f.uid)
        .sort(),
    );
    const open = await collect(fresh.orderStatusReports({ openOnly: true }));
    expect(open.map((r) => r.clientOrderId).sort()).toEqual(['f-part', 'f-rest', 's-part', 's-rest']);
  });

  test('massStatus bundles orders, fills and positions', async () => {
    const status = await collect(fresh.massStatus());
    expect(status).toHaveLength(1);
    const [mass] = status;
    expect(mass.venue).toBe('KRAKEN');
    expect(mass.orderReports.length).toBeGreaterThan(0);
    expect(mass.fillReports.length).toBeGreaterThan(0);
    // Spot TradesHistory has no client order id: massStatus takes it from the order reports.
    const engineFills = [
      ...h.sim.engine.accountFills(h.sim.accounts().spot).map((f) => [f.id, f.clOrdId]),
      ...h.sim.engine.accountFills(h.sim.accounts().futures).map((f) => [f.uid, f.clOrdId]),
    ];
    expect(mass.fillReports.map((f) => [f.tradeId, f.clientOrderId]).sort()).toEqual(engineFills.sort());
    // Futures order history has no average price: massStatus takes it from the order's fills.
    const engineOrders = h.sim.engine.accountOrders(h.sim.accounts().futures).filter((o) => !o.filled.isZero());
    expect(engineOrders.length).toBeGreaterThan(0);
    for (const order of engineOrders) {
      const report = mass.orderReports.find((r) => r.venueOrderId === order.id);
      expect([order.id, report?.avgPx?.toFixed()]).toEqual([order.id, order.cost.div(order.filled).toFixed()]);
    }
    expect(mass.positionReports.map((p) => `${p.instrumentId.toString()} ${p.positionSide}`)).toEqual([
      'PF_XBTUSD.KRAKEN LONG',
    ]);
  });
});

/** Open sockets of a group at the simulator (its server is not public API: read for the test). */
function simSockets(h: Harness, group: string): number {
  const server = (h.sim as unknown as { server: { socketsOf(group: string): { isOpen(): boolean }[] } }).server;
  return server.socketsOf(group).filter((s) => s.isOpen()).length;
}

describe('after a reconnect', () => {
  let h: Harness;
  afterEach(() => h.close());

  test.each([
    ['Spot', 'BTC/USD', 'spot-auth', new Decimal('0.1')],
    ['Futures', 'PF_XBTUSD', 'futures', new Decimal(1)],
  ] as const)('%s: a fill while the socket was down reaches events$ exactly once', async (_n, symbol, group, tick) => {
    h = await startHarness({ products: [symbol === 'BTC/USD' ? 'SPOT' : 'FUTURES'] });
    const id = `${symbol}.KRAKEN`;
    const { bid } = h.best(symbol);
    // One fill before the drop (it will be in the reconnect snapshot again), one during the gap.
    await collect(
      h.client.submitOrder({
        clientOrderId: 'gap',
        instrumentId: id,
        side: 'BUY',
        type: 'LIMIT',
        quantity: '0.04',
        price: bid.plus(tick).toFixed(),
      }),
    );
    h.sim.engine.syntheticTrade(symbol, 'sell', new Decimal('0.01'));
    await eventually(() => h.orderEvents('gap').filter((e) => e.type === 'OrderFilled').length === 1, 'first fill');
    // The private feed the fill would come on: how often the client has subscribed to it.
    const feed = symbol === 'BTC/USD' ? 'executions' : 'fills';
    expect(h.subscriptionsTo(feed)).toBe(1);
    let subscriptionsAtGapFill: number | undefined;
    const watch = h.client.events$.subscribe((e) => {
      if (isOrderEvent(e) && e.type === 'OrderFilled' && e.clientOrderId === 'gap')
        subscriptionsAtGapFill ??= h.subscriptionsTo(feed);
    });
    expect(simSockets(h, group)).toBeGreaterThan(0);
    h.sim.faults.dropAllConnections({ group });
    // Down for real: the simulator holds no socket of the group when the fill happens, so nothing can carry it.
    expect(simSockets(h, group)).toBe(0);
    h.sim.engine.syntheticTrade(symbol, 'sell', new Decimal('0.01'));
    await eventually(() => h.orderEvents('gap').filter((e) => e.type === 'OrderFilled').length >= 2, 'gap fill');
    watch.unsubscribe();
    expect(subscriptionsAtGapFill).toBe(2); // it came after the client had reconnected and subscribed again
    await settle(300);
    const fills = h.orderEvents('gap').filter((e) => e.type === 'OrderFilled');
    const account = symbol === 'BTC/USD' ? h.sim.accounts().spot : h.sim.accounts().futures;
    const engineFills = h.sim.engine.accountFills(account);
    expect(fills.map((f) => f.type === 'OrderFilled' && f.tradeId)).toEqual(
      engineFills.map((f) => (symbol === 'BTC/USD' ? f.id : f.uid)),
    );
    // And the stream still works after the reconnect.
    h.sim.engine.syntheticTrade(symbol, 'sell', new Decimal('0.02'));
    await eventually(() => h.orderEvents('gap').filter((e) => e.type === 'OrderFilled').length === 3, 'third fill');
  });

  test('Spot: an order cancelled while the socket was down is reported cancelled once', async () => {
    h = await startHarness({ products: ['SPOT'] });
    const { bid } = h.best('BTC/USD');
    const submitted = await collect(
      h.client.submitOrder({
        clientOrderId: 'gone',
        instrumentId: 'BTC/USD.KRAKEN',
        side: 'BUY',
        type: 'LIMIT',
        quantity: '0.01',
        price: bid.minus(10).toFixed(),
      }),
    );
    const venueId = submitted[1].venueOrderId as string;
    h.sim.faults.dropAllConnections({ group: 'spot-auth' });
    h.sim.engine.cancelOrder(h.sim.accounts().spot, venueId, 'Admin');
    await eventually(() => h.orderEvents('gone').some((e) => e.type === 'OrderCanceled'), 'gap cancel');
    await settle(200);
    expect(h.orderEvents('gone').filter((e) => e.type === 'OrderCanceled')).toEqual([
      expect.objectContaining({ reason: 'Admin' }),
    ]);
  });

  test('Futures: a stop cancelled while the socket was down is reported cancelled once', async () => {
    h = await startHarness({ products: ['FUTURES'] });
    const { ask } = h.best('PF_XBTUSD');
    const submitted = await collect(
      h.client.submitOrder({
        clientOrderId: 'stop-gone',
        instrumentId: 'PF_XBTUSD.KRAKEN',
        side: 'BUY',
        type: 'STOP_MARKET',
        quantity: '0.01',
        triggerPrice: ask.plus(500).toFixed(),
      }),
    );
    const venueId = submitted[1].venueOrderId as string;
    h.sim.faults.dropAllConnections({ group: 'futures' });
    h.sim.engine.cancelOrder(h.sim.accounts().futures, venueId);
    await eventually(() => h.orderEvents('stop-gone').some((e) => e.type === 'OrderCanceled'), 'gap cancel');
    await settle(200);
    expect(h.orderEvents('stop-gone').filter((e) => e.type === 'OrderCanceled')).toHaveLength(1);
  });
});

/** `n` small PF_XBTUSD market orders placed at the simulator beside the client, `msApart` simulated ms apart. */
function placeBeside(h: Harness, n: number, options: { prefix?: string; msApart: number }): void {
  for (let i = 0; i < n; i++) {
    const placed = h.sim.engine.submitOrder(h.sim.accounts().futures, {
      symbol: 'PF_XBTUSD',
      side: i % 2 ? 'sell' : 'buy',
      type: 'market',
      qty: new Decimal('0.0001'),
      ...(options.prefix !== undefined ? { clOrdId: `${options.prefix}-${i}` } : {}),
    });
    if (!placed.ok) throw new Error(placed.code);
    if (options.msApart > 0) h.sim.clock.advance(options.msApart);
  }
}

describe('paging to the end', () => {
  let h: Harness;
  afterAll(() => h.close());

  test('Spot TradesHistory and ClosedOrders over several pages; Futures /fills back with lastFillTime', async () => {
    h = await startHarness();
    for (let i = 0; i < 60; i++) {
      await collect(
        h.client.submitOrder({
          clientOrderId: `sp-${i}`,
          instrumentId: 'BTC/USD.KRAKEN',
          side: i % 2 ? 'SELL' : 'BUY',
          type: 'MARKET',
          quantity: '0.0005',
        }),
      );
    }
    for (let i = 0; i < 110; i++) {
      if (i > 0 && i % 40 === 0) h.relax(10_000);
      await collect(
        h.client.submitOrder({
          clientOrderId: `fp-${i}`,
          instrumentId: 'PF_XBTUSD.KRAKEN',
          side: i % 2 ? 'SELL' : 'BUY',
          type: 'MARKET',
          quantity: '0.0001',
        }),
      );
    }
    // More Futures history than one History page holds (500 events): orders placed beside the client.
    placeBeside(h, 200, { prefix: 'fd', msApart: 7 });
    h.relax(60_000);
    const requestsBefore = h.requests.length;
    const fills = await collect(h.client.fillReports());
    const spotFills = h.sim.engine.accountFills(h.sim.accounts().spot);
    const futuresFills = h.sim.engine.accountFills(h.sim.accounts().futures);
    expect(spotFills.length).toBeGreaterThan(50);
    expect(futuresFills.length).toBeGreaterThan(300);
    expect(fills.map((f) => f.tradeId).sort()).toEqual(
      [...spotFills.map((f) => f.id), ...futuresFills.map((f) => f.uid)].sort(),
    );
    const made = h.requests.slice(requestsBefore);
    expect(made.filter((r) => r === 'POST /0/private/TradesHistory').length).toBeGreaterThanOrEqual(2);
    expect(made.filter((r) => r === 'GET /derivatives/api/v3/fills').length).toBeGreaterThanOrEqual(4);
    const orders = await collect(h.client.orderStatusReports());
    expect(orders.filter((o) => o.clientOrderId?.startsWith('sp-'))).toHaveLength(60);
    expect(orders.filter((o) => o.clientOrderId?.startsWith('fp-'))).toHaveLength(110);
    expect(orders.filter((o) => o.clientOrderId?.startsWith('fd-'))).toHaveLength(200);
    expect(orders.map((o) => o.venueOrderId).sort()).toEqual(
      [...h.sim.engine.accountOrders(h.sim.accounts().spot), ...h.sim.engine.accountOrders(h.sim.accounts().futures)]
        .map((o) => o.id)
        .sort(),
    );
    const paged = h.requests.slice(requestsBefore);
    expect(paged.filter((r) => r === 'POST /0/private/ClosedOrders').length).toBeGreaterThanOrEqual(2);
    expect(paged.filter((r) => /^GET \/api\/history\/v\d\/orders$/.test(r)).length).toBeGreaterThanOrEqual(2);
  });

  test('Futures /fills: a page of fills all in one millisecond is paged past, older fills kept, and said', async () => {
    const older = h.sim.engine.accountFills(h.sim.accounts().futures).map((f) => f.uid);
    placeBeside(h, 130, { msApart: 0 });
    h.relax(60_000);
    const burst = h.sim.engine
      .accountFills(h.sim.accounts().futures)
      .map((f) => f.uid)
      .filter((id) => !older.includes(id));
    expect(burst).toHaveLength(130);
    const errorsBefore = h.errors.length;
    const reported = new Set(
      (await collect(h.client.fillReports({ instrumentId: 'PF_XBTUSD.KRAKEN' }))).map((f) => f.tradeId),
    );
    // Kraken answers the newest 100 of that millisecond; the 30 beyond cannot be reached with lastFillTime.
    expect(burst.filter((id) => reported.has(id))).toHaveLength(100);
    expect(older.filter((id) => !reported.has(id))).toEqual([]);
    expect(h.errors.slice(errorsBefore).map((e) => e.message)).toEqual([
      expect.stringMatching(/100 fills at .* fill a whole page/),
    ]);
  });
});
