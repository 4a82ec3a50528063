import Decimal from 'decimal.js';
import { VirtualTimeScheduler } from 'rxjs';
import { InstrumentId } from '../../src/model/identifiers';
import type { OrderEvent } from '../../src/model/events';
import { OrderTracker, type FillFact, type TrackedOrder } from '../../src/execution/orderTracker';

const d = (v: string) => new Decimal(v);

function setup() {
  const tracker = new OrderTracker('ACC', new VirtualTimeScheduler());
  const events: OrderEvent[] = [];
  tracker.changes$.subscribe(({ event }) => events.push(event));
  const order = (over: Partial<Parameters<OrderTracker['track']>[0]> = {}): TrackedOrder =>
    tracker.track({
      clientOrderId: 'c1',
      venueClientOrderId: 'c1',
      product: 'SPOT',
      instrumentId: InstrumentId.from('BTC/USD.KRAKEN'),
      side: 'BUY',
      type: 'LIMIT',
      quantity: d('2'),
      price: d('100'),
      ours: true,
      ts: 1,
      ...over,
    });
  const fill = (tradeId: string, qty: string): FillFact => ({
    kind: 'fill',
    tradeId,
    lastQty: d(qty),
    lastPx: d('100'),
    commission: d('0.1'),
    commissionCurrency: 'USD',
    liquiditySide: 'MAKER',
    ts: 5,
  });
  return { tracker, events, order, fill, types: () => events.map((e) => e.type) };
}

test('our submission emits OrderSubmitted; acceptance from two sources is reported once', () => {
  const { tracker, order, types, events } = setup();
  const o = order();
  tracker.apply(o, { kind: 'accepted', ts: 2 }); // no venue id yet: not reportable
  tracker.identify(o, 'O1');
  tracker.apply(o, { kind: 'accepted', ts: 2 }); // the command's answer
  tracker.apply(o, { kind: 'accepted', ts: 3 }); // the stream
  expect(types()).toEqual(['OrderSubmitted', 'OrderAccepted']);
  expect(events[1]).toMatchObject({ venueOrderId: 'O1', accountId: 'ACC', clientOrderId: 'c1', tsEvent: 2 });
});

test('a fill is reported once per trade id, whatever the source; the order closes when filled', () => {
  const { tracker, order, fill, types } = setup();
  const o = order();
  tracker.identify(o, 'O1');
  tracker.apply(o, fill('T1', '0.5'));
  tracker.apply(o, fill('T1', '0.5')); // snapshot replay
  tracker.apply(o, fill('T2', '1.5'));
  tracker.apply(o, fill('T2', '1.5')); // REST reconciliation
  expect(types()).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderFilled', 'OrderFilled']);
  expect(o.status).toBe('closed');
  expect(o.closeKind).toBe('filled');
  expect(o.filledQty.toFixed()).toBe('2');
});

test('one terminal event: a cancel after a cancel, or after an expiry, is ignored; news before acceptance implies it', () => {
  const { tracker, order, types } = setup();
  const o = order();
  tracker.identify(o, 'O1');
  tracker.apply(o, { kind: 'canceled', reason: 'User requested', ts: 4 });
  tracker.apply(o, { kind: 'canceled', ts: 5 });
  tracker.apply(o, { kind: 'expired', ts: 6 });
  expect(types()).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderCanceled']);
});

test('a rejection before acceptance is OrderRejected; after acceptance it is a cancellation', () => {
  const first = setup();
  const a = first.order();
  first.tracker.apply(a, { kind: 'rejected', reason: 'postWouldExecute', dueToPostOnly: true, ts: 2 });
  expect(first.events.at(-1)).toMatchObject({ type: 'OrderRejected', reason: 'postWouldExecute', dueToPostOnly: true });
  const second = setup();
  const b = second.order();
  second.tracker.identify(b, 'O2');
  second.tracker.apply(b, { kind: 'accepted', ts: 2 });
  second.tracker.apply(b, { kind: 'rejected', reason: 'would_execute_self', ts: 3 });
  expect(second.types()).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderCanceled']);
});

test('OrderUpdated only when something changed', () => {
  const { tracker, order, types, events } = setup();
  const o = order();
  tracker.identify(o, 'O1');
  tracker.apply(o, { kind: 'accepted', ts: 2 });
  tracker.apply(o, { kind: 'updated', quantity: d('2'), price: d('100'), ts: 3 });
  tracker.apply(o, { kind: 'updated', quantity: d('3'), ts: 4 });
  tracker.apply(o, { kind: 'updated', quantity: d('3.0'), price: d('100.00'), ts: 5 });
  expect(types()).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderUpdated']);
  expect(events[2]).toMatchObject({ quantity: d('3'), price: d('100') });
});

test('OrderTriggered once', () => {
  const { tracker, order, types } = setup();
  const o = order({ type: 'STOP_MARKET', price: undefined, triggerPrice: d('110') });
  tracker.identify(o, 'O1');
  tracker.apply(o, { kind: 'triggered', ts: 2 });
  tracker.apply(o, { kind: 'triggered', ts: 3 });
  expect(types()).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderTriggered']);
});

test('silent facts update state without events (snapshot of orders placed before this client)', () => {
  const { tracker, order, fill, events } = setup();
  const o = order({ ours: false, venueOrderId: 'X1', clientOrderId: 'X1' });
  tracker.apply(o, { kind: 'accepted', ts: 1 }, { silent: true });
  tracker.apply(o, fill('T9', '1'), { silent: true });
  expect(events).toEqual([]);
  expect(o.status).toBe('accepted');
  expect(tracker.hasSeenFill('T9')).toBe(true);
  tracker.apply(o, fill('T9', '1'));
  expect(events).toEqual([]);
});

test('lookups: by venue id, by client id sent (any case, per product), by caller id', () => {
  const { tracker, order } = setup();
  const o = order({ venueClientOrderId: 'AbC', product: 'FUTURES' });
  tracker.identify(o, 'uuid-1');
  expect(tracker.byVenueOrderId('uuid-1')).toBe(o);
  expect(tracker.byVenueClientOrderId('FUTURES', 'abc')).toBe(o);
  expect(tracker.byVenueClientOrderId('SPOT', 'AbC')).toBeUndefined();
  expect(tracker.byClientOrderId('c1')).toBe(o);
  expect(tracker.openOrders('FUTURES')).toEqual([o]);
  tracker.forget(o);
  expect(tracker.byVenueOrderId('uuid-1')).toBeUndefined();
  expect(tracker.openOrders()).toEqual([]);
});

test('news about an unknown id waits while a submission is unidentified, then runs on identification', () => {
  const { tracker, order } = setup();
  const o = order({ product: 'FUTURES' });
  expect(tracker.hasUnidentifiedSubmissions('FUTURES')).toBe(true);
  const ran: string[] = [];
  tracker.park('uuid-7', () => ran.push('fill for uuid-7'));
  tracker.park('uuid-8', () => ran.push('someone else'));
  tracker.releaseOrphans('FUTURES');
  expect(ran).toEqual([]);
  tracker.identify(o, 'uuid-7');
  expect(ran).toEqual(['fill for uuid-7']);
  tracker.releaseOrphans('FUTURES');
  expect(ran).toEqual(['fill for uuid-7', 'someone else']);
});

test('refusals of commands are always emitted (not state)', () => {
  const { tracker, order, types } = setup();
  const o = order();
  tracker.identify(o, 'O1');
  tracker.apply(o, { kind: 'canceled', ts: 2 });
  tracker.apply(o, { kind: 'cancelRejected', reason: 'EOrder:Unknown order', ts: 3 });
  tracker.apply(o, { kind: 'modifyRejected', reason: 'EOrder:Unknown order', ts: 3 });
  expect(types().slice(-2)).toEqual(['OrderCancelRejected', 'OrderModifyRejected']);
});
