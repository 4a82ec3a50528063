import * as E from 'fp-ts/Either';
import type { KrakenDecodeError } from '../../../src/errors';
import { decodeOrError } from '../../../src/kraken/common/decode';
import {
  FuturesWsMessage,
  isFuturesWsEvent,
  type FuturesWsEvent,
  type FuturesWsFeedMessage,
  type FuturesWsInbound,
} from '../../../src/kraken/futures/ws';
import { futuresFixture, mutableFixture } from '../fixtures';

function decode(input: unknown): FuturesWsInbound {
  const decoded = decodeOrError(FuturesWsMessage, input, 'Futures WS frame');
  if (E.isLeft(decoded)) throw decoded.left;
  return decoded.right;
}

function feed<F extends FuturesWsFeedMessage['feed']>(
  name: F,
  input: unknown,
): Extract<FuturesWsFeedMessage, { feed: F }> {
  const message = decode(input);
  if (isFuturesWsEvent(message) || message.feed !== name) throw new Error(`expected feed ${name}`);
  return message as Extract<FuturesWsFeedMessage, { feed: F }>;
}

function event<N extends FuturesWsEvent['event']>(name: N, input: unknown): Extract<FuturesWsEvent, { event: N }> {
  const message = decode(input);
  if (!isFuturesWsEvent(message) || message.event !== name) throw new Error(`expected event ${name}`);
  return message as Extract<FuturesWsEvent, { event: N }>;
}

function decodeError(input: unknown): KrakenDecodeError {
  const decoded = decodeOrError(FuturesWsMessage, input, 'Futures WS frame');
  if (E.isRight(decoded)) throw new Error('expected a decode error');
  return decoded.left;
}

describe('Futures WS control messages', () => {
  it('decodes info, acks, errors, alerts and the challenge', () => {
    expect(event('info', { event: 'info', version: 1 }).version).toBe(1);
    expect(event('subscribed', futuresFixture('12.2-generic-messages-3'))).toMatchObject({
      feed: 'ticker',
      product_ids: ['PI_XBTUSD'],
    });
    expect(event('error', futuresFixture('12.2-generic-messages-4')).message).toBe('Invalid product id');
    expect(event('error', futuresFixture('12.2-generic-messages-6')).message).toBe('Json Error');
    expect(event('alert', futuresFixture('12.2-generic-messages-8')).message).toBe('Bad websocket message');
    expect(event('challenge', { event: 'challenge', message: '226aee50-88fc-4618-a42a-34f7709570b2' }).message).toBe(
      '226aee50-88fc-4618-a42a-34f7709570b2',
    );
    expect(event('subscribed_failed', { event: 'subscribed_failed', feed: 'book', product_ids: ['X'] }).feed).toBe(
      'book',
    );
  });

  it('tolerates the stray trailing space in "subscribed "', () => {
    expect(event('subscribed', { event: 'subscribed ', feed: 'heartbeat' }).event).toBe('subscribed');
  });

  it('rejects an unknown event at path event', () => {
    expect(decodeError({ event: 'subscribe', feed: 'ticker' }).paths).toEqual(['event']);
  });
});

describe('Futures WS public feeds', () => {
  it('decodes heartbeat and the full ticker', () => {
    expect(feed('heartbeat', futuresFixture('12.4-heartbeat-no-product-ids-2')).time).toBe(1534262350627);
    const ticker = feed('ticker', futuresFixture('12.4-ticker-throttled-to-1-1'));
    expect(ticker.product_id).toBe('PF_ETHUSD');
    expect(ticker.markPrice?.toFixed()).toBe('1751.97553924942');
    expect(ticker.relative_funding_rate?.toFixed()).toBe('0.0000186711875');
    expect(ticker.next_funding_rate_time).toBe(1783591200000);
    expect(ticker.bid_size?.toFixed()).toBe('1.459');
    const lite = feed('ticker_lite', futuresFixture('12.4-ticker-lite-1-s-1'));
    expect(lite.ask?.toFixed()).toBe('34949.5');
  });

  it('decodes book snapshots and deltas with seq, keeping numbers', () => {
    const snapshot = feed('book_snapshot', futuresFixture('12.4-book-snapshot-per-level-1'));
    expect(snapshot).toMatchObject({ product_id: 'PF_XBTUSD', seq: 326072249, timestamp: 1612269825817 });
    expect(snapshot.bids[0]).toEqual({ price: 34892.5, qty: 6385 });
    const delta = feed('book', futuresFixture('12.4-book-snapshot-per-level-2'));
    expect(delta).toMatchObject({ side: 'sell', seq: 326094134, price: 34981, qty: 0, timestamp: 1612269953629 });
  });

  it('names the failing field of a book delta', () => {
    const delta = mutableFixture('futures', '12.4-book-snapshot-per-level-2');
    delete delta.seq;
    expect(decodeError(delta).paths).toEqual(['seq']);
    const snapshot = mutableFixture('futures', '12.4-book-snapshot-per-level-1');
    (snapshot.asks as Record<string, unknown>[])[1].price = null;
    expect(decodeError(snapshot).paths).toEqual(['asks.1.price']);
  });

  it('accepts only buy and sell as the side of a book delta, and no negative or infinite size', () => {
    for (const side of ['BUY', 'bid', '', 'ask']) {
      const delta = mutableFixture('futures', '12.4-book-snapshot-per-level-2');
      delta.side = side;
      expect(decodeError(delta).paths).toEqual(['side']);
    }
    const negative = mutableFixture('futures', '12.4-book-snapshot-per-level-2');
    negative.qty = -5;
    expect(decodeError(negative).paths).toEqual(['qty']);
    const snapshot = mutableFixture('futures', '12.4-book-snapshot-per-level-1');
    (snapshot.bids as Record<string, unknown>[])[0].qty = Infinity;
    expect(decodeError(snapshot).paths).toEqual(['bids.0.qty']);
  });

  it('takes only an integer seq on book deltas and trades', () => {
    const delta = mutableFixture('futures', '12.4-book-snapshot-per-level-2');
    delta.seq = 326094134.5;
    expect(decodeError(delta).paths).toEqual(['seq']);
    const trade = mutableFixture('futures', '12.4-trade-snapshot-last-100-2');
    trade.seq = '653355';
    expect(decodeError(trade).paths).toEqual(['seq']);
  });

  it('decodes trade snapshots and trades', () => {
    const snapshot = feed('trade_snapshot', futuresFixture('12.4-trade-snapshot-last-100-1'));
    expect(snapshot.trades.map((t) => t.seq)).toEqual([655508, 655507]);
    const trade = feed('trade', futuresFixture('12.4-trade-snapshot-last-100-2'));
    expect(trade).toMatchObject({
      uid: '05af78ac-a774-478c-a50c-8b9c234e071e',
      side: 'sell',
      qty: 15000,
      price: 34969.5,
    });
  });

  it('rejects an unknown feed at path feed', () => {
    expect(decodeError({ feed: 'candles_trade_1m', candle: {} }).paths).toEqual(['feed']);
  });
});

describe('Futures WS private feeds', () => {
  it('decodes open orders snapshots, updates, cancels and fills', () => {
    const snapshot = feed('open_orders_snapshot', futuresFixture('12.5-open-orders-1'));
    expect(snapshot.orders[1].trailing_stop_options?.unit).toBe('percent');
    expect(snapshot.orders[0].stop_price?.toFixed()).toBe('13789');
    const update = feed('open_orders', futuresFixture('12.5-open-orders-2'));
    expect(update).toMatchObject({ is_cancel: false, reason: 'new_placed_order_by_user' });
    expect(update.order?.direction).toBe(1);
    const cancel = feed('open_orders', futuresFixture('12.5-open-orders-3'));
    expect(cancel.order).toBeUndefined();
    expect(cancel.order_id).toBe('660c6b23-8007-48c1-a7c9-4893f4572e8c');
    expect(feed('open_orders', futuresFixture('12.5-open-orders-4')).reason).toBe('full_fill');
    expect(feed('open_orders_verbose', futuresFixture('12.5-open-orders-verbose-1')).reason).toBe(
      'post_order_failed_because_it_would_be_filled',
    );
  });

  it('decodes fills snapshots and updates', () => {
    const snapshot = feed('fills_snapshot', futuresFixture('12.5-fills-2'));
    expect(snapshot.fills[0]).toMatchObject({ buy: true, fill_type: 'maker', fee_currency: 'BTC' });
    expect(snapshot.fills[0].fee_paid?.toFixed()).toBe('-0.00009142857');
    const update = feed('fills', futuresFixture('12.5-fills-3'));
    expect(update.username).toBe('6a70e882-4405-4dc5-9c49-010ddf2a6746');
    expect(update.fills[0].cli_ord_id).toBe('b661bad0-7037-4b73-9e07-a65b515e4ef7');
  });

  it('decodes positions, balances, account log and notifications', () => {
    const positions = feed('open_positions', futuresFixture('12.5-open-positions-subscribe-with-1'));
    expect(positions.seq).toBe(4);
    expect(positions.positions[0].balance.toFixed()).toBe('0.04');
    const balances = feed('balances_snapshot', futuresFixture('12.5-balances-1'));
    expect(balances.holding?.XBT.toFixed()).toBe('0.1285407184');
    expect(balances.futures?.['F-XBT:USD'].unit).toBe('XBT');
    expect(balances.flex_futures?.cross?.margin_equity.toFixed()).toBe('9963.66');
    const update = feed('balances', futuresFixture('12.5-balances-2'));
    expect(update.seq).toBe(83);
    expect(feed('account_log_snapshot', futuresFixture('12.5-account-log-1')).logs[0].info).toBe('funding rate change');
    expect(feed('account_log', futuresFixture('12.5-account-log-2')).new_entry.id).toBe(1697);
    expect(
      feed('notifications_auth', futuresFixture('12.5-notifications-auth-1')).notifications[0].effective_time,
    ).toBe(1520288300000);
  });
});
