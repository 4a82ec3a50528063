/**
 * Reconciliation against the simulator: after a restart the report streams reproduce the simulator's order and
 * fill history exactly; after a reconnect a fill that happened while the socket was down reaches events$ once.
 */
import Decimal from 'decimal.js';
import { KrakenExecutionClient } from '../../src/execution';
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
    // A history on both products: resting, partially filled, filled, cancelled, expired, triggered orders.
    for (const [symbol, tick, qty] of [
      ['BTC/USD', new Decimal('0.1'), '0.02'],
      ['PF_XBTUSD', new Decimal(1), '0.02'],
    ] as const) {
      const p = symbol === 'BTC/USD' ? 's' : 'f';
      const id = `${symbol}.KRAKEN`;
      const { bid, ask } = h.best(symbol);
      await collect(
        c.submitOrder({
          clientOrderId: `${p}-rest`,
          instrumentId: id,
          side: 'BUY',
          type: 'LIMIT',
          quantity: qty,
          price: bid.minus(tick.times(50)).toFixed(),
        }),
      );
      await collect(
        c.submitOrder({ clientOrderId: `${p}-mkt`, instrumentId: id, side: 'BUY', type: 'MARKET', quantity: qty }),
      );
      await collect(
        c.submitOrder({ clientOrderId: `${p}-sell`, instrumentId: id, side: 'SELL', type: 'MARKET', quantity: qty }),
      );
      await collect(
        c.submitOrder({
          clientOrderId: `${p}-cxl`,
          instrumentId: id,
          side: 'SELL',
          type: 'LIMIT',
          quantity: qty,
          price: ask.plus(tick.times(80)).toFixed(),
        }),
      );
      await collect(c.cancelOrder({ clientOrderId: `${p}-cxl`, instrumentId: id }));
      await collect(
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
      await collect(
        c.submitOrder({
          clientOrderId: `${p}-stopx`,
          instrumentId: id,
          side: 'SELL',
          type: 'STOP_MARKET',
          quantity: qty,
          triggerPrice: bid.minus(tick.times(300)).toFixed(),
        }),
      );
      await collect(c.cancelOrder({ clientOrderId: `${p}-stopx`, instrumentId: id }));
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
      await collect(
        c.modifyOrder({ clientOrderId: `${p}-part`, instrumentId: id, price: now.bid.minus(tick.times(40)).toFixed() }),
      );
    }
    await collect(
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

  test('orderStatusReports reproduce every order the simulator holds', async () => {
    const reports = await collect(fresh.orderStatusReports());
    const engine = h.sim.engine;
    const orders = [...engine.accountOrders(h.sim.accounts().spot), ...engine.accountOrders(h.sim.accounts().futures)];
    expect(reports.map((r) => r.venueOrderId).sort()).toEqual(orders.map((o) => o.id).sort());
    for (const order of orders) {
      const report = reports.find((r) => r.venueOrderId === order.id);
      expect({
        id: order.clOrdId,
        status: report?.orderStatus,
        filled: report?.filledQty.toFixed(),
        quantity: report?.quantity.toFixed(),
      }).toEqual({
        id: report?.clientOrderId,
        status: expectedStatus(order),
        filled: order.filled.toFixed(),
        quantity: order.qty.toFixed(),
      });
    }
  });

  test('fillReports reproduce every fill (id, quantity, price, commission)', async () => {
    const reports = await collect(fresh.fillReports());
    const engine = h.sim.engine;
    const fills = [
      ...engine.accountFills(h.sim.accounts().spot).map((f) => ({ id: f.id, f })),
      ...engine.accountFills(h.sim.accounts().futures).map((f) => ({ id: f.uid, f })),
    ];
    expect(reports.map((r) => r.tradeId).sort()).toEqual(fills.map((x) => x.id).sort());
    for (const { id, f } of fills) {
      const report = reports.find((r) => r.tradeId === id);
      expect([report?.lastQty.toFixed(), report?.lastPx.toFixed(), report?.venueOrderId]).toEqual([
        f.qty.toFixed(),
        f.price.toFixed(),
        f.orderId,
      ]);
      // Spot REST writes fees at the pair's cost precision; Futures sends them as they are.
      const spot = h.sim.engine.instruments.get(f.symbol);
      const fee = spot?.venue === 'spot' ? f.fee.toDecimalPlaces(spot.costDecimals) : f.fee;
      expect([id, report?.commission.toFixed()]).toEqual([id, fee.toFixed()]);
    }
  });

  test('time bounds and instrument filter', async () => {
    const all = await collect(fresh.fillReports());
    const times = all.map((r) => r.tsEvent).sort((a, b) => a - b);
    const cut = times[Math.floor(times.length / 2)];
    const later = await collect(fresh.fillReports({ start: cut }));
    expect(later.every((r) => r.tsEvent >= cut)).toBe(true);
    expect(later).toHaveLength(all.filter((r) => r.tsEvent >= cut).length);
    const btc = await collect(fresh.orderStatusReports({ instrumentId: 'BTC/USD.KRAKEN' }));
    expect(btc.length).toBeGreaterThan(0);
    expect(btc.every((r) => r.instrumentId.toString() === 'BTC/USD.KRAKEN')).toBe(true);
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
    expect(mass.positionReports.map((p) => `${p.instrumentId.toString()} ${p.positionSide}`)).toEqual([
      'PF_XBTUSD.KRAKEN LONG',
    ]);
  });
});

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
    h.sim.faults.dropAllConnections({ group });
    h.sim.engine.syntheticTrade(symbol, 'sell', new Decimal('0.01'));
    await eventually(() => h.orderEvents('gap').filter((e) => e.type === 'OrderFilled').length >= 2, 'gap fill');
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
    h.relax(60_000);
    const requestsBefore = h.requests.length;
    const fills = await collect(h.client.fillReports());
    const spotFills = h.sim.engine.accountFills(h.sim.accounts().spot);
    const futuresFills = h.sim.engine.accountFills(h.sim.accounts().futures);
    expect(spotFills.length).toBeGreaterThan(50);
    expect(futuresFills.length).toBeGreaterThan(100);
    expect(fills.map((f) => f.tradeId).sort()).toEqual(
      [...spotFills.map((f) => f.id), ...futuresFills.map((f) => f.uid)].sort(),
    );
    const made = h.requests.slice(requestsBefore);
    expect(made.filter((r) => r === 'POST /0/private/TradesHistory').length).toBeGreaterThanOrEqual(2);
    expect(made.filter((r) => r === 'GET /derivatives/api/v3/fills').length).toBeGreaterThanOrEqual(2);
    const orders = await collect(h.client.orderStatusReports());
    expect(orders.filter((o) => o.clientOrderId?.startsWith('sp-'))).toHaveLength(60);
    expect(orders.filter((o) => o.clientOrderId?.startsWith('fp-'))).toHaveLength(110);
    expect(h.requests.filter((r) => r === 'POST /0/private/ClosedOrders').length).toBeGreaterThanOrEqual(2);
  });
});
