import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import { KrakenApiError, KrakenDecodeError, KrakenRateLimitError } from '../../../src/errors';
import {
  decodeSpotResult,
  SpotAddOrderBatchResult,
  SpotAddOrderResult,
  SpotAmendOrderResult,
  SpotAssetPairsResult,
  SpotAssetsResult,
  SpotBalanceExResult,
  SpotBalanceResult,
  SpotCancelAllOrdersAfterResult,
  SpotCancelOrderBatchResult,
  SpotCancelOrderResult,
  SpotClosedOrdersResult,
  SpotDepthResult,
  SpotEditOrderResult,
  SpotGetWebSocketsTokenResult,
  SpotOhlcResult,
  SpotOpenOrdersResult,
  SpotQueryOrdersResult,
  SpotSystemStatusResult,
  SpotTickerResult,
  SpotTimeResult,
  SpotTradeBalanceResult,
  SpotTradesHistoryResult,
  SpotTradesResult,
} from '../../../src/kraken/spot/rest';
import { mutableFixture, spotFixture } from '../fixtures';

function result<A>(codec: t.Decoder<unknown, A>, fixture: string, body: unknown = spotFixture(fixture)): A {
  const decoded = decodeSpotResult(codec, body, fixture);
  if (E.isLeft(decoded)) throw decoded.left;
  return decoded.right;
}

describe('Spot REST envelope', () => {
  it('turns error strings into a KrakenApiError', () => {
    const decoded = decodeSpotResult(SpotTimeResult, spotFixture('1.1-response-envelope-2'), 'AddOrder');
    if (E.isRight(decoded)) throw new Error('expected an API error');
    expect(decoded.left).toBeInstanceOf(KrakenApiError);
    expect((decoded.left as KrakenApiError).reason).toBe('EGeneral:Invalid arguments:ordertype');
  });

  it('turns a rate-limit error into a KrakenRateLimitError', () => {
    const decoded = decodeSpotResult(SpotTimeResult, { error: ['EAPI:Rate limit exceeded'] }, 'Balance');
    expect(E.isLeft(decoded) && decoded.left).toBeInstanceOf(KrakenRateLimitError);
  });

  it('ignores warnings and decodes the result', () => {
    const body = { error: ['WGeneral:Deprecated'], result: { unixtime: 1, rfc1123: 'x' } };
    expect(result(SpotTimeResult, 'warning', body).unixtime).toBe(1);
  });

  it('reports a wrong-typed field with its path under result', () => {
    const body = mutableFixture('spot', '2.4-assetpairs-1');
    ((body.result as Record<string, Record<string, unknown>>).XXBTZUSD as Record<string, unknown>).pair_decimals = '1';
    const decoded = decodeSpotResult(SpotAssetPairsResult, body, 'AssetPairs');
    if (E.isRight(decoded)) throw new Error('expected a decode error');
    expect(decoded.left).toBeInstanceOf(KrakenDecodeError);
    expect((decoded.left as KrakenDecodeError).paths).toEqual(['result.XXBTZUSD.pair_decimals']);
  });

  it('rejects a body without an error array', () => {
    const decoded = decodeSpotResult(SpotTimeResult, { result: {} }, 'Time');
    expect(E.isLeft(decoded) && (decoded.left as KrakenDecodeError).paths).toEqual(['error']);
  });
});

describe('Spot REST public endpoints', () => {
  it('decodes Time and SystemStatus', () => {
    expect(result(SpotTimeResult, '1.1-response-envelope-1')).toEqual({
      unixtime: 1688669448,
      rfc1123: 'Thu, 06 Jul 23 18:50:48 +0000',
    });
    expect(result(SpotTimeResult, '2.1-time-1').unixtime).toBe(1688669448);
    expect(result(SpotSystemStatusResult, '2.2-systemstatus-1')).toEqual({
      status: 'online',
      timestamp: Date.UTC(2023, 6, 6, 18, 52),
    });
  });

  it('decodes Assets', () => {
    const assets = result(SpotAssetsResult, '2.3-assets-1');
    expect(Object.keys(assets)).toEqual(['XXBT', 'ZEUR', 'ZUSD']);
    expect(assets.XXBT).toMatchObject({ altname: 'XBT', decimals: 10, display_decimals: 5, status: 'enabled' });
  });

  it('decodes AssetPairs with decimals and fee tiers', () => {
    const pair = result(SpotAssetPairsResult, '2.4-assetpairs-1').XXBTZUSD;
    expect(pair).toMatchObject({ altname: 'XBTUSD', wsname: 'XBT/USD', base: 'XXBT', quote: 'ZUSD' });
    expect(pair.pair_decimals).toBe(1);
    expect(pair.lot_decimals).toBe(8);
    expect(pair.ordermin?.toFixed()).toBe('0.0001');
    expect(pair.costmin?.toFixed()).toBe('0.5');
    expect(pair.tick_size?.toFixed()).toBe('0.1');
    expect(pair.fees?.[0][0]).toBe(0);
    expect(pair.fees?.[0][1].toFixed()).toBe('0.26');
    expect(pair.fees_maker?.[8][1].toFixed()).toBe('0');
    expect(pair.leverage_buy).toEqual([2, 3, 4, 5]);
  });

  it('decodes Ticker arrays', () => {
    const ticker = result(SpotTickerResult, '2.5-ticker-1').XXBTZUSD;
    expect(ticker.a.map((d) => d.toFixed())).toEqual(['30300.1', '1', '1']);
    expect(ticker.c[0].toFixed()).toBe('30303.2');
    expect(ticker.t).toEqual([34619, 38907]);
    expect(ticker.o?.toFixed()).toBe('30502.8');
  });

  it('decodes OHLC rows (VWAP before volume) and keeps the last cursor apart', () => {
    const ohlc = result(SpotOhlcResult, '2.6-ohlc-1');
    expect(ohlc.last).toBe(1688672160);
    const rows = ohlc.pairs.XXBTZUSD;
    expect(rows).toHaveLength(2);
    expect(rows[0].time).toBe(1688671200000);
    expect(rows[0].open.toFixed()).toBe('30306.1');
    expect(rows[0].high.toFixed()).toBe('30306.2');
    expect(rows[0].close.toFixed()).toBe('30305.7');
    expect(rows[0].vwap.toFixed()).toBe('30306.1');
    expect(rows[0].volume.toFixed()).toBe('3.39243896');
    expect(rows[0].count).toBe(23);
  });

  it('accepts OHLC rows whose prices are numbers and names a bad element', () => {
    const rows = { XXBTZUSD: [[1688671200, 30306.1, '30306.2', 30305.7, '30305.7', '30306.1', 3.5, 23]], last: 1 };
    expect(result(SpotOhlcResult, 'OHLC', { error: [], result: rows }).pairs.XXBTZUSD[0].volume.toFixed()).toBe('3.5');
    const bad = { XXBTZUSD: [[1688671200, '30306.1', 'x', '1', '1', '1', '1', 1]], last: 1 };
    const decoded = decodeSpotResult(SpotOhlcResult, { error: [], result: bad }, 'OHLC');
    expect(E.isLeft(decoded) && (decoded.left as KrakenDecodeError).paths).toEqual(['result.XXBTZUSD.0.2']);
  });

  it('decodes Trades rows and the string cursor', () => {
    const trades = result(SpotTradesResult, '2.7-trades-recent-public-trades-1');
    expect(trades.last).toBe('1688671969993150842');
    const [first, second] = trades.pairs.XXBTZUSD;
    expect(first.price.toFixed()).toBe('30243.4');
    expect(first.volume.toFixed()).toBe('0.34507674');
    expect(first.time).toBeCloseTo(1688669597827.737, 2);
    expect(first).toMatchObject({ side: 'b', orderType: 'm', misc: '', tradeId: 61044952 });
    expect(second).toMatchObject({ side: 's', orderType: 'l', tradeId: 61044953 });
  });

  it('decodes Depth levels', () => {
    const depth = result(SpotDepthResult, '2.8-depth-order-book-snapshot-1').XXBTZUSD;
    expect(depth.asks[0].price.toFixed()).toBe('30384.1');
    expect(depth.asks[0].volume.toFixed()).toBe('2.059');
    expect(depth.asks[0].timestamp).toBe(1688671659000);
    expect(depth.bids.map((l) => l.price.toFixed())).toEqual(['30297', '30296.7']);
  });
});

describe('Spot REST account endpoints', () => {
  it('decodes Balance, BalanceEx (strings or numbers) and TradeBalance', () => {
    const balance = result(SpotBalanceResult, '3.1-balance-1');
    expect(balance.XXBT.toFixed()).toBe('1011.19088779');
    expect(balance['USD.M'].toFixed()).toBe('1213029.278');
    const ex = result(SpotBalanceExResult, '3.2-balanceex-1');
    expect(ex.ZUSD.balance.toFixed()).toBe('25435.21');
    expect(ex.ZUSD.hold_trade?.toFixed()).toBe('8249.76');
    const numeric = result(SpotBalanceExResult, 'BalanceEx', { error: [], result: { ZUSD: { balance: 1.5 } } });
    expect(numeric.ZUSD.balance.toFixed()).toBe('1.5');
    const tb = result(SpotTradeBalanceResult, '3.3-tradebalance-1');
    expect(tb.eb?.toFixed()).toBe('1101.3425');
    expect(tb.n?.toFixed()).toBe('-10.0232');
  });

  it('decodes OpenOrders', () => {
    const order = result(SpotOpenOrdersResult, '3.5-openorders-1').open['OQCLML-BW3P3-BUCMWZ'];
    expect(order.status).toBe('open');
    expect(order.opentm).toBeCloseTo(1688666559897.4, 3);
    expect(order.starttm).toBe(0);
    expect(order.descr).toMatchObject({ pair: 'XBTUSD', type: 'buy', ordertype: 'limit' });
    expect(order.descr.price?.toFixed()).toBe('30010');
    expect(order.vol.toFixed()).toBe('1.25');
    expect(order.vol_exec?.toFixed()).toBe('0.375');
    expect(order.trades).toEqual(['TCCCTY-WE2O6-P3NB37']);
    expect(order.refid).toBeNull();
  });

  it('decodes ClosedOrders with count and QueryOrders as a flat map', () => {
    const closed = result(SpotClosedOrdersResult, '3.6-closedorders-paginated-1');
    expect(closed.count).toBe(2);
    expect(closed.closed['O37652-RJWRT-IMO74O']).toMatchObject({
      status: 'canceled',
      reason: 'User requested',
      trigger: 'index',
    });
    const query = result(SpotQueryOrdersResult, '3.7-queryorders-1');
    expect(query['OBCMZD-JIEE7-77TH3F'].fee?.toFixed()).toBe('26.2');
    expect(query['OBCMZD-JIEE7-77TH3F'].reason).toBeNull();
  });

  it('keeps an unknown order status', () => {
    const body = mutableFixture('spot', '3.7-queryorders-1');
    (body.result as Record<string, Record<string, unknown>>)['OBCMZD-JIEE7-77TH3F'].status = 'quarantined';
    expect(result(SpotQueryOrdersResult, 'QueryOrders', body)['OBCMZD-JIEE7-77TH3F'].status).toBe('quarantined');
  });

  it('decodes TradesHistory with count', () => {
    const history = result(SpotTradesHistoryResult, '3.8-tradeshistory-paginated-fills-1');
    expect(history.count).toBe(1);
    const trade = history.trades['THVRQM-33VKH-UCI7BS'];
    expect(trade).toMatchObject({
      ordertxid: 'OQCLML-BW3P3-BUCMWZ',
      pair: 'XXBTZUSD',
      type: 'buy',
      trade_id: 40274859,
      maker: true,
    });
    expect(trade.time).toBeCloseTo(1688667796880.2, 3);
    expect(trade.price.toFixed()).toBe('30010');
    expect(trade.vol.toFixed()).toBe('0.02');
  });
});

describe('Spot REST trading endpoints', () => {
  it('decodes AddOrder (txid array) and a validate-only answer (no txid)', () => {
    expect(result(SpotAddOrderResult, '4.1-addorder-2').txid).toEqual(['OUF4EM-FRGI2-MQMWZD']);
    expect(
      result(SpotAddOrderResult, 'AddOrder', { error: [], result: { descr: { order: 'x' } } }).txid,
    ).toBeUndefined();
  });

  it('decodes AddOrderBatch entries, including a refused one', () => {
    const batch = result(SpotAddOrderBatchResult, '4.2-addorderbatch-2');
    expect(batch.orders.map((o) => o.txid)).toEqual(['65LRD3-AHGRA-YAH8E5', 'OK8HFF-5J2PL-XLR17S']);
    const refused = result(SpotAddOrderBatchResult, 'x', {
      error: [],
      result: { orders: [{ error: 'EOrder:Insufficient funds' }] },
    });
    expect(refused.orders[0].error).toBe('EOrder:Insufficient funds');
  });

  it('decodes AmendOrder, EditOrder and the cancel family', () => {
    expect(result(SpotAmendOrderResult, '4.3-amendorder-in-place-modify-2').amend_id).toBe('TEZA4R-DSDGT-IJBOJK');
    const edit = result(SpotEditOrderResult, '4.4-editorder-legacy-cancel-and-2');
    expect(edit).toMatchObject({
      status: 'ok',
      txid: 'OFVXHJ-KPQ3B-VS7ELA',
      originaltxid: 'OHYO67-6LP66-HMQ437',
      orders_cancelled: 1,
    });
    expect(edit.price2?.toFixed()).toBe('26500');
    expect(result(SpotCancelOrderResult, '4.5-cancelorder-2').count).toBe(1);
    expect(result(SpotCancelOrderBatchResult, '4.8-cancelorderbatch-2').count).toBe(2);
    const after = result(SpotCancelAllOrdersAfterResult, '4.7-cancelallordersafter-dead-mans-switch-1');
    expect(after.triggerTime - after.currentTime).toBe(60_000);
  });

  it('decodes GetWebSocketsToken', () => {
    expect(result(SpotGetWebSocketsTokenResult, '4.9-getwebsocketstoken-1')).toEqual({
      token: '1Dwc4lzSwNWOAwkMdqhssNNFhs1ed606d1WcF3XfEMw',
      expires: 900,
    });
  });
});
