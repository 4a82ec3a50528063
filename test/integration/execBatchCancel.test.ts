/**
 * Batch cancel of 120 orders: three requests of at most 50 (Spot `batch_cancel`, Futures `batchorder`), one
 * `OrderCanceled` per order; and cancel-all.
 */
import Decimal from 'decimal.js';
import type { CancelOrder } from '../../src/model/orders';
import { collect, startHarness, type Harness } from '../execution/harness';

jest.setTimeout(30_000);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function placeMany(
  symbol: string,
  prefix: string,
  n: number,
  tick: Decimal,
  quantity = '0.001',
): Promise<CancelOrder[]> {
  const { bid } = h.best(symbol);
  const cancels: CancelOrder[] = [];
  for (let i = 0; i < n; i++) {
    if (symbol.startsWith('PF_') && i > 0 && i % 40 === 0) h.relax(10_000); // the Futures cost budget refills
    const clientOrderId = `${prefix}-${i}`;
    const events = await collect(
      h.client.submitOrder({
        clientOrderId,
        instrumentId: `${symbol}.KRAKEN`,
        side: 'BUY',
        type: 'LIMIT',
        quantity,
        price: bid.minus(tick.times(100 + i)).toFixed(),
      }),
    );
    expect(events.map((e) => ('reason' in e ? `${e.type}: ${e.reason}` : e.type))).toEqual([
      'OrderSubmitted',
      'OrderAccepted',
    ]);
    cancels.push({ clientOrderId, instrumentId: `${symbol}.KRAKEN` });
  }
  return cancels;
}

test('Spot: 120 orders cancelled in three batch_cancel requests (50, 50, 20)', async () => {
  const cancels = await placeMany('BTC/USD', 'sb', 120, new Decimal('0.1'));
  const events = await collect(h.client.batchCancelOrders(cancels));
  expect(events).toHaveLength(120);
  expect(new Set(events.map((e) => e.type))).toEqual(new Set(['OrderCanceled']));
  expect(new Set(events.map((e) => e.clientOrderId))).toEqual(new Set(cancels.map((c) => c.clientOrderId)));
  const batches = h.sent.filter((f) => f.method === 'batch_cancel');
  expect(batches.map((f) => ((f.params as { orders: string[] }).orders ?? []).length)).toEqual([50, 50, 20]);
  const open = h.sim.engine.openOrders(h.sim.accounts().spot).filter((o) => o.clOrdId?.startsWith('sb-'));
  expect(open).toHaveLength(0);
  // Exactly one OrderCanceled per order on events$ too (command answer and stream agree).
  const canceled = h.orderEvents().filter((e) => e.type === 'OrderCanceled' && e.clientOrderId.startsWith('sb-'));
  expect(canceled).toHaveLength(120);
});

test('Futures: 120 orders cancelled in three batchorder requests', async () => {
  h.relax(60_000);
  const cancels = await placeMany('PF_XBTUSD', 'fb', 120, new Decimal(1));
  h.relax(10_000);
  const before = h.requests.filter((r) => r.endsWith('/batchorder')).length;
  const events = await collect(h.client.batchCancelOrders({ cancels }));
  expect(events).toHaveLength(120);
  expect(new Set(events.map((e) => e.type))).toEqual(new Set(['OrderCanceled']));
  expect(h.requests.filter((r) => r.endsWith('/batchorder')).length - before).toBe(3);
  const open = h.sim.engine.openOrders(h.sim.accounts().futures).filter((o) => o.clOrdId?.startsWith('fb-'));
  expect(open).toHaveLength(0);
  expect(h.orderEvents().filter((e) => e.type === 'OrderCanceled' && e.clientOrderId.startsWith('fb-'))).toHaveLength(
    120,
  );
});

test('cancelAllOrders: Spot cancel_all for every symbol; Futures per instrument', async () => {
  h.relax(600_000); // 120 fresh cancels weigh heavily on the per-pair trading counter
  const spotIds = [
    ...(await placeMany('BTC/USD', 'ca-btc', 3, new Decimal('0.1'))),
    ...(await placeMany('ETH/USD', 'ca-eth', 2, new Decimal('0.01'), '0.01')),
  ].map((c) => c.clientOrderId);
  const futIds = (await placeMany('PF_XBTUSD', 'ca-f', 3, new Decimal(1))).map((c) => c.clientOrderId);

  const spot = await collect(h.client.cancelAllOrders());
  expect(new Set(spot.map((e) => e.clientOrderId))).toEqual(new Set(spotIds));
  expect(new Set(spot.map((e) => e.type))).toEqual(new Set(['OrderCanceled']));
  expect(h.sent.filter((f) => f.method === 'cancel_all')).toHaveLength(1);

  const fut = await collect(h.client.cancelAllOrders({ instrumentId: 'PF_XBTUSD.KRAKEN' }));
  expect(new Set(fut.map((e) => e.clientOrderId))).toEqual(new Set(futIds));
  expect(new Set(fut.map((e) => e.type))).toEqual(new Set(['OrderCanceled']));
  expect(h.requests.filter((r) => r.endsWith('/cancelallorders'))).toHaveLength(1);
  expect(h.sim.engine.openOrders(h.sim.accounts().spot)).toHaveLength(0);
  expect(h.sim.engine.openOrders(h.sim.accounts().futures)).toHaveLength(0);
});
