import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import { type KrakenApiError, KrakenDecodeError, KrakenRateLimitError } from '../../../src/errors';
import {
  decodeFuturesResponse,
  FUTURES_ACCEPTED_STATUSES,
  futuresErrors,
  FuturesAccountLogResponse,
  FuturesAccountsResponse,
  FuturesBatchOrderResponse,
  FuturesCancelAllOrdersAfterResponse,
  FuturesCancelAllOrdersResponse,
  FuturesCancelOrderResponse,
  FuturesCandlesResponse,
  FuturesEditOrderResponse,
  FuturesFillsResponse,
  FuturesHistoricalFundingRatesResponse,
  FuturesHistoryExecutionsResponse,
  FuturesHistoryOrdersResponse,
  FuturesHistoryResponse,
  FuturesInstrumentsResponse,
  FuturesInstrumentStatusResponse,
  FuturesLeveragePreferencesResponse,
  FuturesOpenOrdersResponse,
  FuturesOpenPositionsResponse,
  FuturesOrderBookResponse,
  FuturesOrdersStatusResponse,
  FuturesSendOrderResponse,
  FuturesSuccessResponse,
  FuturesTickersResponse,
  historyExecutionOf,
} from '../../../src/kraken/futures/rest';
import { futuresFixture, mutableFixture } from '../fixtures';
import { historyExecutions, historyOrders } from './historyBodies';

function body<A>(codec: t.Decoder<unknown, A>, input: unknown, endpoint = 'test'): A {
  const decoded = decodeFuturesResponse(codec, input, endpoint);
  if (E.isLeft(decoded)) throw decoded.left;
  return decoded.right;
}

describe('Futures REST errors', () => {
  it('reads the classic error string, with apiLimitExceeded as a rate-limit error', () => {
    expect(futuresErrors(futuresFixture('4.1-shapes-1'))).toEqual(['apiLimitExceeded']);
    const decoded = decodeFuturesResponse(FuturesSuccessResponse, futuresFixture('4.1-shapes-1'), 'sendorder');
    expect(E.isLeft(decoded) && decoded.left).toBeInstanceOf(KrakenRateLimitError);
  });

  it('reads the errors[] form', () => {
    expect(futuresErrors(futuresFixture('4.1-shapes-2'))).toEqual(['invalid order type']);
    const decoded = decodeFuturesResponse(FuturesSuccessResponse, futuresFixture('4.1-shapes-3'), 'x', 500);
    expect(E.isLeft(decoded) && (decoded.left as KrakenApiError).reason).toBe('INSUFFICIENT_MARGIN');
  });

  it('reads an HTTP error body without result', () => {
    expect(futuresErrors({ status: 'NOT_FOUND' }, 404)).toEqual(['NOT_FOUND']);
    expect(futuresErrors({ result: 'success' })).toBeUndefined();
  });

  it('decodes a bare success answer', () => {
    expect(body(FuturesSuccessResponse, { result: 'success', serverTime: '2022-06-28T14:48:58.711Z' }).serverTime).toBe(
      Date.UTC(2022, 5, 28, 14, 48, 58, 711),
    );
  });
});

describe('Futures REST public endpoints', () => {
  it('decodes instruments (perpetual, dated, flexible)', () => {
    const { instruments } = body(FuturesInstrumentsResponse, futuresFixture('6.1-instruments-1'));
    expect(instruments.map((i) => i.symbol)).toEqual(['PI_XBTUSD', 'FI_XBTUSD_220930', 'PF_XBTUSD']);
    const [pi, fi, pf] = instruments;
    expect(pi).toMatchObject({ type: 'futures_inverse', base: 'XBT', contractValueTradePrecision: 0 });
    expect(pi.tickSize?.toFixed()).toBe('0.5');
    expect(pi.marginLevels?.[1].contracts?.toFixed()).toBe('500000');
    expect(fi.lastTradingTime).toBe(Date.UTC(2022, 8, 30, 15));
    expect(pf.marginLevels?.[0].numNonContractUnits?.toFixed()).toBe('0');
    expect(pf.contractValueTradePrecision).toBe(4);
  });

  it('decodes instrument status, tickers (index rows too), order book, history and funding', () => {
    expect(
      body(FuturesInstrumentStatusResponse, futuresFixture('6.2-instruments-status-and-instruments-1'))
        .instrumentStatus[0].tradeable,
    ).toBe('PF_COMPUSD');
    const { tickers } = body(FuturesTickersResponse, futuresFixture('6.3-tickers-and-tickers-symbol-1'));
    expect(tickers).toHaveLength(4);
    expect(tickers[0].fundingRate?.toString()).toBe('1.18588737106e-7');
    expect(tickers[0].lastTime).toBe(Date.parse('2022-06-17T10:46:35.705Z'));
    expect(tickers[2]).toMatchObject({ symbol: 'in_xbtusd' });
    const book = body(FuturesOrderBookResponse, futuresFixture('6.4-orderbook-symbol-pf-xbtusd-1')).orderBook;
    expect(book.bids[0].map((d) => d.toFixed())).toEqual(['105900', '0.5']);
    const trade = body(FuturesHistoryResponse, futuresFixture('6.5-history-symbol-pf-xbtusd-1')).history[0];
    expect(trade).toMatchObject({ trade_id: 100, side: 'sell', type: 'fill' });
    expect(trade.size.toFixed()).toBe('25');
    const rates = body(FuturesHistoricalFundingRatesResponse, futuresFixture('6.6-historical-funding-rates-1')).rates;
    expect(rates[0].relativeFundingRate?.toString()).toBe('-0.000016898883333333');
  });

  it('decodes chart candles (no envelope, string OHLC)', () => {
    const candles = body(FuturesCandlesResponse, futuresFixture('7-charts-api-candles-public-1'));
    expect(candles.more_candles).toBe(false);
    expect(candles.candles[0].time).toBe(1731715200000);
    expect(candles.candles[0].high.toFixed()).toBe('91373.5');
    expect(candles.candles[0].volume.toFixed()).toBe('319499');
  });
});

describe('Futures REST order actions', () => {
  it('decodes sendorder answers: placed, rejected IOC, execution, trigger, insufficient funds', () => {
    const placed = body(FuturesSendOrderResponse, futuresFixture('8.1-sendorder-cost-10-1')).sendStatus;
    expect(placed).toMatchObject({ status: 'placed', order_id: '179f9af8-e45e-469d-b3e9-2fd4675cb7d0' });
    expect(placed.orderEvents?.[0].order?.quantity?.toFixed()).toBe('10000');
    const ioc = body(FuturesSendOrderResponse, futuresFixture('8.1-sendorder-cost-10-2')).sendStatus;
    expect(ioc.status).toBe('iocWouldNotExecute');
    expect(FUTURES_ACCEPTED_STATUSES.has(ioc.status)).toBe(false);
    expect(ioc.orderEvents?.[0]).toMatchObject({ type: 'REJECT', reason: 'IOC_WOULD_NOT_EXECUTE' });
    const exec = body(FuturesSendOrderResponse, futuresFixture('8.1-sendorder-cost-10-3')).sendStatus.orderEvents?.[0];
    expect(exec?.type).toBe('EXECUTION');
    expect(exec?.amount?.toFixed()).toBe('0.001');
    expect(exec?.orderPriorExecution?.limitPrice?.toFixed()).toBe('67261');
    const trigger = body(FuturesSendOrderResponse, futuresFixture('8.1-sendorder-cost-10-4')).sendStatus
      .orderEvents?.[0];
    expect(trigger?.orderTrigger).toMatchObject({
      symbol: 'pi_ethusd',
      triggerSide: 'trigger_below',
      triggerSignal: 'last_price',
    });
    const funds = body(FuturesSendOrderResponse, futuresFixture('8.1-sendorder-cost-10-5')).sendStatus;
    expect(funds).toMatchObject({ status: 'insufficientAvailableFunds' });
    expect(funds.order_id).toBeUndefined();
  });

  it('keeps an unknown send status', () => {
    const input = mutableFixture('futures', '8.1-sendorder-cost-10-5');
    (input.sendStatus as Record<string, unknown>).status = 'somethingNew';
    expect(body(FuturesSendOrderResponse, input).sendStatus.status).toBe('somethingNew');
  });

  it('decodes editorder, cancelorder, cancelallorders and the dead man switch', () => {
    const edit = body(FuturesEditOrderResponse, futuresFixture('8.2-editorder-cost-10-1')).editStatus;
    expect(edit.status).toBe('edited');
    expect(edit.orderEvents?.[0].new?.quantity?.toFixed()).toBe('1501');
    const cancel = body(FuturesCancelOrderResponse, futuresFixture('8.3-cancelorder-cost-10-1')).cancelStatus;
    expect(cancel).toMatchObject({ status: 'cancelled', order_id: 'cb4e34f6-4eb3-4d4b-9724-4c3035b99d47' });
    const all = body(FuturesCancelAllOrdersResponse, futuresFixture('8.4-cancelallorders-cost-25-1')).cancelStatus;
    expect(all.cancelOnly).toBe('all');
    expect(all.cancelledOrders).toHaveLength(2);
    expect(all.orderEvents?.[0].order?.stopPrice).toBeNull();
    const after = body(FuturesCancelAllOrdersAfterResponse, futuresFixture('8.5-cancelallordersafter-cost-25-dead-1'));
    expect(after.status.triggerTime - after.status.currentTime).toBe(60_000);
    const disarmed = body(FuturesCancelAllOrdersAfterResponse, {
      result: 'success',
      status: { currentTime: '2018-06-19T16:51:23.839Z', triggerTime: '0' },
    });
    expect(disarmed.status.triggerTime).toBe(0);
  });

  it('decodes batchorder statuses, whatever their order', () => {
    const batch = body(FuturesBatchOrderResponse, futuresFixture('8.6-batchorder-cost-9-number-5')).batchStatus;
    expect(batch.map((s) => s.status)).toEqual([
      'placed',
      'edited',
      'cancelled',
      'notFound',
      'insufficientAvailableFunds',
    ]);
    expect(batch[0].order_tag).toBe('1');
    expect(batch[3].cliOrdId).toBe('my_client_id');
  });

  it('decodes orders/status', () => {
    const entry = body(FuturesOrdersStatusResponse, futuresFixture('8.7-orders-status-cost-1-1')).orders[0];
    expect(entry).toMatchObject({ status: 'ENTERED_BOOK', updateReason: 'NEW_USER_ORDER', error: null });
    expect(entry.order.limitPrice?.toFixed()).toBe('1200');
  });
});

describe('Futures REST account data', () => {
  it('decodes open orders, fills and positions', () => {
    const orders = body(FuturesOpenOrdersResponse, futuresFixture('8.8-openorders-cost-2-1')).openOrders;
    expect(orders[1]).toMatchObject({ orderType: 'take_profit', triggerSignal: 'last', status: 'untouched' });
    expect(orders[1].stopPrice?.toFixed()).toBe('1880.4');
    const fills = body(FuturesFillsResponse, futuresFixture('8.9-fills-lastfilltime-iso-cost-1')).fills;
    expect(fills[1]).toMatchObject({ fillType: 'taker', cli_ord_id: 'my-order-ref-456', fee_currency: 'ETH' });
    expect(fills[1].fee_paid?.toFixed()).toBe('0.00685589');
    const positions = body(FuturesOpenPositionsResponse, futuresFixture('8.10-openpositions-cost-2-1')).openPositions;
    expect(positions.map((p) => p.side)).toEqual(['short', 'long', 'long']);
    expect(positions[2].maxFixedLeverage?.toFixed()).toBe('5');
  });

  it('decodes accounts of every type', () => {
    const { accounts } = body(FuturesAccountsResponse, futuresFixture('8.11-accounts-cost-2-1'));
    expect(accounts.cash.type).toBe('cashAccount');
    expect(accounts.cash.balances?.xbt.toFixed()).toBe('141.31756797');
    expect(accounts.fi_xbtusd.marginRequirements?.im.toFixed()).toBe('52.8');
    expect(accounts.flex.currencies?.XBT.available?.toFixed()).toBe('0.1185308247');
    expect(accounts.flex.availableMargin?.toFixed()).toBe('34122.66');
  });

  it('decodes leverage preferences (number or string)', () => {
    const prefs = body(FuturesLeveragePreferencesResponse, {
      result: 'success',
      leveragePreferences: [
        { symbol: 'PF_ETHUSD', maxLeverage: 30.0 },
        { symbol: 'PF_XBTUSD', maxLeverage: '5.00' },
      ],
    }).leveragePreferences;
    expect(prefs.map((p) => p.maxLeverage.toFixed())).toEqual(['30', '5']);
  });

  it('reports a wrong-typed field with its path', () => {
    const input = mutableFixture('futures', '8.10-openpositions-cost-2-1');
    (input.openPositions as Record<string, unknown>[])[1].size = 'big';
    const decoded = decodeFuturesResponse(FuturesOpenPositionsResponse, input, 'openpositions');
    expect(E.isLeft(decoded) && decoded.left).toBeInstanceOf(KrakenDecodeError);
    expect(E.isLeft(decoded) && (decoded.left as KrakenDecodeError).paths).toEqual(['openPositions.1.size']);
  });
});

describe('Futures History API', () => {
  it('decodes order events with continuation token', () => {
    const page = body(FuturesHistoryOrdersResponse, historyOrders);
    expect(page.continuationToken).toBe('QTexMDE0OTe33NTcyXy8xNDIzAjc1NjY5MwI=');
    const placed = page.elements[0].event.OrderPlaced;
    expect(placed?.order).toMatchObject({
      tradeable: 'PF_XBTUSD',
      direction: 'Buy',
      orderType: 'Limit',
      clientId: 'my-order-1',
    });
    expect(placed?.order.limitPrice?.toFixed()).toBe('50000');
    expect(placed?.reducedQuantity).toBe('');
    expect(page.elements[1].timestamp).toBe(1604937700000);
    expect(page.elements[1].event.OrderUpdated?.reason).toBe('full_fill');
  });

  it('keeps an unknown order event', () => {
    const page = body(FuturesHistoryOrdersResponse, {
      elements: [{ uid: 'x', timestamp: 1, event: { OrderTeleported: { order: {} } } }],
    });
    expect(page.continuationToken).toBeUndefined();
    expect(Object.keys(page.elements[0].event)).toEqual(['OrderTeleported']);
  });

  it('decodes executions under either spelling of the event key', () => {
    const page = body(FuturesHistoryExecutionsResponse, historyExecutions);
    expect(historyExecutionOf(page.elements[0])?.price.toFixed()).toBe('50000');
    const market = body(FuturesHistoryExecutionsResponse, {
      elements: [{ uid: 'm', timestamp: 1, event: { Execution: historyExecutions.elements[0].event.execution } }],
    });
    expect(historyExecutionOf(market.elements[0])?.uid).toBe('exec-1');
  });

  it('decodes the account log', () => {
    const log = body(FuturesAccountLogResponse, futuresFixture('9.4-account-log-cost-1-1')).logs[0];
    expect(log).toMatchObject({ id: 1697, info: 'futures trade', contract: 'PF_XBTUSD', realized_pnl: null });
    expect(log.new_balance?.toFixed()).toBe('0.01');
  });
});
