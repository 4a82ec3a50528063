/**
 * Kraken Futures WebSocket `ws/v1` as a {@link WsProtocol} (futures-wire.md §12.1–§12.3): subscribe and
 * unsubscribe frames (with challenge fields on private feeds), acknowledgement events, routing by `feed`,
 * and the challenge handshake. Pure: no I/O.
 *
 * Routes: `<feed>:<product_id>` for public feeds (`book:PF_XBTUSD`; `book_snapshot` and `book` share it),
 * the bare feed for private feeds and `heartbeat` (`open_orders`, `fills`). Kraken's refusals
 * (`{"event":"error","message":"Invalid product id"}`) do not say which request failed, so subscribes go
 * out one at a time.
 */
import { defer, from, map, switchMap, type Observable, type ObservableInput } from 'rxjs';
import { KrakenApiError } from '../../errors';
import type { WsAuthContext } from '../../transport/wsSession';
import type { WsFrameContext, WsInbound, WsProtocol } from '../../transport/wsSubscriptions';

/** One Futures subscription: a feed and, for public feeds, one product. */
export interface FuturesWsSubscription {
  /** `ticker`, `ticker_lite`, `book`, `trade`, `heartbeat`, `open_orders`, `fills`, `balances`, ... */
  readonly feed: string;
  /** A product id (`PF_XBTUSD`); for `fills` an optional filter. */
  readonly productId?: string;
}

/** The challenge fields every private subscribe and unsubscribe carries (one challenge per connection). */
export interface FuturesWsAuth {
  readonly apiKey: string;
  readonly originalChallenge: string;
  readonly signedChallenge: string;
}

/** Feeds that need the challenge fields; their frames carry no product, so they route by feed alone. */
export const FUTURES_PRIVATE_FEEDS: ReadonlySet<string> = new Set([
  'open_orders',
  'open_orders_verbose',
  'fills',
  'open_positions',
  'balances',
  'account_log',
  'notifications_auth',
  'deposits_withdrawals',
]);

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const SNAPSHOT_SUFFIX = '_snapshot';

/** `book_snapshot` → `book`, `open_orders_verbose_snapshot` → `open_orders_verbose` (per frame: no regex). */
function baseFeed(feed: string): string {
  return feed.endsWith(SNAPSHOT_SUFFIX) ? feed.slice(0, feed.length - SNAPSHOT_SUFFIX.length) : feed;
}

function routeOf(feed: string, productId: unknown): string {
  const base = baseFeed(feed);
  if (FUTURES_PRIVATE_FEEDS.has(base) || typeof productId !== 'string' || !productId) return base;
  return `${base}:${productId}`;
}

/** The route of a subscription: which frames belong to it. */
export function futuresWsRoute(subscription: FuturesWsSubscription): string {
  return routeOf(subscription.feed, subscription.productId);
}

/** A sharing key for `WsSession.subscribe` (the route; a `fills` product filter is kept apart). */
export function futuresWsKey(subscription: FuturesWsSubscription): string {
  const route = futuresWsRoute(subscription);
  return subscription.feed === 'fills' && subscription.productId
    ? `${route}?product_id=${subscription.productId}`
    : route;
}

function frame(event: 'subscribe' | 'unsubscribe', subscription: FuturesWsSubscription, auth?: FuturesWsAuth): object {
  return {
    event,
    feed: subscription.feed,
    ...(subscription.productId !== undefined ? { product_ids: [subscription.productId] } : {}),
    ...(auth && FUTURES_PRIVATE_FEEDS.has(subscription.feed)
      ? { api_key: auth.apiKey, original_challenge: auth.originalChallenge, signed_challenge: auth.signedChallenge }
      : {}),
  };
}

function ackRoutes(message: JsonObject): string[] | undefined {
  if (typeof message.feed !== 'string') return undefined;
  const feed = message.feed;
  const products = Array.isArray(message.product_ids) ? message.product_ids : [];
  if (products.length === 0 || FUTURES_PRIVATE_FEEDS.has(baseFeed(feed))) return [routeOf(feed, undefined)];
  return products.map((product) => routeOf(feed, product));
}

/** Reads one Futures message: control by `event` (trimmed: some are sent with a trailing space), data by `feed`. */
export function classifyFuturesWsMessage(message: unknown): WsInbound {
  if (!isObject(message)) return { kind: 'control' };
  if (typeof message.event === 'string') {
    const event = message.event.trim();
    const routes = ackRoutes(message);
    const reason = typeof message.message === 'string' && message.message ? message.message : event;
    switch (event) {
      case 'subscribed':
        return { kind: 'subscribed', ...(routes ? { routes } : {}) };
      case 'subscribed_failed':
        return { kind: 'refused', ...(routes ? { routes } : {}), reason };
      case 'unsubscribed':
      case 'unsubscribed_failed':
        return { kind: 'unsubscribed', ...(routes ? { routes } : {}) };
      case 'error':
      case 'alert':
        return { kind: 'error', reason };
      default:
        return { kind: 'control' }; // info, challenge, ...
    }
  }
  if (typeof message.feed === 'string') {
    return { kind: 'data', deliveries: [{ route: routeOf(message.feed, message.product_id), message }] };
  }
  return { kind: 'control' };
}

/**
 * Kraken Futures `ws/v1`. No application ping: the session sends protocol ping frames (`ws.ping()`), or,
 * on a socket that cannot, subscribes to `heartbeat` after each connect for liveness.
 */
export const futuresWsProtocol: WsProtocol<FuturesWsSubscription, FuturesWsAuth> = {
  name: 'futures',
  route: futuresWsRoute,
  describe: (subscription) => ({
    channel: subscription.feed,
    ...(subscription.productId !== undefined ? { symbol: subscription.productId } : {}),
  }),
  subscribeFrame: (subscription, { auth }: WsFrameContext<FuturesWsAuth>) => frame('subscribe', subscription, auth),
  unsubscribeFrame: (subscription, { auth }: WsFrameContext<FuturesWsAuth>) => frame('unsubscribe', subscription, auth),
  classify: classifyFuturesWsMessage,
  keepaliveFrame: () => ({ event: 'subscribe', feed: 'heartbeat' }),
  serialSubscribes: true,
};

/**
 * The `authenticate` hook of a private Futures session (futures-wire.md §12.3): on every (re)connect, sends
 * `{"event":"challenge","api_key":...}`, awaits `{"event":"challenge","message":<uuid>}`, signs it.
 *
 * @param apiKey The Futures API key (public half).
 * @param signChallenge Signs a challenge, e.g. `(c) => futuresWsChallengeSign(c, secret)`; the secret stays with the caller.
 */
export function futuresChallengeAuthentication(
  apiKey: string,
  signChallenge: (challenge: string) => string | ObservableInput<string>,
): (context: WsAuthContext) => Observable<FuturesWsAuth> {
  return (context) =>
    context
      .request({ event: 'challenge', api_key: apiKey }, (message) => {
        if (!isObject(message) || typeof message.event !== 'string') return undefined;
        const event = message.event.trim();
        if (event === 'challenge' && typeof message.message === 'string') return message.message;
        if (event === 'error') {
          throw new KrakenApiError([typeof message.message === 'string' ? message.message : 'error'], 'ws challenge');
        }
        return undefined;
      })
      .pipe(
        switchMap((challenge) =>
          defer(() => {
            const signed = signChallenge(challenge);
            return typeof signed === 'string' ? [signed] : from(signed);
          }).pipe(map((signedChallenge) => ({ apiKey, originalChallenge: challenge, signedChallenge }))),
        ),
      );
}
