import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import { decodeOrError } from '../../../src/kraken/common/decode';
import { instrumentFinder } from '../../../src/kraken/common/symbols';
import {
  decodeSpotResult,
  SpotAssetPairsResult,
  SpotBalanceExResult,
  SpotBalanceResult,
  SpotClosedOrdersResult,
  SpotDepthResult,
  SpotOhlcResult,
  SpotOpenOrdersResult,
  SpotQueryOrdersResult,
  SpotTradesHistoryResult,
  SpotTradesResult,
} from '../../../src/kraken/spot/rest';
import {
  incrementFromDecimals,
  parseSpotAssetPair,
  parseSpotAssetPairs,
  parseSpotBalance,
  parseSpotBalanceEx,
  parseSpotDepth,
  parseSpotFill,
  parseSpotOhlcRow,
  parseSpotOrder,
  parseSpotTradeRow,
  parseSpotWsBalances,
  parseSpotWsBookDeltas,
  parseSpotWsFill,
  parseSpotWsOhlc,
  parseSpotWsTicker,
  parseSpotWsTrade,
  spotOrderStatus,
  spotOrderType,
  spotWsBookMessage,
} from '../../../src/kraken/spot/parsers';
import { SpotWsMessage, type SpotWsDataMessage } from '../../../src/kraken/spot/ws';
import { BarType, InstrumentId } from '../../../src/model/identifiers';
import { Decimal } from '../../../src/model/decimal';
import { mutableFixture, spotFixture } from '../fixtures';

const TS_INIT = 1_700_000_000_000;
const ACCOUNT = 'KRAKEN-SPOT';

function result<A>(codec: t.Decoder<unknown, A>, body: unknown): A {
  const decoded = decodeSpotResult(codec, body, 'test');
  if (E.isLeft(decoded)) throw decoded.left;
  return decoded.right;
}

function ws<C extends SpotWsDataMessage['channel']>(channel: C, body: unknown) {
  const decoded = decodeOrError(SpotWsMessage, body, 'ws');
  if (E.isLeft(decoded)) throw decoded.left;
  const message = decoded.right;
  if (!('channel' in message) || message.channel !== channel) throw new Error(`expected ${channel}`);
  return message as Extract<SpotWsDataMessage, { channel: C }>;
}

/** The AssetPairs fixture plus two realistic entries: ETH/XBT and Tezos (XTZ, which must not lose its X). */
function assetPairs() {
  const body = mutableFixture('spot', '2.4-assetpairs-1');
  const xbtusd = (body.result as Record<string, Record<string, unknown>>).XXBTZUSD;
  Object.assign(body.result as object, {
    XETHXXBT: {
      ...xbtusd,
      altname: 'ETHXBT',
      wsname: 'ETH/XBT',
      base: 'XETH',
      quote: 'XXBT',
      pair_decimals: 5,
      lot_decimals: 8,
      ordermin: '0.002',
      costmin: '0.00002',
      tick_size: undefined,
      fees: [[0, 0.4]],
      fees_maker: undefined,
    },
    XTZUSD: {
      ...xbtusd,
      altname: 'XTZUSD',
      wsname: 'XTZ/USD',
      base: 'XTZ',
      quote: 'ZUSD',
      pair_decimals: 4,
      lot_decimals: 8,
    },
  });
  return result(SpotAssetPairsResult, JSON.parse(JSON.stringify(body)));
}

describe('parseSpotAssetPair', () => {
  const pairs = assetPairs();

  it('builds BTC/USD from XXBTZUSD with precision, increments, minimums and fees', () => {
    const pair = parseSpotAssetPair('XXBTZUSD', pairs.XXBTZUSD, TS_INIT);
    expect(pair.kind).toBe('CurrencyPair');
    expect(pair.id.toString()).toBe('BTC/USD.KRAKEN');
    expect(pair).toMatchObject({
      rawSymbol: 'XXBTZUSD',
      productType: 'SPOT',
      base: 'BTC',
      quote: 'USD',
      settlement: 'USD',
      isInverse: false,
      pricePrecision: 1,
      sizePrecision: 8,
      wsName: 'BTC/USD',
      altName: 'XBTUSD',
      aliases: ['XXBTZUSD', 'XBTUSD', 'XBT/USD'],
      tsEvent: TS_INIT,
      tsInit: TS_INIT,
    });
    expect(pair.priceIncrement.toFixed()).toBe('0.1');
    expect(pair.sizeIncrement.toFixed()).toBe('0.00000001');
    expect(Decimal.isDecimal(pair.minQuantity)).toBe(true);
    expect(pair.minQuantity?.toFixed()).toBe('0.0001');
    expect(pair.minNotional?.toFixed()).toBe('0.5');
    expect(pair.takerFee.toFixed()).toBe('0.0026');
    expect(pair.makerFee.toFixed()).toBe('0.0016');
  });

  it('gives ETH/BTC for ETH/XBT, with the increment from pair_decimals when tick_size is absent', () => {
    const pair = parseSpotAssetPair('XETHXXBT', pairs.XETHXXBT, TS_INIT);
    expect(pair.id.symbol).toBe('ETH/BTC');
    expect(pair.wsName).toBe('ETH/BTC');
    expect(pair.aliases).toEqual(['XETHXXBT', 'ETHXBT', 'ETH/XBT']);
    expect(pair.pricePrecision).toBe(5);
    expect(pair.priceIncrement.toFixed()).toBe('0.00001');
    expect(pair.minQuantity?.toFixed()).toBe('0.002');
    // no maker schedule: the taker tier applies to both
    expect(pair.makerFee.toFixed()).toBe('0.004');
    expect(pair.takerFee.toFixed()).toBe('0.004');
  });

  it('keeps XTZ as XTZ', () => {
    const pair = parseSpotAssetPair('XTZUSD', pairs.XTZUSD, TS_INIT);
    expect(pair.id.symbol).toBe('XTZ/USD');
    expect(pair.base).toBe('XTZ');
  });

  it('parses a whole result and the pairs can be found by any Kraken name', () => {
    const all = parseSpotAssetPairs(pairs, TS_INIT);
    expect(all.map((p) => p.id.symbol)).toEqual(['BTC/USD', 'ETH/BTC', 'XTZ/USD']);
    const find = instrumentFinder(all);
    expect(find('XBTUSD')?.id.symbol).toBe('BTC/USD');
    expect(find('ETH/XBT')?.id.symbol).toBe('ETH/BTC');
    expect(find('ETH/BTC')?.rawSymbol).toBe('XETHXXBT');
  });

  it('computes increments from decimals', () => {
    expect(incrementFromDecimals(0).toFixed()).toBe('1');
    expect(incrementFromDecimals(4).toFixed()).toBe('0.0001');
  });
});

describe('Spot market data parsers', () => {
  const btcUsd = InstrumentId.from('BTC/USD.KRAKEN');
  const matic = InstrumentId.from('MATIC/USD.KRAKEN');

  it('turns an OHLC row into a bar closing one interval after it opened', () => {
    const barType = BarType.from('BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL');
    const row = result(SpotOhlcResult, spotFixture('2.6-ohlc-1')).pairs.XXBTZUSD[0];
    const bar = parseSpotOhlcRow(row, barType, TS_INIT);
    expect(bar.barType).toBe(barType);
    expect(bar.tsEvent).toBe(1688671200000 + 60_000);
    expect(bar.tsInit).toBe(TS_INIT);
    expect([bar.open, bar.high, bar.low, bar.close, bar.volume].map((d) => d.toFixed())).toEqual([
      '30306.1',
      '30306.2',
      '30305.7',
      '30305.7',
      '3.39243896',
    ]);
  });

  it('turns a WS ohlc candle into a bar closing at interval_begin + interval', () => {
    const barType = BarType.from('MATIC/USD.KRAKEN-5-MINUTE-LAST-EXTERNAL');
    const candle = ws('ohlc', spotFixture('7.4-ohlc-2')).data[0];
    const bar = parseSpotWsOhlc(candle, barType, TS_INIT);
    expect(bar.tsEvent).toBe(Date.UTC(2023, 9, 4, 16, 30));
    expect(bar.open.toFixed()).toBe('0.5624');
    expect(bar.volume.toFixed()).toBe('30927.68066226');
  });

  it('turns REST trades into ticks with the taker as aggressor', () => {
    const [buy, sell] = result(SpotTradesResult, spotFixture('2.7-trades-recent-public-trades-1')).pairs.XXBTZUSD;
    const tick = parseSpotTradeRow(buy, btcUsd, TS_INIT);
    expect(tick).toMatchObject({ instrumentId: btcUsd, aggressorSide: 'BUYER', tradeId: '61044952', tsInit: TS_INIT });
    expect(tick.price.toFixed()).toBe('30243.4');
    expect(tick.size.toFixed()).toBe('0.34507674');
    expect(tick.tsEvent).toBeCloseTo(1688669597827.737, 2);
    expect(parseSpotTradeRow(sell, btcUsd, TS_INIT).aggressorSide).toBe('SELLER');
  });

  it('turns WS trades into ticks', () => {
    const trade = ws('trade', spotFixture('7.3-trade-2')).data[0];
    const tick = parseSpotWsTrade(trade, matic, TS_INIT);
    expect(tick).toMatchObject({ aggressorSide: 'SELLER', tradeId: '4665906' });
    expect(tick.price.toFixed()).toBe('0.5117');
    expect(tick.size.toFixed()).toBe('40');
    expect(tick.tsEvent).toBeCloseTo(Date.parse('2023-09-25T07:49:37.708Z') + 0.706, 3);
  });

  it('turns a WS ticker into a quote', () => {
    const ticker = ws('ticker', spotFixture('7.1-ticker-level-1-2')).data[0];
    const quote = parseSpotWsTicker(ticker, InstrumentId.from('ALGO/USD.KRAKEN'), TS_INIT);
    expect(quote?.bidPrice.toFixed()).toBe('0.10025');
    expect(quote?.askSize.toFixed()).toBe('1361.44813783');
    expect(parseSpotWsTicker({ symbol: 'ALGO/USD' }, InstrumentId.from('ALGO/USD.KRAKEN'), TS_INIT)).toBeUndefined();
  });

  it('maps WS book payloads to the orderBook operator input with the pair precision', () => {
    const snapshot = ws('book', spotFixture('7.2-book-level-2-aggregated-3'));
    const message = spotWsBookMessage(
      snapshot.type,
      snapshot.data[0],
      { id: btcUsd, pricePrecision: 1, sizePrecision: 8 },
      TS_INIT,
    );
    expect(message).toMatchObject({ kind: 'snapshot', checksum: 3310070434, pricePrecision: 1, sizePrecision: 8 });
    expect(message.bids[0]).toEqual({ price: 45283.5, size: 0.1 });
    expect(message.asks).toHaveLength(10);
  });

  it('maps WS book payloads to deltas: CLEAR + ADD on snapshots, DELETE for qty 0 on updates', () => {
    const snapshot = ws('book', spotFixture('7.2-book-level-2-aggregated-3'));
    const deltas = parseSpotWsBookDeltas('snapshot', snapshot.data[0], btcUsd, TS_INIT);
    expect(deltas.isSnapshot).toBe(true);
    expect(deltas.deltas[0].action).toBe('CLEAR');
    expect(deltas.deltas).toHaveLength(21);
    expect(deltas.deltas[1]).toMatchObject({ action: 'ADD', side: 'BID' });
    const update = parseSpotWsBookDeltas(
      'update',
      { symbol: 'BTC/USD', bids: [{ price: 1, qty: 0 }], asks: [{ price: 2, qty: 3 }], checksum: 1 },
      btcUsd,
      TS_INIT,
    );
    expect(update.deltas.map((d) => [d.action, d.side])).toEqual([
      ['DELETE', 'BID'],
      ['UPDATE', 'ASK'],
    ]);
    expect(update.tsEvent).toBe(TS_INIT);
  });

  it('maps a REST Depth entry to a snapshot', () => {
    const depth = result(SpotDepthResult, spotFixture('2.8-depth-order-book-snapshot-1')).XXBTZUSD;
    const deltas = parseSpotDepth(depth, btcUsd, TS_INIT);
    expect(deltas.isSnapshot).toBe(true);
    expect(deltas.deltas).toHaveLength(5);
    expect(deltas.tsEvent).toBe(1688671674000);
  });
});

describe('Spot order and fill reports', () => {
  const btcUsd = InstrumentId.from('BTC/USD.KRAKEN');
  const btcGbp = InstrumentId.from('BTC/GBP.KRAKEN');

  it('reports an open, partly filled limit order', () => {
    const open = result(SpotOpenOrdersResult, spotFixture('3.5-openorders-1')).open;
    const report = parseSpotOrder('OQCLML-BW3P3-BUCMWZ', open['OQCLML-BW3P3-BUCMWZ'], btcUsd, ACCOUNT, TS_INIT);
    expect(report).toMatchObject({
      accountId: ACCOUNT,
      instrumentId: btcUsd,
      venueOrderId: 'OQCLML-BW3P3-BUCMWZ',
      orderSide: 'BUY',
      orderType: 'LIMIT',
      timeInForce: 'GTC',
      orderStatus: 'PARTIALLY_FILLED',
      venueStatus: 'open',
      postOnly: false,
      reduceOnly: false,
      tsInit: TS_INIT,
    });
    expect(report.quantity.toFixed()).toBe('1.25');
    expect(report.filledQty.toFixed()).toBe('0.375');
    expect(report.price?.toFixed()).toBe('30010');
    expect(report.tsAccepted).toBeCloseTo(1688666559897.4, 3);
    expect(report.clientOrderId).toBeUndefined();
  });

  it('reports a canceled stop-loss-limit order with its trigger and reason', () => {
    const closed = result(SpotClosedOrdersResult, spotFixture('3.6-closedorders-paginated-1')).closed;
    const report = parseSpotOrder('O37652-RJWRT-IMO74O', closed['O37652-RJWRT-IMO74O'], btcGbp, ACCOUNT, TS_INIT);
    expect(report).toMatchObject({
      orderType: 'STOP_LIMIT',
      orderStatus: 'CANCELED',
      venueStatus: 'canceled',
      cancelReason: 'User requested',
      triggerType: 'INDEX',
    });
    expect(report.triggerPrice?.toFixed()).toBe('23667');
    expect(report.price).toBeUndefined(); // price2 "0" means none
    expect(report.tsLastUpdate).toBeCloseTo(1688148610048.2, 3);
  });

  it('reports a closed order as FILLED with its average price', () => {
    const orders = result(SpotQueryOrdersResult, spotFixture('3.7-queryorders-1'));
    const report = parseSpotOrder('OBCMZD-JIEE7-77TH3F', orders['OBCMZD-JIEE7-77TH3F'], btcUsd, ACCOUNT, TS_INIT);
    expect(report.orderStatus).toBe('FILLED');
    expect(report.avgPx?.toFixed()).toBe('27500');
  });

  it('keeps an unknown order status in venueStatus', () => {
    const body = mutableFixture('spot', '3.7-queryorders-1');
    (body.result as Record<string, Record<string, unknown>>)['OBCMZD-JIEE7-77TH3F'].status = 'quarantined';
    const orders = result(SpotQueryOrdersResult, body);
    const report = parseSpotOrder('OBCMZD-JIEE7-77TH3F', orders['OBCMZD-JIEE7-77TH3F'], btcUsd, ACCOUNT, TS_INIT);
    expect(report.venueStatus).toBe('quarantined');
    expect(report.orderStatus).toBe('FILLED'); // judged by the executed volume
  });

  it('maps statuses and order types', () => {
    const d = (v: string) => new Decimal(v);
    expect(spotOrderStatus('pending', d('0'), d('1'))).toBe('SUBMITTED');
    expect(spotOrderStatus('open', d('0'), d('1'))).toBe('ACCEPTED');
    expect(spotOrderStatus('expired', d('0'), d('1'))).toBe('EXPIRED');
    expect(spotOrderStatus('mystery', d('0.5'), d('1'))).toBe('PARTIALLY_FILLED');
    expect(spotOrderStatus('mystery', d('0'), d('1'))).toBe('ACCEPTED');
    expect(spotOrderType('take-profit')).toBe('MARKET_IF_TOUCHED');
    expect(spotOrderType('take-profit-limit')).toBe('LIMIT_IF_TOUCHED');
    expect(spotOrderType('stop-loss')).toBe('STOP_MARKET');
    expect(spotOrderType('iceberg')).toBe('LIMIT');
    expect(spotOrderType('something-new', true)).toBe('LIMIT');
  });

  it('reports a TradesHistory entry as a maker fill with the fee in the quote currency', () => {
    const trades = result(SpotTradesHistoryResult, spotFixture('3.8-tradeshistory-paginated-fills-1')).trades;
    const fill = parseSpotFill(
      'THVRQM-33VKH-UCI7BS',
      trades['THVRQM-33VKH-UCI7BS'],
      { id: btcUsd, quote: 'USD' },
      ACCOUNT,
      TS_INIT,
    );
    expect(fill).toMatchObject({
      venueOrderId: 'OQCLML-BW3P3-BUCMWZ',
      tradeId: 'THVRQM-33VKH-UCI7BS',
      orderSide: 'BUY',
      commissionCurrency: 'USD',
      liquiditySide: 'MAKER',
    });
    expect(fill.lastQty.toFixed()).toBe('0.02');
    expect(fill.lastPx.toFixed()).toBe('30010');
    expect(fill.commission.toFixed()).toBe('0');
    expect(fill.tsEvent).toBeCloseTo(1688667796880.2, 3);
  });

  it('reports a WS execution trade as a taker fill and ignores other exec types', () => {
    const fillFrame = ws('executions', spotFixture('8.1-executions-orders-fills-replaces-5'));
    const fill = parseSpotWsFill(fillFrame.data[0], { id: btcUsd, quote: 'USD' }, ACCOUNT, TS_INIT);
    expect(fill).toMatchObject({ tradeId: 'TGBB7L-HT5LX-J3BZ4A', orderSide: 'SELL', liquiditySide: 'TAKER' });
    expect(fill?.commission.toFixed()).toBe('0.3458');
    expect(fill?.commissionCurrency).toBe('USD');
    const newFrame = ws('executions', spotFixture('8.1-executions-orders-fills-replaces-4'));
    expect(parseSpotWsFill(newFrame.data[0], { id: btcUsd, quote: 'USD' }, ACCOUNT, TS_INIT)).toBeUndefined();
  });
});

describe('Spot account states', () => {
  it('normalises Balance currencies into a CASH state', () => {
    const state = parseSpotBalance(result(SpotBalanceResult, spotFixture('3.1-balance-1')), ACCOUNT, 5, TS_INIT);
    expect(state).toMatchObject({ accountId: ACCOUNT, accountType: 'CASH', reported: true, tsEvent: 5, margins: [] });
    const byCurrency = Object.fromEntries(state.balances.map((b) => [b.currency, b]));
    expect(Object.keys(byCurrency)).toEqual(['USD', 'EUR', 'BTC', 'ETH', 'USDT', 'ETH2.S', 'USD.M']);
    expect(byCurrency.BTC.total.toFixed()).toBe('1011.19088779');
    expect(byCurrency.BTC.free.toFixed()).toBe('1011.19088779');
    expect(byCurrency.BTC.locked.toFixed()).toBe('0');
  });

  it('adds up keys that normalise to the same currency', () => {
    const state = parseSpotBalance(
      result(SpotBalanceResult, { error: [], result: { XXBT: '1', XBT: '0.5' } }),
      ACCOUNT,
      0,
      0,
    );
    expect(state.balances).toHaveLength(1);
    expect(state.balances[0].total.toFixed()).toBe('1.5');
  });

  it('takes hold_trade from BalanceEx as locked', () => {
    const state = parseSpotBalanceEx(result(SpotBalanceExResult, spotFixture('3.2-balanceex-1')), ACCOUNT, 5, TS_INIT);
    const usd = state.balances.find((b) => b.currency === 'USD');
    expect(usd?.total.toFixed()).toBe('25435.21');
    expect(usd?.locked.toFixed()).toBe('8249.76');
    expect(usd?.free.toFixed()).toBe('17185.45');
    expect(state.balances.map((b) => b.currency)).toEqual(['USD', 'BTC']);
  });

  it('reads WS balances snapshots and updates', () => {
    const snapshot = ws('balances', spotFixture('8.2-balances-2'));
    const state = parseSpotWsBalances(snapshot.data, ACCOUNT, 1, TS_INIT);
    expect(state.balances.map((b) => [b.currency, b.total.toFixed()])).toEqual([
      ['BTC', '1.2'],
      ['MATIC', '500'],
    ]);
    const update = ws('balances', spotFixture('8.2-balances-3'));
    expect(parseSpotWsBalances(update.data, ACCOUNT, 1, TS_INIT).balances[0].total.toFixed()).toBe('500');
  });
});
