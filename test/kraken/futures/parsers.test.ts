import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import { decodeOrError } from '../../../src/kraken/common/decode';
import {
  decodeFuturesResponse,
  FuturesAccountsResponse,
  FuturesCandlesResponse,
  FuturesFillsResponse,
  FuturesHistoryExecutionsResponse,
  FuturesHistoryOrdersResponse,
  FuturesHistoryResponse,
  FuturesInstrumentsResponse,
  FuturesOpenOrdersResponse,
  FuturesOpenPositionsResponse,
  FuturesOrderBookResponse,
  FuturesTickersResponse,
} from '../../../src/kraken/futures/rest';
import {
  FUTURES_DEFAULT_FEES,
  futuresOrderType,
  futuresTriggerType,
  futuresWsBookSnapshotMessage,
  futuresWsBookUpdateMessage,
  parseFuturesAccounts,
  parseFuturesCandle,
  parseFuturesFill,
  parseFuturesHistoryExecution,
  parseFuturesHistoryOrder,
  parseFuturesInstrument,
  parseFuturesInstruments,
  parseFuturesOpenOrder,
  parseFuturesOpenPosition,
  parseFuturesOrderBook,
  parseFuturesPublicTrade,
  parseFuturesTicker,
  parseFuturesWsBalances,
  parseFuturesWsFill,
  parseFuturesWsOpenOrder,
  parseFuturesWsPosition,
  parseFuturesWsTicker,
  parseFuturesWsTrade,
} from '../../../src/kraken/futures/parsers';
import { FuturesWsMessage, type FuturesWsFeedMessage } from '../../../src/kraken/futures/ws';
import { BarType, InstrumentId } from '../../../src/model/identifiers';
import { futuresFixture, mutableFixture } from '../fixtures';
import { historyExecutions, historyOrders } from './historyBodies';

const TS_INIT = 1_700_000_000_000;
const ACCOUNT = 'KRAKEN-FUTURES';

function body<A>(codec: t.Decoder<unknown, A>, input: unknown): A {
  const decoded = decodeFuturesResponse(codec, input, 'test');
  if (E.isLeft(decoded)) throw decoded.left;
  return decoded.right;
}

function ws<F extends FuturesWsFeedMessage['feed']>(name: F, input: unknown) {
  const decoded = decodeOrError(FuturesWsMessage, input, 'ws');
  if (E.isLeft(decoded)) throw decoded.left;
  const message = decoded.right;
  if (!('feed' in message) || message.feed !== name) throw new Error(`expected ${name}`);
  return message as Extract<FuturesWsFeedMessage, { feed: F }>;
}

describe('parseFuturesInstrument', () => {
  const { instruments } = body(FuturesInstrumentsResponse, futuresFixture('6.1-instruments-1'));

  it('makes PI_XBTUSD an inverse perpetual settled in BTC', () => {
    const pi = parseFuturesInstrument(instruments[0], TS_INIT);
    expect(pi?.kind).toBe('CryptoPerpetual');
    expect(pi).toMatchObject({
      rawSymbol: 'PI_XBTUSD',
      productType: 'FUTURES',
      base: 'BTC',
      quote: 'USD',
      settlement: 'BTC',
      isInverse: true,
      pricePrecision: 1,
      sizePrecision: 0,
      tsInit: TS_INIT,
    });
    expect(pi?.id.toString()).toBe('PI_XBTUSD.KRAKEN');
    expect(pi?.priceIncrement.toFixed()).toBe('0.5');
    expect(pi?.sizeIncrement.toFixed()).toBe('1');
    expect(pi?.contractSize.toFixed()).toBe('1');
    expect(pi?.maxLeverage?.toFixed()).toBe('50');
    expect(pi?.makerFee).toBe(FUTURES_DEFAULT_FEES.makerFee);
  });

  it('makes FI_XBTUSD_220930 a dated inverse future expiring at lastTradingTime', () => {
    const fi = parseFuturesInstrument(instruments[1], TS_INIT);
    expect(fi?.kind).toBe('CryptoFuture');
    expect(fi?.kind === 'CryptoFuture' && fi.expiry).toBe(Date.UTC(2022, 8, 30, 15, 0, 0));
    expect(fi?.kind === 'CryptoFuture' && fi.expiry).toBe(1664550000000);
    expect(fi?.isInverse).toBe(true);
  });

  it('makes PF_XBTUSD a linear perpetual with a size step of 10^-cvtp', () => {
    const pf = parseFuturesInstrument(instruments[2], TS_INIT);
    expect(pf).toMatchObject({ kind: 'CryptoPerpetual', isInverse: false, settlement: 'USD', sizePrecision: 4 });
    expect(pf?.sizeIncrement.toFixed()).toBe('0.0001');
    expect(pf?.minQuantity?.toFixed()).toBe('0.0001');
    expect(pf?.priceIncrement.toFixed()).toBe('1');
    expect(pf?.pricePrecision).toBe(0);
  });

  it('handles a flexible dated future, a negative cvtp and a tiny tick', () => {
    const [ff, pepe] = body(FuturesInstrumentsResponse, {
      result: 'success',
      instruments: [
        {
          symbol: 'FF_XBTUSD_251128',
          type: 'flexible_futures',
          base: 'XBT',
          quote: 'USD',
          tickSize: 1,
          contractSize: 1,
          contractValueTradePrecision: 4,
          lastTradingTime: '2025-11-28T08:00:00.000Z',
        },
        {
          symbol: 'PF_PEPEUSD',
          type: 'flexible_futures',
          tickSize: 1e-10,
          contractSize: 1,
          contractValueTradePrecision: -3,
        },
      ],
    }).instruments.map((i) => parseFuturesInstrument(i, TS_INIT));
    expect(ff?.kind === 'CryptoFuture' && ff.expiry).toBe(Date.UTC(2025, 10, 28, 8));
    expect(ff?.isInverse).toBe(false);
    expect(pepe?.sizeIncrement.toFixed()).toBe('1000');
    expect(pepe?.sizePrecision).toBe(0);
    expect(pepe?.pricePrecision).toBe(10);
    expect(pepe?.base).toBe('PEPE');
  });

  it('skips index rows, options and unknown types', () => {
    const parsed = parseFuturesInstruments(
      [
        ...instruments,
        { symbol: 'in_xbtusd', type: 'spot index' },
        { symbol: 'OF_ETHUSD_240101_1000_C', type: 'options' },
      ],
      TS_INIT,
    );
    expect(parsed.map((i) => i.id.symbol)).toEqual(['PI_XBTUSD', 'FI_XBTUSD_220930', 'PF_XBTUSD']);
  });
});

describe('Futures market data parsers', () => {
  const pf = InstrumentId.from('PF_XBTUSD.KRAKEN');

  it('turns a chart candle into a bar closing one interval after its open time', () => {
    const barType = BarType.from('PF_XBTUSD.KRAKEN-1-HOUR-LAST-EXTERNAL');
    const candle = body(FuturesCandlesResponse, futuresFixture('7-charts-api-candles-public-1')).candles[1];
    const bar = parseFuturesCandle(candle, barType, TS_INIT);
    expect(bar.tsEvent).toBe(1731718800000 + 3_600_000);
    expect([bar.open, bar.high, bar.low, bar.close, bar.volume].map((d) => d.toFixed())).toEqual([
      '91045.5',
      '91488.5',
      '91045.5',
      '91415',
      '2407',
    ]);
  });

  it('turns REST and WS trades into ticks', () => {
    const trade = body(FuturesHistoryResponse, futuresFixture('6.5-history-symbol-pf-xbtusd-1')).history[0];
    const tick = parseFuturesPublicTrade(trade, pf, TS_INIT);
    expect(tick).toMatchObject({ aggressorSide: 'SELLER', tradeId: 'd0692c0c-742e-4d88-862c-8bd63533e067' });
    expect(tick.tsEvent).toBe(Date.parse('2024-05-03T13:05:43.974Z'));
    const wsTrade = parseFuturesWsTrade(ws('trade', futuresFixture('12.4-trade-snapshot-last-100-2')), TS_INIT);
    expect(wsTrade.instrumentId.toString()).toBe('PI_XBTUSD.KRAKEN');
    expect(wsTrade.price.toFixed()).toBe('34969.5');
    expect(wsTrade.size.toFixed()).toBe('15000');
    expect(wsTrade.tsEvent).toBe(1612266317519);
  });

  it('splits a WS ticker into mark, index, funding and quote updates', () => {
    const updates = parseFuturesWsTicker(ws('ticker', futuresFixture('12.4-ticker-throttled-to-1-1')), TS_INIT);
    const id = InstrumentId.from('PF_ETHUSD.KRAKEN');
    expect(updates.markPrice?.instrumentId).toEqual(id);
    expect(updates.markPrice?.value.toFixed()).toBe('1751.97553924942');
    expect(updates.markPrice?.tsEvent).toBe(1783587648112);
    expect(updates.indexPrice?.value.toFixed()).toBe('1751.75');
    expect(updates.fundingRate?.rate.toFixed()).toBe('0.032725177043125');
    expect(updates.fundingRate?.relativeRate?.toFixed()).toBe('0.0000186711875');
    expect(updates.fundingRate?.predictedRate?.toFixed()).toBe('0.031251669645');
    expect(updates.fundingRate?.nextFundingTime).toBe(1783591200000);
    expect(updates.quote?.bidPrice.toFixed()).toBe('1751.6');
    expect(updates.quote?.askSize.toFixed()).toBe('2.886');
  });

  it('splits REST tickers; index rows give no mark, funding or quote', () => {
    const { tickers } = body(FuturesTickersResponse, futuresFixture('6.3-tickers-and-tickers-symbol-1'));
    const perp = parseFuturesTicker(tickers[0], 5, TS_INIT);
    expect(perp.markPrice?.value.toFixed()).toBe('30209.9');
    expect(perp.indexPrice?.value.toFixed()).toBe('21087.8');
    expect(perp.fundingRate?.rate.toString()).toBe('1.18588737106e-7');
    expect(perp.fundingRate?.relativeRate).toBeUndefined();
    expect(perp.quote?.bidSize.toFixed()).toBe('1000');
    const month = parseFuturesTicker(tickers[1], 5, TS_INIT);
    expect(month.fundingRate).toBeUndefined();
    expect(month.quote).toBeUndefined(); // no ask side
    expect(parseFuturesTicker(tickers[2], 5, TS_INIT)).toEqual({});
  });

  it('maps WS book messages to the orderBook operator input', () => {
    const snapshot = futuresWsBookSnapshotMessage(
      ws('book_snapshot', futuresFixture('12.4-book-snapshot-per-level-1')),
      { id: pf, pricePrecision: 1, sizePrecision: 4 },
      TS_INIT,
    );
    expect(snapshot).toMatchObject({ kind: 'snapshot', sequence: 326072249, tsEvent: 1612269825817 });
    expect(snapshot.bids[0]).toEqual({ price: 34892.5, size: 6385 });
    const update = futuresWsBookUpdateMessage(
      ws('book', futuresFixture('12.4-book-snapshot-per-level-2')),
      pf,
      TS_INIT,
    );
    expect(update).toMatchObject({ kind: 'update', sequence: 326094134, bids: [], asks: [{ price: 34981, size: 0 }] });
  });

  it('maps the REST order book to a snapshot', () => {
    const book = body(FuturesOrderBookResponse, futuresFixture('6.4-orderbook-symbol-pf-xbtusd-1')).orderBook;
    const deltas = parseFuturesOrderBook(book, pf, 1, TS_INIT);
    expect(deltas.isSnapshot).toBe(true);
    expect(deltas.deltas).toHaveLength(7);
    expect(deltas.deltas[4]).toMatchObject({ action: 'ADD', side: 'ASK' });
  });
});

describe('Futures order, fill and position reports', () => {
  it('reports REST open orders (limit and take-profit)', () => {
    const [limit, takeProfit] = body(FuturesOpenOrdersResponse, futuresFixture('8.8-openorders-cost-2-1')).openOrders;
    const a = parseFuturesOpenOrder(limit, ACCOUNT, TS_INIT);
    expect(a).toMatchObject({
      venueOrderId: '59302619-41d2-4f0b-941f-7e7914760ad3',
      orderSide: 'SELL',
      orderType: 'LIMIT',
      orderStatus: 'ACCEPTED',
      venueStatus: 'untouched',
      reduceOnly: true,
    });
    expect(a.quantity.toFixed()).toBe('304');
    expect(a.price?.toFixed()).toBe('10640');
    const b = parseFuturesOpenOrder(takeProfit, ACCOUNT, TS_INIT);
    expect(b).toMatchObject({ orderType: 'LIMIT_IF_TOUCHED', triggerType: 'LAST' });
    expect(b.triggerPrice?.toFixed()).toBe('1880.4');
  });

  it('keeps an unknown open-order status in venueStatus', () => {
    const input = mutableFixture('futures', '8.8-openorders-cost-2-1');
    Object.assign((input.openOrders as Record<string, unknown>[])[0], { status: 'frozen', filledSize: 4 });
    const order = body(FuturesOpenOrdersResponse, input).openOrders[0];
    expect(parseFuturesOpenOrder(order, ACCOUNT, TS_INIT)).toMatchObject({
      venueStatus: 'frozen',
      orderStatus: 'PARTIALLY_FILLED',
    });
  });

  it('reports WS open-order updates: upsert, full fill, post-only refusal', () => {
    const update = ws('open_orders', futuresFixture('12.5-open-orders-2'));
    const open =
      update.order &&
      parseFuturesWsOpenOrder(update.order, ACCOUNT, TS_INIT, { isCancel: update.is_cancel, reason: update.reason });
    expect(open).toMatchObject({ orderSide: 'SELL', orderStatus: 'ACCEPTED', orderType: 'LIMIT', reduceOnly: true });
    const filled = ws('open_orders', futuresFixture('12.5-open-orders-4'));
    const done =
      filled.order &&
      parseFuturesWsOpenOrder(filled.order, ACCOUNT, TS_INIT, { isCancel: true, reason: filled.reason });
    expect(done).toMatchObject({ orderStatus: 'FILLED', orderSide: 'BUY', venueStatus: 'full_fill' });
    expect(done?.filledQty.toFixed()).toBe('0.0001');
    const refused = ws('open_orders_verbose', futuresFixture('12.5-open-orders-verbose-1'));
    expect(
      refused.order &&
        parseFuturesWsOpenOrder(refused.order, ACCOUNT, TS_INIT, { isCancel: true, reason: refused.reason })
          .orderStatus,
    ).toBe('REJECTED');
  });

  it('reports History order events as the order after each event', () => {
    const page = body(FuturesHistoryOrdersResponse, historyOrders);
    const placed = parseFuturesHistoryOrder(page.elements[0], ACCOUNT, TS_INIT);
    expect(placed).toMatchObject({
      venueOrderId: '2ce038ae-c144-4de7-a0f1-82f7f4fca864',
      clientOrderId: 'my-order-1',
      orderSide: 'BUY',
      orderType: 'LIMIT',
      orderStatus: 'ACCEPTED',
      venueStatus: 'OrderPlaced:new_user_order',
      tsAccepted: 1604937694000,
    });
    expect(placed?.instrumentId.toString()).toBe('PF_XBTUSD.KRAKEN');
    const updated = parseFuturesHistoryOrder(page.elements[1], ACCOUNT, TS_INIT);
    expect(updated).toMatchObject({
      orderStatus: 'FILLED',
      venueStatus: 'OrderUpdated:full_fill',
      tsLastUpdate: 1604937700000,
    });
    const cancelled = body(FuturesHistoryOrdersResponse, {
      elements: [
        {
          uid: 'c',
          timestamp: 5,
          event: {
            OrderCancelled: { order: historyOrders.elements[0].event.OrderPlaced?.order, reason: 'cancelled_by_user' },
          },
        },
      ],
    });
    expect(parseFuturesHistoryOrder(cancelled.elements[0], ACCOUNT, TS_INIT)).toMatchObject({
      orderStatus: 'CANCELED',
      cancelReason: 'cancelled_by_user',
    });
    const unknown = body(FuturesHistoryOrdersResponse, {
      elements: [{ uid: 'x', timestamp: 1, event: { OrderNotFound: { orderId: 'o' } } }],
    });
    expect(parseFuturesHistoryOrder(unknown.elements[0], ACCOUNT, TS_INIT)).toBeUndefined();
  });

  it('reports REST fills with fee currency and liquidity', () => {
    const [maker, taker] = body(FuturesFillsResponse, futuresFixture('8.9-fills-lastfilltime-iso-cost-1')).fills;
    const a = parseFuturesFill(maker, ACCOUNT, TS_INIT, 'BTC');
    expect(a).toMatchObject({
      tradeId: '3d57ed09-fbd6-44f1-8e8b-b10e551c5e73',
      orderSide: 'BUY',
      liquiditySide: 'MAKER',
      commissionCurrency: 'BTC',
    });
    expect(a.commission.toFixed()).toBe('0');
    expect(a.tsEvent).toBe(Date.parse('2020-07-22T13:37:27.077Z'));
    const b = parseFuturesFill(taker, ACCOUNT, TS_INIT);
    expect(b).toMatchObject({ clientOrderId: 'my-order-ref-456', liquiditySide: 'TAKER', commissionCurrency: 'ETH' });
    expect(b.commission.toFixed()).toBe('0.00685589');
  });

  it('reports WS fills (buy flag, rebate as negative commission)', () => {
    const snapshot = ws('fills_snapshot', futuresFixture('12.5-fills-2'));
    const fill = parseFuturesWsFill(snapshot.fills[0], ACCOUNT, TS_INIT);
    expect(fill).toMatchObject({
      orderSide: 'BUY',
      liquiditySide: 'MAKER',
      commissionCurrency: 'BTC',
      tsEvent: 1600256910739,
    });
    expect(fill.commission.toFixed()).toBe('-0.00009142857');
    const update = ws('fills', futuresFixture('12.5-fills-3'));
    expect(parseFuturesWsFill(update.fills[0], ACCOUNT, TS_INIT).clientOrderId).toBe(
      'b661bad0-7037-4b73-9e07-a65b515e4ef7',
    );
  });

  it('reports a History execution for the account that took part', () => {
    const page = body(FuturesHistoryExecutionsResponse, historyExecutions);
    const fill = parseFuturesHistoryExecution(page.elements[0], 'acc-1', ACCOUNT, TS_INIT);
    expect(fill).toMatchObject({
      venueOrderId: 'maker-order',
      tradeId: 'exec-1',
      liquiditySide: 'MAKER',
      orderSide: 'BUY',
      clientOrderId: 'c-1',
    });
    expect(fill?.commission.toFixed()).toBe('2.5');
    expect(parseFuturesHistoryExecution(page.elements[0], 'acc-2', ACCOUNT, TS_INIT)?.liquiditySide).toBe('TAKER');
    expect(parseFuturesHistoryExecution(page.elements[0], 'someone-else', ACCOUNT, TS_INIT)).toBeUndefined();
  });

  it('reports REST and WS positions', () => {
    const positions = body(FuturesOpenPositionsResponse, futuresFixture('8.10-openpositions-cost-2-1')).openPositions;
    const short = parseFuturesOpenPosition(positions[0], ACCOUNT, TS_INIT);
    expect(short).toMatchObject({ positionSide: 'SHORT', tsLast: Date.parse('2020-07-22T14:39:12.376Z') });
    expect(short.quantity.toFixed()).toBe('10000');
    expect(short.unrealizedPnl?.toFixed()).toBe('-607250.006654067');
    expect(parseFuturesOpenPosition(positions[1], ACCOUNT, TS_INIT).tsLast).toBe(TS_INIT);
    const wsPositions = ws('open_positions', futuresFixture('12.5-open-positions-subscribe-with-1')).positions;
    const pf = parseFuturesWsPosition(wsPositions[0], ACCOUNT, 1687383625330, TS_INIT);
    expect(pf).toMatchObject({ positionSide: 'LONG' });
    expect(pf.avgPxOpen?.toFixed()).toBe('26911.75');
    const flat = parseFuturesWsPosition(
      { instrument: 'PF_XBTUSD', balance: wsPositions[0].balance.minus(wsPositions[0].balance) },
      ACCOUNT,
      1,
      TS_INIT,
    );
    expect(flat.positionSide).toBe('FLAT');
  });

  it('maps order types and trigger signals', () => {
    expect(futuresOrderType('post', true, false)).toEqual({ orderType: 'LIMIT', timeInForce: 'GTC', postOnly: true });
    expect(futuresOrderType('IoC', true, false).timeInForce).toBe('IOC');
    expect(futuresOrderType('stp', false, true).orderType).toBe('STOP_MARKET');
    expect(futuresOrderType('stop', true, true).orderType).toBe('STOP_LIMIT');
    expect(futuresOrderType('Market', false, false).orderType).toBe('MARKET');
    expect(futuresTriggerType('mark_price')).toBe('MARK');
    expect(futuresTriggerType('spot')).toBe('INDEX');
    expect(futuresTriggerType('last')).toBe('LAST');
  });
});

describe('Futures account states', () => {
  it('merges cash, margin and flex wallets by currency into a MARGIN state', () => {
    const { accounts } = body(FuturesAccountsResponse, futuresFixture('8.11-accounts-cost-2-1'));
    const state = parseFuturesAccounts(accounts, ACCOUNT, 7, TS_INIT);
    expect(state).toMatchObject({ accountType: 'MARGIN', baseCurrency: 'USD', reported: true, tsEvent: 7 });
    const byCurrency = Object.fromEntries(state.balances.map((b) => [b.currency, b]));
    expect(Object.keys(byCurrency).sort()).toEqual(['BTC', 'EUR', 'USD', 'XRP']);
    // BTC: cash 141.31756797 + margin account 141.31756797 (free 100.73891563) + flex 0.1185308247
    expect(byCurrency.BTC.total.toFixed()).toBe('282.7536667647');
    expect(byCurrency.BTC.locked.toFixed()).toBe('40.57865234');
    expect(byCurrency.USD.total.toFixed()).toBe('5000');
    expect(byCurrency.USD.free.toFixed()).toBe('5000');
    expect(state.balances.filter((b) => b.currency === 'BTC')).toHaveLength(1);
    expect(state.margins).toEqual([
      { currency: 'BTC', initial: expect.anything(), maintenance: expect.anything() },
      { currency: 'USD', initial: expect.anything(), maintenance: expect.anything() },
    ]);
    expect(state.margins[0].initial.toFixed()).toBe('52.8');
    expect(state.margins[0].maintenance.toFixed()).toBe('23.76');
  });

  it('reads WS balances snapshots and partial updates', () => {
    const snapshot = parseFuturesWsBalances(
      ws('balances_snapshot', futuresFixture('12.5-balances-1')),
      ACCOUNT,
      TS_INIT,
    );
    expect(snapshot.tsEvent).toBe(1640995200000);
    const byCurrency = Object.fromEntries(snapshot.balances.map((b) => [b.currency, b.total.toFixed()]));
    expect(byCurrency).toEqual({ USDT: '4997.5012493753', BTC: '0.1285407184', USD: '5000' });
    const update = parseFuturesWsBalances(ws('balances', futuresFixture('12.5-balances-2')), ACCOUNT, TS_INIT);
    expect(update.balances.map((b) => [b.currency, b.total.toFixed()])).toEqual([['USD', '5000']]);
  });
});
