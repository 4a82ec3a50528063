import * as E from 'fp-ts/Either';
import { type KrakenDecodeError } from '../../../src/errors';
import { decodeJsonOrError, decodeOrError } from '../../../src/kraken/common/decode';
import {
  isSpotWsResponse,
  SpotWsBookLevels,
  SpotWsMessage,
  type SpotWsDataMessage,
  type SpotWsInbound,
  type SpotWsResponse,
} from '../../../src/kraken/spot/ws';
import { fixtureText, mutableFixture, spotFixture } from '../fixtures';

function decode(input: unknown): SpotWsInbound {
  const decoded = decodeOrError(SpotWsMessage, input, 'Spot WS frame');
  if (E.isLeft(decoded)) throw decoded.left;
  return decoded.right;
}

function data<C extends SpotWsDataMessage['channel']>(
  channel: C,
  input: unknown,
): Extract<SpotWsDataMessage, { channel: C }> {
  const message = decode(input);
  if (isSpotWsResponse(message) || message.channel !== channel) throw new Error(`expected a ${channel} frame`);
  return message as Extract<SpotWsDataMessage, { channel: C }>;
}

function response<M extends SpotWsResponse['method']>(
  method: M,
  input: unknown,
): Extract<SpotWsResponse, { method: M }> {
  const message = decode(input);
  if (!isSpotWsResponse(message) || message.method !== method) throw new Error(`expected a ${method} response`);
  return message as Extract<SpotWsResponse, { method: M }>;
}

function decodeError(input: unknown): KrakenDecodeError {
  const decoded = decodeOrError(SpotWsMessage, input, 'Spot WS frame');
  if (E.isRight(decoded)) throw new Error('expected a decode error');
  return decoded.left;
}

describe('Spot WS v2 responses', () => {
  it('decodes a subscribe ack with its result', () => {
    const ack = response('subscribe', spotFixture('5.4-server-client-response-frame-1'));
    expect(ack).toMatchObject({ req_id: 42, success: true });
    expect(ack.result).toEqual({ channel: 'ticker', snapshot: true, symbol: 'BTC/USD', event_trigger: 'trades' });
    expect(ack.time_in).toBeCloseTo(Date.parse('2023-09-25T09:04:31.742Z') + 0.599, 3);
  });

  it('decodes a refused subscription: error string and top-level symbol', () => {
    const refused = response('subscribe', spotFixture('5.4-server-client-response-frame-2'));
    expect(refused).toMatchObject({
      success: false,
      error: 'Currency pair not supported xxx/USD',
      symbol: 'xxx/USD',
      req_id: 69,
    });
    expect(refused.result).toBeUndefined();
  });

  it('decodes a refused trading request', () => {
    expect(response('add_order', spotFixture('5.4-server-client-response-frame-3'))).toMatchObject({
      success: false,
      error: 'EOrder:Insufficient funds',
    });
  });

  it('decodes pong and the executions ack with maxratecount', () => {
    expect(response('pong', spotFixture('6.1-ping-pong-application-level-2')).req_id).toBe(101);
    expect(response('subscribe', spotFixture('7.2-book-level-2-aggregated-2')).result?.depth).toBe(10);
    expect(response('subscribe', spotFixture('8.1-executions-orders-fills-replaces-2')).result).toMatchObject({
      channel: 'executions',
      maxratecount: 125,
    });
  });

  it('decodes every trading method response', () => {
    expect(response('add_order', spotFixture('9.1-add-order-5')).result).toEqual({
      order_id: 'AA5JGQ-SBMRC-SCJ7J7',
      order_userref: 100054,
    });
    expect(response('amend_order', spotFixture('9.2-amend-order-3')).result?.amend_id).toBe('TTW6PD-RC36L-ZZSWNU');
    expect(response('edit_order', spotFixture('9.3-edit-order-legacy-cancel-2')).result).toEqual({
      order_id: 'ORDERX-IDXXX-XXXXX2',
      original_order_id: 'ORDERX-IDXXX-XXXXX1',
    });
    expect(response('cancel_order', spotFixture('9.4-cancel-order-2')).result?.order_id).toBe('OLUMT4-UTEGU-ZYM7E9');
    expect(response('cancel_order', spotFixture('9.4-cancel-order-3')).result?.order_id).toBe('OM5CRX-N2HAL-GFGWE9');
    expect(response('cancel_all', spotFixture('9.5-cancel-all-2')).result?.count).toBe(1);
    const after = response('cancel_all_orders_after', spotFixture('9.6-cancel-all-orders-after-2')).result;
    expect(after && after.triggerTime - after.currentTime).toBe(100_000);
    const batch = response('batch_add', spotFixture('9.7-batch-add-2'));
    expect(batch.result?.map((r) => r.order_userref)).toEqual([1, 2]);
    expect(batch.time_out).toBeCloseTo(Date.parse('2022-06-13T08:09:10.789Z') + 0.0123, 3);
    expect(response('batch_cancel', spotFixture('9.8-batch-cancel-2')).result?.count).toBe(3);
  });

  it('names the failing field inside a response result', () => {
    const frame = mutableFixture('spot', '9.5-cancel-all-2');
    (frame.result as Record<string, unknown>).count = 'one';
    expect(decodeError(frame).paths).toEqual(['result.count']);
  });

  it('rejects an unknown method at path method', () => {
    expect(decodeError({ method: 'teleport', success: true }).paths).toEqual(['method']);
  });
});

describe('Spot WS v2 data channels', () => {
  it('decodes heartbeat and status', () => {
    expect(data('heartbeat', spotFixture('6.2-heartbeat-1'))).toEqual({ channel: 'heartbeat' });
    const status = data('status', spotFixture('6.3-status-1'));
    expect(status.data[0]).toMatchObject({ system: 'online', api_version: 'v2', version: '2.0.0' });
  });

  it('decodes ticker values as decimals', () => {
    const ticker = data('ticker', spotFixture('7.1-ticker-level-1-2')).data[0];
    expect(ticker.symbol).toBe('ALGO/USD');
    expect(ticker.bid?.toFixed()).toBe('0.10025');
    expect(ticker.ask_qty?.toFixed()).toBe('1361.44813783');
    expect(ticker.change_pct?.toFixed()).toBe('-0.17');
    expect(ticker.timestamp).toBeCloseTo(Date.parse('2023-09-25T09:04:31.742Z') + 0.648, 3);
  });

  it('decodes a book snapshot with levels as JSON numbers and the checksum', () => {
    const book = data('book', spotFixture('7.2-book-level-2-aggregated-3'));
    expect(book.type).toBe('snapshot');
    const payload = book.data[0];
    expect(payload.symbol).toBe('BTC/USD');
    expect(payload.checksum).toBe(3310070434);
    expect(payload.bids).toHaveLength(10);
    expect(payload.bids[0]).toEqual({ price: 45283.5, qty: 0.1 });
    expect(payload.asks[0]).toEqual({ price: 45285.2, qty: 0.001 });
    expect(payload.timestamp).toBeCloseTo(Date.parse('2023-10-06T17:35:55.440Z') + 0.295, 3);
  });

  it('decodes a book update with an empty side', () => {
    const update = data('book', spotFixture('7.2-book-level-2-aggregated-4'));
    expect(update.type).toBe('update');
    expect(update.data[0]).toMatchObject({ symbol: 'MATIC/USD', asks: [], checksum: 2114181697 });
    expect(update.data[0].bids).toEqual([{ price: 0.5657, qty: 1098.3947558 }]);
  });

  it('accepts pre-quoted book numbers, converting them to numbers', () => {
    const text = fixtureText('spot', '7.2-book-level-2-aggregated-4').replace(
      /"(price|qty)"\s*:\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g,
      '"$1":"$2"',
    );
    const decoded = decodeJsonOrError(SpotWsMessage, text, 'book');
    expect(E.isRight(decoded) && (decoded.right as { data: { bids: unknown }[] }).data[0].bids).toEqual([
      { price: 0.5657, qty: 1098.3947558 },
    ]);
  });

  it('returns the levels array itself when nothing needs converting', () => {
    const levels = [{ price: 1, qty: 2 }];
    const decoded = SpotWsBookLevels.decode(levels);
    expect(E.isRight(decoded) && decoded.right).toBe(levels);
  });

  it('names the failing book level field', () => {
    const frame = mutableFixture('spot', '7.2-book-level-2-aggregated-3');
    ((frame.data as { bids: { qty: unknown }[] }[])[0].bids[3] as { qty: unknown }).qty = 'lots';
    expect(decodeError(frame).paths).toEqual(['data.0.bids.3.qty']);
    const noChecksum = mutableFixture('spot', '7.2-book-level-2-aggregated-4');
    delete (noChecksum.data as Record<string, unknown>[])[0].checksum;
    expect(decodeError(noChecksum).paths).toEqual(['data.0.checksum']);
  });

  it('rejects a level size or price no book can hold: Infinity (a 1e400 literal) or a negative size', () => {
    const text = fixtureText('spot', '7.2-book-level-2-aggregated-3');
    const overflow = JSON.parse(text.replace('"qty": 1.54582015', '"qty": 1e400')) as unknown;
    expect(decodeError(overflow).paths).toEqual(['data.0.bids.1.qty']);
    const hugePrice = JSON.parse(text.replace('"price": 45286.4', '"price": -1e999')) as unknown;
    expect(decodeError(hugePrice).paths).toEqual(['data.0.asks.1.price']);
    const negative = mutableFixture('spot', '7.2-book-level-2-aggregated-3');
    ((negative.data as { bids: { qty: unknown }[] }[])[0].bids[2] as { qty: unknown }).qty = -0.1;
    expect(decodeError(negative).paths).toEqual(['data.0.bids.2.qty']);
  });

  it('takes only an integer trade_id (the sequence that reveals holes)', () => {
    const frame = mutableFixture('spot', '7.3-trade-2');
    (frame.data as Record<string, unknown>[])[0].trade_id = 4665906.5;
    expect(decodeError(frame).paths).toEqual(['data.0.trade_id']);
  });

  it('decodes trades with numbers and epoch-ms timestamps', () => {
    const trade = data('trade', spotFixture('7.3-trade-2')).data[0];
    expect(trade).toEqual({
      symbol: 'MATIC/USD',
      side: 'sell',
      price: 0.5117,
      qty: 40,
      ord_type: 'market',
      trade_id: 4665906,
      timestamp: expect.closeTo(Date.parse('2023-09-25T07:49:37.708Z') + 0.706, 3) as unknown as number,
    });
  });

  it('names a bad trade field', () => {
    const frame = mutableFixture('spot', '7.3-trade-2');
    (frame.data as Record<string, unknown>[])[0].timestamp = 'yesterday';
    expect(decodeError(frame).paths).toEqual(['data.0.timestamp']);
  });

  it('decodes ohlc candles with interval_begin', () => {
    const ohlc = data('ohlc', spotFixture('7.4-ohlc-2'));
    const candle = ohlc.data[0];
    expect(candle.interval_begin).toBe(Date.UTC(2023, 9, 4, 16, 25));
    expect(candle.interval).toBe(5);
    expect(candle.close.toFixed()).toBe('0.5627');
    expect(candle.volume.toFixed()).toBe('30927.68066226');
    expect(candle.trades).toBe(12);
  });

  it('decodes the instrument channel', () => {
    const instrument = data('instrument', spotFixture('7.5-instrument-reference-data-1'));
    expect(instrument.data.assets.map((a) => a.id)).toEqual(['USD', 'BTC']);
    const [btc, matic] = instrument.data.pairs;
    expect(btc).toMatchObject({ symbol: 'BTC/USD', price_precision: 1, qty_precision: 8 });
    expect(btc.qty_min?.toFixed()).toBe('0.0001');
    expect(btc.price_increment?.toFixed()).toBe('0.1');
    expect(matic.cost_min?.toFixed()).toBe('0.43');
  });

  it('decodes level3 updates', () => {
    const l3 = data('level3', spotFixture('7.6-level3-individual-orders-optional-1'));
    expect(l3.data[0].asks.map((o) => o.event)).toEqual(['delete', 'add']);
    expect(l3.data[0].asks[1].order_qty).toBe(3500.77668626);
  });

  it('decodes sparse execution reports', () => {
    const pendingNew = data('executions', spotFixture('8.1-executions-orders-fills-replaces-3'));
    expect(pendingNew.sequence).toBe(8);
    expect(pendingNew.data[0]).toMatchObject({ exec_type: 'pending_new', order_status: 'pending_new', side: 'sell' });
    expect(pendingNew.data[0].limit_price?.toFixed()).toBe('26500');
    const sparse = data('executions', spotFixture('8.1-executions-orders-fills-replaces-4')).data[0];
    expect(sparse).toMatchObject({ exec_type: 'new', order_id: 'OK4GJX-KSTLS-7DZZO5' });
    expect(sparse.symbol).toBeUndefined();
    const fill = data('executions', spotFixture('8.1-executions-orders-fills-replaces-5')).data[0];
    expect(fill).toMatchObject({ exec_type: 'trade', exec_id: 'TGBB7L-HT5LX-J3BZ4A', liquidity_ind: 't' });
    expect(fill.last_price?.toFixed()).toBe('26599.9');
    expect(fill.fees?.[0].qty.toFixed()).toBe('0.3458');
  });

  it('names the failing field of an execution report', () => {
    const frame = mutableFixture('spot', '8.1-executions-orders-fills-replaces-5');
    (frame.data as Record<string, unknown>[])[0].last_qty = true;
    expect(decodeError(frame).paths).toEqual(['data.0.last_qty']);
  });

  it('keeps an unknown exec_type and order_status', () => {
    const frame = mutableFixture('spot', '8.1-executions-orders-fills-replaces-4');
    Object.assign((frame.data as Record<string, unknown>[])[0], { exec_type: 'teleported', order_status: 'limbo' });
    expect(data('executions', frame).data[0]).toMatchObject({ exec_type: 'teleported', order_status: 'limbo' });
  });

  it('decodes balances snapshots and updates', () => {
    const snapshot = data('balances', spotFixture('8.2-balances-2'));
    expect(snapshot.data[1].wallets?.map((w) => w.balance.toFixed())).toEqual(['300', '200']);
    const update = data('balances', spotFixture('8.2-balances-3'));
    expect(update.sequence).toBe(10);
    expect(update.data[0]).toMatchObject({ asset: 'USD', type: 'trade', ledger_id: 'A5KS77-LQRMP-SMMN4B' });
    expect(update.data[0].amount?.toFixed()).toBe('132.9995');
  });

  it('reports an unknown channel as a decode error at path channel', () => {
    const error = decodeError({ channel: 'weather', type: 'update', data: [] });
    expect(error.paths).toEqual(['channel']);
    expect(error.message).toContain('weather');
  });

  it('rejects frames that are not objects', () => {
    expect(decodeError([1, 2]).paths).toEqual(['']);
    expect(decodeError(null).paths).toEqual(['']);
  });
});
