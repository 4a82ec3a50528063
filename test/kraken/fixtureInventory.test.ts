/**
 * Every `json` fixture of the two wire references is accounted for: each inbound message decodes with its
 * codec, and the rest are listed as outbound requests (encoders' business, not decoders').
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import { decodeOrError } from '../../src/kraken/common/decode';
import * as futuresRest from '../../src/kraken/futures/rest';
import { FuturesWsMessage } from '../../src/kraken/futures/ws';
import * as spotRest from '../../src/kraken/spot/rest';
import { SpotWsMessage } from '../../src/kraken/spot/ws';
import { futuresFixture, spotFixture } from './fixtures';

type Expectation = t.Decoder<unknown, unknown> | 'request' | 'api-error';

const spotRestResult = (codec: t.Decoder<unknown, unknown>) => ({ rest: codec });

const SPOT: Record<string, Expectation | { rest: t.Decoder<unknown, unknown> }> = {
  '1.1-response-envelope-1': spotRestResult(spotRest.SpotTimeResult),
  '1.1-response-envelope-2': 'api-error',
  '2.1-time-1': spotRestResult(spotRest.SpotTimeResult),
  '2.2-systemstatus-1': spotRestResult(spotRest.SpotSystemStatusResult),
  '2.3-assets-1': spotRestResult(spotRest.SpotAssetsResult),
  '2.4-assetpairs-1': spotRestResult(spotRest.SpotAssetPairsResult),
  '2.5-ticker-1': spotRestResult(spotRest.SpotTickerResult),
  '2.6-ohlc-1': spotRestResult(spotRest.SpotOhlcResult),
  '2.7-trades-recent-public-trades-1': spotRestResult(spotRest.SpotTradesResult),
  '2.8-depth-order-book-snapshot-1': spotRestResult(spotRest.SpotDepthResult),
  '3.1-balance-1': spotRestResult(spotRest.SpotBalanceResult),
  '3.2-balanceex-1': spotRestResult(spotRest.SpotBalanceExResult),
  '3.3-tradebalance-1': spotRestResult(spotRest.SpotTradeBalanceResult),
  '3.5-openorders-1': spotRestResult(spotRest.SpotOpenOrdersResult),
  '3.6-closedorders-paginated-1': spotRestResult(spotRest.SpotClosedOrdersResult),
  '3.7-queryorders-1': spotRestResult(spotRest.SpotQueryOrdersResult),
  '3.8-tradeshistory-paginated-fills-1': spotRestResult(spotRest.SpotTradesHistoryResult),
  '4.1-addorder-1': 'request',
  '4.1-addorder-2': spotRestResult(spotRest.SpotAddOrderResult),
  '4.2-addorderbatch-1': 'request',
  '4.2-addorderbatch-2': spotRestResult(spotRest.SpotAddOrderBatchResult),
  '4.3-amendorder-in-place-modify-1': 'request',
  '4.3-amendorder-in-place-modify-2': spotRestResult(spotRest.SpotAmendOrderResult),
  '4.4-editorder-legacy-cancel-and-1': 'request',
  '4.4-editorder-legacy-cancel-and-2': spotRestResult(spotRest.SpotEditOrderResult),
  '4.5-cancelorder-1': 'request',
  '4.5-cancelorder-2': spotRestResult(spotRest.SpotCancelOrderResult),
  '4.7-cancelallordersafter-dead-mans-switch-1': spotRestResult(spotRest.SpotCancelAllOrdersAfterResult),
  '4.8-cancelorderbatch-1': 'request',
  '4.8-cancelorderbatch-2': spotRestResult(spotRest.SpotCancelOrderBatchResult),
  '4.9-getwebsocketstoken-1': spotRestResult(spotRest.SpotGetWebSocketsTokenResult),
};

const FUTURES: Record<string, Expectation> = {
  '3.3-test-vectors-verified-in-1': 'request',
  '4.1-shapes-1': 'api-error',
  '4.1-shapes-2': 'api-error',
  '4.1-shapes-3': 'api-error',
  '6.1-instruments-1': futuresRest.FuturesInstrumentsResponse,
  '6.2-instruments-status-and-instruments-1': futuresRest.FuturesInstrumentStatusResponse,
  '6.3-tickers-and-tickers-symbol-1': futuresRest.FuturesTickersResponse,
  '6.4-orderbook-symbol-pf-xbtusd-1': futuresRest.FuturesOrderBookResponse,
  '6.5-history-symbol-pf-xbtusd-1': futuresRest.FuturesHistoryResponse,
  '6.6-historical-funding-rates-1': futuresRest.FuturesHistoricalFundingRatesResponse,
  '7-charts-api-candles-public-1': futuresRest.FuturesCandlesResponse,
  '8.1-sendorder-cost-10-1': futuresRest.FuturesSendOrderResponse,
  '8.1-sendorder-cost-10-2': futuresRest.FuturesSendOrderResponse,
  '8.1-sendorder-cost-10-3': futuresRest.FuturesSendOrderResponse,
  '8.1-sendorder-cost-10-4': futuresRest.FuturesSendOrderResponse,
  '8.1-sendorder-cost-10-5': futuresRest.FuturesSendOrderResponse,
  '8.2-editorder-cost-10-1': futuresRest.FuturesEditOrderResponse,
  '8.3-cancelorder-cost-10-1': futuresRest.FuturesCancelOrderResponse,
  '8.4-cancelallorders-cost-25-1': futuresRest.FuturesCancelAllOrdersResponse,
  '8.5-cancelallordersafter-cost-25-dead-1': futuresRest.FuturesCancelAllOrdersAfterResponse,
  '8.6-batchorder-cost-9-number-1': 'request',
  '8.6-batchorder-cost-9-number-2': 'request',
  '8.6-batchorder-cost-9-number-3': 'request',
  '8.6-batchorder-cost-9-number-4': 'request',
  '8.6-batchorder-cost-9-number-5': futuresRest.FuturesBatchOrderResponse,
  '8.7-orders-status-cost-1-1': futuresRest.FuturesOrdersStatusResponse,
  '8.8-openorders-cost-2-1': futuresRest.FuturesOpenOrdersResponse,
  '8.9-fills-lastfilltime-iso-cost-1': futuresRest.FuturesFillsResponse,
  '8.10-openpositions-cost-2-1': futuresRest.FuturesOpenPositionsResponse,
  '8.11-accounts-cost-2-1': futuresRest.FuturesAccountsResponse,
  '8.12-leverage-preferences-isolated-vs-1': futuresRest.FuturesLeveragePreferencesResponse,
  '9.4-account-log-cost-1-1': futuresRest.FuturesAccountLogResponse,
};

function names(venue: 'spot' | 'futures'): string[] {
  return readdirSync(join(__dirname, '..', 'fixtures', venue))
    .filter((f) => f.endsWith('.json.txt'))
    .map((f) => f.slice(0, -'.json.txt'.length))
    .sort();
}

/** WS frames: a Spot request carries `params` or is a bare `ping`; a Futures request is `subscribe`/`unsubscribe`/`challenge` with `api_key`. */
function isSpotWsRequest(frame: Record<string, unknown>): boolean {
  return 'params' in frame || frame.method === 'ping';
}
function isFuturesWsRequest(frame: Record<string, unknown>): boolean {
  return (
    frame.event === 'subscribe' || frame.event === 'unsubscribe' || (frame.event === 'challenge' && 'api_key' in frame)
  );
}

describe('Spot fixtures', () => {
  const all = names('spot');

  it('are all accounted for', () => {
    expect(all).toHaveLength(80);
  });

  it.each(all)('%s decodes (or is an outbound request)', (name) => {
    const frame = spotFixture(name) as Record<string, unknown>;
    const expectation = SPOT[name];
    if (expectation === 'request') return;
    if (expectation === 'api-error') {
      expect(E.isLeft(spotRest.decodeSpotResult(spotRest.SpotTimeResult, frame, name))).toBe(true);
      return;
    }
    if (expectation !== undefined && typeof expectation === 'object' && 'rest' in expectation) {
      const decoded = spotRest.decodeSpotResult(expectation.rest, frame, name);
      if (E.isLeft(decoded)) throw decoded.left;
      return;
    }
    // everything from §5 on is a WebSocket frame
    expect(expectation).toBeUndefined();
    expect(Number(name.split('.')[0])).toBeGreaterThanOrEqual(5);
    if (isSpotWsRequest(frame)) return;
    const decoded = decodeOrError(SpotWsMessage, frame, name);
    if (E.isLeft(decoded)) throw decoded.left;
  });
});

describe('Futures fixtures', () => {
  const all = names('futures');

  it('are all accounted for', () => {
    expect(all).toHaveLength(63);
  });

  it.each(all)('%s decodes (or is an outbound request)', (name) => {
    const frame = futuresFixture(name) as Record<string, unknown>;
    const expectation = FUTURES[name];
    if (expectation === 'request') return;
    if (expectation === 'api-error') {
      expect(futuresRest.futuresErrors(frame)).toBeDefined();
      return;
    }
    if (expectation !== undefined) {
      const decoded = futuresRest.decodeFuturesResponse(expectation, frame, name);
      if (E.isLeft(decoded)) throw decoded.left;
      return;
    }
    expect(name.startsWith('12.')).toBe(true);
    if (isFuturesWsRequest(frame)) return;
    const decoded = decodeOrError(FuturesWsMessage, frame, name);
    if (E.isLeft(decoded)) throw decoded.left;
  });
});
