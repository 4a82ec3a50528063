import type { KrakenSimulator } from '../../../src/sim';
import { expectShape, fixture, form, FuturesRest, startSim } from './support';

const V3 = '/derivatives/api/v3';

describe('KrakenSimulator futures private REST: authentication and limits', () => {
  let sim: KrakenSimulator;
  let rest: FuturesRest;

  beforeEach(async () => {
    sim = await startSim({ historyMinutes: 30 });
    rest = new FuturesRest(sim);
  });
  afterEach(() => sim.stop());

  it('accepts an Authent over postData + nonce + path without /derivatives, with and without a Nonce', async () => {
    expect((await rest.priv('GET', `${V3}/openpositions`)).json.result).toBe('success');
    expect((await rest.priv('GET', `${V3}/openpositions`, '', { nonce: null })).json.result).toBe('success');
  });

  it('verifies the query exactly as sent (URL-encoded characters included)', async () => {
    const query = 'lastFillTime=2024-01-15T10%3A30%3A45.123Z';
    const ok = await rest.priv('GET', `${V3}/fills`, query);
    expect(ok.json).toMatchObject({ result: 'success', fills: [] });
    const decoded = await rest.priv('GET', `${V3}/fills`, query, {
      signedData: 'lastFillTime=2024-01-15T10:30:45.123Z',
    });
    expect(decoded.json).toMatchObject({ result: 'error', error: 'authenticationError' });
  });

  it('refuses a wrong secret, an unknown key, missing headers and a tampered body with authenticationError', async () => {
    const otherSecret = Buffer.alloc(64, 7).toString('base64');
    const body = form({ orderType: 'lmt', symbol: 'PF_XBTUSD', side: 'buy', size: '0.001', limitPrice: '50000' });
    const refusals = [
      await rest.priv('GET', `${V3}/accounts`, '', { secret: otherSecret }),
      await rest.priv('GET', `${V3}/accounts`, '', { key: 'not-my-key' }),
      await rest.priv('POST', `${V3}/sendorder`, body, { signedData: body.replace('0.001', '0.002') }),
      await rest.get(`${V3}/accounts`),
    ];
    for (const r of refusals) {
      expect(r.json).toMatchObject({ result: 'error', error: 'authenticationError' });
      expectShape(r.json, fixture('4.1-shapes-1'));
    }
    expect((await rest.priv('GET', `${V3}/openorders`)).json.openOrders).toEqual([]);
  });

  it('requires the nonce to increase: a repeat is nonceDuplicate, a lower one nonceBelowThreshold', async () => {
    expect((await rest.priv('GET', `${V3}/accounts`, '', { nonce: '5000' })).json.result).toBe('success');
    expect((await rest.priv('GET', `${V3}/accounts`, '', { nonce: '5000' })).json.error).toBe('nonceDuplicate');
    expect((await rest.priv('GET', `${V3}/accounts`, '', { nonce: '4000' })).json.error).toBe('nonceBelowThreshold');
    expect((await rest.priv('GET', `${V3}/accounts`, '', { nonce: '5001' })).json.result).toBe('success');
  });

  it('charges the 500-per-10-s cost budget per endpoint and refuses with apiLimitExceeded', async () => {
    const order = form({ orderType: 'lmt', symbol: 'PF_ETHUSD', side: 'buy', size: '0.001', limitPrice: '1000' });
    for (let i = 0; i < 50; i++) {
      const r = await rest.priv('POST', `${V3}/sendorder`, order);
      expect(r.json.sendStatus.status).toBe('placed');
    }
    const refused = await rest.priv('POST', `${V3}/sendorder`, order);
    expect(refused.json).toMatchObject({ result: 'error', error: 'apiLimitExceeded' });
    expectShape(refused.json, fixture('4.1-shapes-1'));
    // Cheaper calls do not fit either, until the pool refills at 50 units per second of simulated time.
    expect((await rest.priv('GET', `${V3}/openorders`)).json.error).toBe('apiLimitExceeded');
    sim.clock.advance(40);
    expect((await rest.priv('GET', `${V3}/openorders`)).json.openOrders).toHaveLength(50);
    expect((await rest.priv('POST', `${V3}/sendorder`, order)).json.error).toBe('apiLimitExceeded');
    sim.clock.advance(200);
    expect((await rest.priv('POST', `${V3}/sendorder`, order)).json.sendStatus.status).toBe('placed');
  });

  it('leaves a placement hanging when the order-timeout fault is armed; the order exists', async () => {
    sim.faults.timeoutNextOrderPlacement({ venue: 'futures' });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 300);
    const body = form({ orderType: 'lmt', symbol: 'PF_XBTUSD', side: 'buy', size: '0.001', limitPrice: '50000' });
    await expect(rest.priv('POST', `${V3}/sendorder`, body, { signal: controller.signal })).rejects.toThrow();
    clearTimeout(timer);
    const open = await rest.priv('GET', `${V3}/openorders`);
    expect(open.json.openOrders).toHaveLength(1);
    expect(open.json.openOrders[0]).toMatchObject({ symbol: 'PF_XBTUSD', limitPrice: 50000, unfilledSize: 0.001 });
  });
});

describe('KrakenSimulator futures private REST: orders and account', () => {
  let sim: KrakenSimulator;
  let rest: FuturesRest;

  const send = async (params: Record<string, string | number | boolean>) =>
    (await rest.priv('POST', `${V3}/sendorder`, form(params))).json;
  const book = async (symbol: string) =>
    (await rest.get(`${V3}/orderbook`, `symbol=${symbol}`)).json.orderBook as { bids: number[][]; asks: number[][] };

  beforeEach(async () => {
    sim = await startSim({ historyMinutes: 30, tradesPerMinute: 0 });
    rest = new FuturesRest(sim);
  });
  afterEach(() => sim.stop());

  it('places a resting limit order: placed with a PLACE event', async () => {
    const json = await send({
      orderType: 'lmt',
      symbol: 'PI_XBTUSD',
      side: 'buy',
      size: 10000,
      limitPrice: 50000,
      cliOrdId: 'my-order-1',
    });
    expectShape(json, fixture('8.1-sendorder-cost-10-1'));
    expect(json.sendStatus.status).toBe('placed');
    expect(json.sendStatus.orderEvents[0].order).toMatchObject({
      cliOrdId: 'my-order-1',
      type: 'lmt',
      symbol: 'PI_XBTUSD',
      quantity: 10000,
      filled: 0,
      limitPrice: 50000,
    });
  });

  it('executes a market order as an IOC with a price collar: EXECUTION events, position and fees', async () => {
    const json = await send({ orderType: 'mkt', symbol: 'PF_XBTUSD', side: 'buy', size: '0.01' });
    expectShape(json, fixture('8.1-sendorder-cost-10-3'));
    const execution = json.sendStatus.orderEvents[0];
    expect(execution.orderPriorExecution).toMatchObject({ type: 'ioc', quantity: 0.01, filled: 0 });
    const positions = (await rest.priv('GET', `${V3}/openpositions`)).json;
    expectShape(positions, fixture('8.10-openpositions-cost-2-1'), { extra: ['openPositions[].pnlCurrency'] });
    expect(positions.openPositions[0]).toMatchObject({ side: 'long', symbol: 'PF_XBTUSD', size: 0.01 });
    const fills = (await rest.priv('GET', `${V3}/fills`)).json;
    expectShape(fills, fixture('8.9-fills-lastfilltime-iso-cost-1'), {
      optional: ['fills[].cli_ord_id'],
    });
    expect(fills.fills[0]).toMatchObject({
      fillType: 'taker',
      fee_currency: 'USD',
      order_id: json.sendStatus.order_id,
    });
    expect(fills.fills[0].fee_paid).toBeCloseTo(0.01 * execution.price * 0.0005, 8);
  });

  it('fills partly against resting liquidity and rests the remainder', async () => {
    const { asks } = await book('PF_XBTUSD');
    const [bestAsk, bestSize] = asks[0];
    const size = (bestSize + 0.5).toFixed(4);
    const json = await send({ orderType: 'lmt', symbol: 'PF_XBTUSD', side: 'buy', size, limitPrice: bestAsk });
    const types = json.sendStatus.orderEvents.map((e: { type: string }) => e.type);
    expect(types).toEqual(['EXECUTION', 'PLACE']);
    expect(json.sendStatus.orderEvents[0].amount).toBe(bestSize);
    expect(json.sendStatus.orderEvents[1].order.filled).toBe(bestSize);
    const open = (await rest.priv('GET', `${V3}/openorders`)).json.openOrders[0];
    expect(open).toMatchObject({ status: 'partiallyFilled', unfilledSize: 0.5, filledSize: bestSize });
  });

  it('rejects a crossing post-only order with postWouldExecute and a REJECT event', async () => {
    const { asks } = await book('PF_XBTUSD');
    const json = await send({
      orderType: 'post',
      symbol: 'PF_XBTUSD',
      side: 'buy',
      size: '0.01',
      limitPrice: asks[0][0],
    });
    expect(json.sendStatus.status).toBe('postWouldExecute');
    expect(json.sendStatus.orderEvents[0]).toMatchObject({ type: 'REJECT', reason: 'POST_WOULD_EXECUTE' });
    expect((await rest.priv('GET', `${V3}/openorders`)).json.openOrders).toEqual([]);
  });

  it('rejects an IOC that finds nothing with iocWouldNotExecute', async () => {
    const json = await send({ orderType: 'ioc', symbol: 'PI_XBTUSD', side: 'buy', size: 10000, limitPrice: 9400 });
    // The documented REJECT omits cliOrdId, which every other Order carries (null when unset).
    expectShape(json, fixture('8.1-sendorder-cost-10-2'), { extra: ['sendStatus.orderEvents[].order.cliOrdId'] });
    expect(json.sendStatus).toMatchObject({ status: 'iocWouldNotExecute' });
    expect(json.sendStatus.orderEvents[0]).toMatchObject({ type: 'REJECT', reason: 'IOC_WOULD_NOT_EXECUTE' });
  });

  it('places a stop as an orderTrigger and lists it as an open stop', async () => {
    const json = await send({
      orderType: 'take_profit',
      symbol: 'PF_ETHUSD',
      side: 'buy',
      size: 10,
      limitPrice: 1860,
      stopPrice: 1880.4,
      triggerSignal: 'last',
    });
    expectShape(json, fixture('8.1-sendorder-cost-10-4'));
    expect(json.sendStatus.orderEvents[0].orderTrigger).toMatchObject({
      triggerSide: 'trigger_below',
      triggerSignal: 'last_price',
      triggerPrice: 1880.4,
    });
    const stop = await send({
      orderType: 'stp',
      symbol: 'PF_ETHUSD',
      side: 'sell',
      size: 1,
      stopPrice: 2000,
      triggerSignal: 'mark',
    });
    expect(stop.sendStatus.orderEvents[0].orderTrigger).toMatchObject({ triggerSignal: 'mark_price', type: 'ioc' });
    const open = (await rest.priv('GET', `${V3}/openorders`)).json;
    expectShape(open, fixture('8.8-openorders-cost-2-1'), {
      optional: ['openOrders[].stopPrice', 'openOrders[].triggerSignal', 'openOrders[].limitPrice'],
    });
    expect(open.openOrders.map((o: { orderType: string }) => o.orderType).sort()).toEqual(['stop', 'take_profit']);
  });

  it('triggers a stop on the mark price and fills it', async () => {
    await send({ orderType: 'mkt', symbol: 'PF_ETHUSD', side: 'buy', size: 1 });
    const mark = (await rest.get(`${V3}/tickers/PF_ETHUSD`)).json.ticker.markPrice as number;
    const stop = await send({
      orderType: 'stp',
      symbol: 'PF_ETHUSD',
      side: 'sell',
      size: 1,
      stopPrice: (mark + 100).toFixed(1),
      triggerSignal: 'mark',
      reduceOnly: true,
    });
    // A sell stop above the mark triggers at once (the mark is already below it).
    sim.clock.advance(1000);
    const status = await rest.priv('POST', `${V3}/orders/status`, form({ orderIds: stop.sendStatus.order_id }));
    expect(status.json.orders[0]).toMatchObject({ status: 'FULLY_EXECUTED' });
    expect((await rest.priv('GET', `${V3}/openpositions`)).json.openPositions).toEqual([]);
  });

  it('uses the sendStatus vocabulary for refused orders', async () => {
    const cases: [Record<string, string | number | boolean>, string][] = [
      [{ orderType: 'lmt', symbol: 'PF_XBTUSD', side: 'buy', size: '0.00001', limitPrice: 50000 }, 'invalidSize'],
      [{ orderType: 'lmt', symbol: 'PF_XBTUSD', side: 'buy', size: '0.001', limitPrice: '50000.5' }, 'invalidPrice'],
      [{ orderType: 'lmt', symbol: 'PI_XBTUSD', side: 'buy', size: '1.5', limitPrice: 50000 }, 'invalidSize'],
      [
        { orderType: 'mkt', symbol: 'PF_XBTUSD', side: 'sell', size: '0.01', reduceOnly: true },
        'wouldNotReducePosition',
      ],
      [
        { orderType: 'lmt', symbol: 'PF_XBTUSD', side: 'buy', size: 1000, limitPrice: 50000 },
        'insufficientAvailableFunds',
      ],
    ];
    for (const [params, expected] of cases) {
      const json = await send(params);
      expect(json.sendStatus.status).toBe(expected);
      if (expected === 'insufficientAvailableFunds') expectShape(json, fixture('8.1-sendorder-cost-10-5'));
    }
    const dup = { orderType: 'lmt', symbol: 'PF_XBTUSD', side: 'buy', size: '0.001', limitPrice: 50000, cliOrdId: 'x' };
    expect((await send(dup)).sendStatus.status).toBe('placed');
    expect((await send(dup)).sendStatus.status).toBe('clientOrderIdAlreadyExist');
  });

  it('refuses malformed requests before the engine sees them', async () => {
    expect(await send({ orderType: 'lmt', symbol: 'PF_XBTUSD', side: 'buy', size: '0.001' })).toMatchObject({
      result: 'error',
      error: 'requiredArgumentMissing',
    });
    const badType = await rest.priv(
      'POST',
      `${V3}/sendorder`,
      form({ orderType: 'trailing_stop', symbol: 'PF_XBTUSD', side: 'buy', size: 1 }),
    );
    expect(badType.status).toBe(400);
    expectShape(badType.json, fixture('4.1-shapes-2'));
    expect(badType.json.errors[0]).toEqual({ code: 11, message: 'invalid order type' });
    expect(await send({ orderType: 'lmt', symbol: 'PF_XBTUSD', side: 'up', size: 1, limitPrice: 1 })).toMatchObject({
      error: 'invalidArgument',
    });
  });

  it('edits an order in place (RELATIVE size by default) and reports EDIT old/new', async () => {
    const placed = await send({ orderType: 'lmt', symbol: 'PI_XBTUSD', side: 'buy', size: 1000, limitPrice: 9400 });
    const id = placed.sendStatus.order_id;
    const edit = await rest.priv('POST', `${V3}/editorder`, form({ orderId: id, size: 1501, limitPrice: 7200 }));
    expectShape(edit.json, fixture('8.2-editorder-cost-10-1'));
    expect(edit.json.editStatus.orderEvents[0].new).toMatchObject({ quantity: 1501, limitPrice: 7200 });
    const missing = await rest.priv('POST', `${V3}/editorder`, form({ orderId: 'nope', size: 1 }));
    expect(missing.json.editStatus).toMatchObject({ status: 'orderForEditNotFound', orderEvents: [] });
  });

  it('cancels by cliOrdId, cancels all by symbol, and reports what was already filled', async () => {
    const a = await send({
      orderType: 'lmt',
      symbol: 'PI_XBTUSD',
      side: 'buy',
      size: 5500,
      limitPrice: 8000,
      cliOrdId: '1234568',
    });
    await send({ orderType: 'lmt', symbol: 'PI_XBTUSD', side: 'buy', size: 890, limitPrice: 10040 });
    await send({ orderType: 'lmt', symbol: 'PF_ETHUSD', side: 'buy', size: 1, limitPrice: 1000 });
    const cancelled = await rest.priv('POST', `${V3}/cancelorder`, form({ cliOrdId: '1234568' }));
    expectShape(cancelled.json, fixture('8.3-cancelorder-cost-10-1'), { extra: ['cancelStatus.cliOrdId'] });
    expect(cancelled.json.cancelStatus).toMatchObject({ status: 'cancelled', order_id: a.sendStatus.order_id });
    const again = await rest.priv('POST', `${V3}/cancelorder`, form({ order_id: a.sendStatus.order_id }));
    expect(again.json.cancelStatus.status).toBe('notFound');
    const all = await rest.priv('POST', `${V3}/cancelallorders`, form({ symbol: 'PI_XBTUSD' }));
    expectShape(all.json, fixture('8.4-cancelallorders-cost-25-1'), {
      optional: ['cancelStatus.orderEvents[].order.stopPrice'],
      extra: ['cancelStatus.orderEvents[].order.lastUpdateTimestamp'],
    });
    expect(all.json.cancelStatus).toMatchObject({ cancelOnly: 'PI_XBTUSD', status: 'cancelled' });
    expect(all.json.cancelStatus.cancelledOrders).toHaveLength(1);
    const none = await rest.priv('POST', `${V3}/cancelallorders`, form({ symbol: 'PI_XBTUSD' }));
    expect(none.json.cancelStatus.status).toBe('noOrdersToCancel');
    const filled = await send({ orderType: 'mkt', symbol: 'PF_ETHUSD', side: 'buy', size: 1 });
    const late = await rest.priv('POST', `${V3}/cancelorder`, form({ order_id: filled.sendStatus.order_id }));
    expect(late.json.cancelStatus.status).toBe('filled');
  });

  it("arms the dead man's switch: orders are cancelled when simulated time runs out", async () => {
    await send({ orderType: 'lmt', symbol: 'PF_ETHUSD', side: 'buy', size: 1, limitPrice: 1000 });
    const armed = await rest.priv('POST', `${V3}/cancelallordersafter`, form({ timeout: 60 }));
    expectShape(armed.json, fixture('8.5-cancelallordersafter-cost-25-dead-1'));
    expect(Date.parse(armed.json.status.triggerTime) - Date.parse(armed.json.status.currentTime)).toBe(60_000);
    sim.clock.advance(59_000);
    expect((await rest.priv('GET', `${V3}/openorders`)).json.openOrders).toHaveLength(1);
    sim.clock.advance(1_000);
    expect((await rest.priv('GET', `${V3}/openorders`)).json.openOrders).toHaveLength(0);
    const disarmed = await rest.priv('POST', `${V3}/cancelallordersafter`, form({ timeout: 0 }));
    expect(disarmed.json.status.triggerTime).toBe('0');
  });

  it('runs a batch of send, edit and cancel instructions from a json= body', async () => {
    const resting = await send({
      orderType: 'lmt',
      symbol: 'PF_XBTUSD',
      side: 'buy',
      size: '0.001',
      limitPrice: 40000,
    });
    const other = await send({ orderType: 'lmt', symbol: 'PF_XBTUSD', side: 'buy', size: '0.001', limitPrice: 41000 });
    const batch = {
      batchOrder: [
        {
          order: 'send',
          order_tag: '1',
          orderType: 'lmt',
          symbol: 'PF_XBTUSD',
          side: 'buy',
          size: 0.001,
          limitPrice: 50000,
        },
        { order: 'edit', order_id: resting.sendStatus.order_id, size: 0.002, limitPrice: 40001 },
        { order: 'cancel', order_id: other.sendStatus.order_id },
        { order: 'cancel', cliOrdId: 'my_client_id' },
        {
          order: 'send',
          order_tag: '2',
          orderType: 'lmt',
          symbol: 'PF_XBTUSD',
          side: 'buy',
          size: 1000,
          limitPrice: 50000,
        },
      ],
    };
    const json = (await rest.priv('POST', `${V3}/batchorder`, form({ json: JSON.stringify(batch) }))).json;
    expect(json.batchStatus.map((s: { status: string }) => s.status)).toEqual([
      'placed',
      'edited',
      'cancelled',
      'notFound',
      'insufficientAvailableFunds',
    ]);
    expectShape(json.batchStatus[0], fixture('8.6-batchorder-cost-9-number-5').batchStatus[0], {
      extra: ['orderEvents[].reducedQuantity', 'orderEvents[].order.cliOrdId'],
    });
    expect(json.batchStatus[3]).toEqual({ status: 'notFound', cliOrdId: 'my_client_id', orderEvents: [] });
    expect(json.batchStatus[4]).toMatchObject({ order_tag: '2', orderEvents: [] });
    const parseError = await rest.priv('POST', `${V3}/batchorder`, form({ json: '{"batchOrder":[' }));
    expect(parseError.json.error).toBe('Json Parse Error');
  });

  it('reports recent order states through orders/status', async () => {
    const placed = await send({
      orderType: 'lmt',
      symbol: 'PF_ETHUSD',
      side: 'buy',
      size: 1,
      limitPrice: 1200,
      cliOrdId: 'st-1',
    });
    const json = (await rest.priv('POST', `${V3}/orders/status`, form({ cliOrdIds: 'st-1' }))).json;
    expectShape(json, fixture('8.7-orders-status-cost-1-1'));
    expect(json.orders[0]).toMatchObject({ status: 'ENTERED_BOOK', updateReason: 'NEW_USER_ORDER', error: null });
    await rest.priv('POST', `${V3}/cancelorder`, form({ order_id: placed.sendStatus.order_id }));
    const cancelled = (await rest.priv('POST', `${V3}/orders/status`, form({ orderIds: placed.sendStatus.order_id })))
      .json;
    expect(cancelled.orders[0]).toMatchObject({ status: 'CANCELLED', updateReason: 'CANCELLED_BY_USER' });
    sim.clock.advance(6000);
    const gone = (await rest.priv('POST', `${V3}/orders/status`, form({ orderIds: placed.sendStatus.order_id }))).json;
    expect(gone.orders).toEqual([]);
  });

  it('shows cash, the inverse margin account and the flex account, moving with fills', async () => {
    const before = (await rest.priv('GET', `${V3}/accounts`)).json;
    const doc = fixture('8.11-accounts-cost-2-1');
    expectShape(before.accounts.cash, doc.accounts.cash, { maps: ['balances'] });
    expectShape(before.accounts.fi_xbtusd, doc.accounts.fi_xbtusd, { maps: ['balances'] });
    expectShape(before.accounts.flex, doc.accounts.flex, { maps: ['currencies'] });
    expect(before.accounts.fi_xbtusd.balances).toEqual({ xbt: '2' });
    await send({ orderType: 'mkt', symbol: 'PI_XBTUSD', side: 'buy', size: 100000 });
    await send({ orderType: 'mkt', symbol: 'PF_XBTUSD', side: 'buy', size: '0.5' });
    const after = (await rest.priv('GET', `${V3}/accounts`)).json.accounts;
    expect(after.fi_xbtusd.balances.PI_XBTUSD).toBe('100000');
    // Fees are charged in XBT on the inverse account: 0.05 % of 100000 USD at ~60000.
    expect(2 - Number(after.fi_xbtusd.balances.xbt)).toBeCloseTo((100000 / 60000) * 0.0005, 4);
    expect(after.fi_xbtusd.marginRequirements.im).toBeCloseTo((100000 / 60000) * 0.02, 3);
    // A long inverse position holding 2 XBT is liquidated far below the mark, maintenance before termination.
    const { mm, tt } = after.fi_xbtusd.triggerEstimates;
    expect(mm).toBeGreaterThan(10000);
    expect(mm).toBeLessThan(40000);
    expect(tt).toBeLessThan(mm);
    expect(after.flex.initialMargin).toBeGreaterThan(0);
    expect(after.flex.availableMargin).toBeLessThan(before.accounts.flex.availableMargin);
  });

  it('keeps leverage and PnL-currency preferences per flex symbol', async () => {
    expect(
      (await rest.priv('PUT', `${V3}/leveragepreferences`, form({ maxLeverage: 5, symbol: 'PF_XBTUSD' }))).json,
    ).toEqual({
      result: 'success',
      serverTime: expect.any(String),
    });
    const lev = (await rest.priv('GET', `${V3}/leveragepreferences`)).json;
    expectShape(lev, fixture('8.12-leverage-preferences-isolated-vs-1'));
    expect(lev.leveragePreferences).toEqual([{ symbol: 'PF_XBTUSD', maxLeverage: 5 }]);
    expect(
      (await rest.priv('PUT', `${V3}/leveragepreferences`, form({ maxLeverage: 500, symbol: 'PF_XBTUSD' }))).json.error,
    ).toBe('invalidArgument');
    // Isolated at 5x: 1.5 XBT (~90 kUSD notional) needs ~18 kUSD, fine; 9 XBT needs ~108 kUSD, more than the account holds.
    expect(
      (await send({ orderType: 'lmt', symbol: 'PF_XBTUSD', side: 'buy', size: 9, limitPrice: 60000 })).sendStatus
        .status,
    ).toBe('insufficientAvailableFunds');
    await send({ orderType: 'mkt', symbol: 'PF_XBTUSD', side: 'buy', size: '0.1' });
    const positions = (await rest.priv('GET', `${V3}/openpositions`)).json.openPositions;
    expect(positions[0]).toMatchObject({ maxFixedLeverage: 5, pnlCurrency: 'USD' });
    await rest.priv('PUT', `${V3}/leveragepreferences`, form({ symbol: 'PF_XBTUSD' }));
    expect((await rest.priv('GET', `${V3}/leveragepreferences`)).json.leveragePreferences).toEqual([]);
    await rest.priv('PUT', `${V3}/pnlpreferences`, form({ symbol: 'PF_XBTUSD', pnlPreference: 'BTC' }));
    expect((await rest.priv('GET', `${V3}/pnlpreferences`)).json.preferences).toEqual([
      { symbol: 'PF_XBTUSD', pnlCurrency: 'BTC' },
    ]);
  });
});
