/**
 * Kraken Spot WebSocket v2 as a {@link WsProtocol}: how to subscribe, unsubscribe and ping, how to read
 * acknowledgements, and which subscription a data frame belongs to (spot-wire.md §5–§7). Pure: no I/O.
 *
 * Routes: `<channel>:<symbol>` (`book:BTC/USD`, `trade:ETH/USD`), `ohlc:<symbol>:<interval>`, and the bare
 * channel for channels without symbols (`executions`, `balances`, `instrument`). Book depth is not part of
 * the route: Kraken's book frames do not say which depth they serve.
 */
import { defer, from, map, type Observable, type ObservableInput } from 'rxjs';
import type { WsAuthContext, WsResponseMatcher } from '../../transport/wsSession';
import type { WsDelivery, WsFrameContext, WsInbound, WsProtocol } from '../../transport/wsSubscriptions';

/** One Spot v2 subscription: a channel, at most one symbol, and the channel's other parameters. */
export interface SpotWsSubscription {
  /** `ticker`, `book`, `trade`, `ohlc`, `instrument`, `level3`, `executions`, `balances`, ... */
  readonly channel: string;
  /** A v2 symbol (`BTC/USD`); absent for channels without symbols. */
  readonly symbol?: string;
  /** Other subscribe parameters, sent as given: `depth`, `interval`, `snapshot`, `event_trigger`, `snap_orders`, ... */
  readonly params?: Readonly<Record<string, unknown>>;
}

/** What authentication yields on `ws-auth.kraken.com`: a `GetWebSocketsToken` token, fresh per connection. */
export interface SpotWsAuth {
  readonly token: string;
}

/** A response to a request (spot-wire.md §5.4). `success` missing or not boolean counts as failure. */
export interface SpotWsResponse {
  readonly method: string;
  readonly req_id?: number;
  readonly success: boolean;
  readonly result?: unknown;
  readonly error?: string;
  readonly warnings?: readonly string[];
  readonly time_in?: string;
  readonly time_out?: string;
}

/** Parameters that identify a subscription and must be echoed on unsubscribe (spot-wire.md §7). */
const UNSUBSCRIBE_PARAMS = ['depth', 'interval', 'event_trigger'] as const;

/** Channels that carry no data of their own: liveness and engine status only. */
const ADMIN_CHANNELS = new Set(['heartbeat', 'status']);

/**
 * Private channels are subscribed without a symbol; their entries may still name one (`executions` entries carry
 * `symbol`), which must not split them away from the subscription.
 */
const ACCOUNT_CHANNELS = new Set(['executions', 'balances']);

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function routeOf(channel: string, symbol: unknown, interval: unknown): string {
  let route = channel;
  if (typeof symbol === 'string' && symbol) route += `:${symbol}`;
  if (channel === 'ohlc' && (typeof interval === 'number' || typeof interval === 'string')) route += `:${interval}`;
  return route;
}

/** The route of a subscription: which data frames belong to it. */
export function spotWsRoute(subscription: SpotWsSubscription): string {
  return routeOf(subscription.channel, subscription.symbol, subscription.params?.interval);
}

/**
 * A sharing key for a subscription: the route plus every parameter, so `book` at depth 10 and at depth 25
 * (or `snapshot: false`) are different keys. Use it as the `key` of `WsSession.subscribe`.
 */
export function spotWsKey(subscription: SpotWsSubscription): string {
  const params = Object.entries(subscription.params ?? {})
    .filter(
      ([name, value]) =>
        value !== undefined && name !== 'token' && !(name === 'interval' && subscription.channel === 'ohlc'),
    )
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  const route = spotWsRoute(subscription);
  return params.length > 0 ? `${route}?${params.join('&')}` : route;
}

function requestParams(
  subscription: SpotWsSubscription,
  auth: SpotWsAuth | undefined,
  names?: readonly string[],
): JsonObject {
  const params: JsonObject = { channel: subscription.channel };
  if (subscription.symbol !== undefined) params.symbol = [subscription.symbol];
  for (const [name, value] of Object.entries(subscription.params ?? {})) {
    if (value !== undefined && (!names || names.includes(name))) params[name] = value;
  }
  if (auth) params.token = auth.token;
  return params;
}

/** The delivery route of one data entry, falling back to the frame's channel. */
function entryRoute(channel: string, entry: unknown): string {
  return isObject(entry) ? routeOf(channel, entry.symbol, entry.interval) : channel;
}

/** True when every entry names the first one's symbol (and, on `ohlc`, interval): one route for the frame. */
function oneRoute(channel: string, data: readonly unknown[]): boolean {
  const first = data[0];
  if (!isObject(first)) return data.length === 1;
  const { symbol, interval } = first;
  const ohlc = channel === 'ohlc';
  for (let i = 1; i < data.length; i++) {
    const entry = data[i];
    if (!isObject(entry) || entry.symbol !== symbol || (ohlc && entry.interval !== interval)) return false;
  }
  return true;
}

/**
 * Splits a data frame by route, so a frame carrying two symbols reaches both subscriptions. Hot path: a frame whose
 * entries share one symbol (nearly all) costs one route string.
 */
function deliveries(frame: JsonObject, channel: string): WsDelivery[] {
  if (ACCOUNT_CHANNELS.has(channel)) return [{ route: channel, message: frame }];
  const data = frame.data;
  if (!Array.isArray(data)) return [{ route: channel, message: frame }];
  // A snapshot without entries (no trades yet) names no symbol: it belongs to the subscription just acknowledged.
  if (data.length === 0) return [{ route: channel, message: frame, unrouted: true }];
  if (oneRoute(channel, data)) return [{ route: entryRoute(channel, data[0]), message: frame }];
  const groups = new Map<string, unknown[]>();
  for (const entry of data) {
    const route = entryRoute(channel, entry);
    const group = groups.get(route);
    if (group) group.push(entry);
    else groups.set(route, [entry]);
  }
  return [...groups].map(([route, entries]) => ({ route, message: { ...frame, data: entries } }));
}

function ackRoutes(message: JsonObject): string[] | undefined {
  const result = isObject(message.result) ? message.result : undefined;
  const channel = result?.channel;
  if (typeof channel !== 'string') return undefined;
  return [routeOf(channel, result?.symbol ?? message.symbol, result?.interval)];
}

/** Reads one Spot v2 message: data by `channel`, answers by `method` (spot-wire.md §5.5 dispatch rule). */
export function classifySpotWsMessage(message: unknown): WsInbound {
  if (!isObject(message)) return { kind: 'control' };
  if (typeof message.method === 'string') {
    const reqId = typeof message.req_id === 'number' ? message.req_id : undefined;
    const routes = ackRoutes(message);
    const correlation = { ...(reqId !== undefined ? { reqId } : {}), ...(routes ? { routes } : {}) };
    if (message.method === 'subscribe') {
      if (message.success === true) return { kind: 'subscribed', ...correlation };
      const reason = typeof message.error === 'string' && message.error ? message.error : 'subscription refused';
      return { kind: 'refused', ...correlation, reason };
    }
    if (message.method === 'unsubscribe') return { kind: 'unsubscribed', ...correlation };
    return { kind: 'control' };
  }
  if (typeof message.channel === 'string') {
    if (ADMIN_CHANNELS.has(message.channel)) return { kind: 'control' };
    return { kind: 'data', deliveries: deliveries(message, message.channel) };
  }
  return { kind: 'control' };
}

/** Kraken Spot WebSocket v2. Auth, when present, adds `token` to every subscribe and unsubscribe. */
export const spotWsProtocol: WsProtocol<SpotWsSubscription, SpotWsAuth> = {
  name: 'spot',
  route: spotWsRoute,
  describe: (subscription) => ({
    channel: subscription.channel,
    ...(subscription.symbol !== undefined ? { symbol: subscription.symbol } : {}),
  }),
  subscribeFrame: (subscription, { reqId, auth }: WsFrameContext<SpotWsAuth>) => ({
    method: 'subscribe',
    params: requestParams(subscription, auth),
    req_id: reqId,
  }),
  unsubscribeFrame: (subscription, { reqId, auth }: WsFrameContext<SpotWsAuth>) => ({
    method: 'unsubscribe',
    params: requestParams(subscription, auth, UNSUBSCRIBE_PARAMS),
    req_id: reqId,
  }),
  classify: classifySpotWsMessage,
  pingFrame: (reqId) => ({ method: 'ping', req_id: reqId }),
};

/**
 * A request builder for `WsSession.request`: `{ method, params: { ...params, token }, req_id }`, the token
 * taken from the connection's auth when there is one.
 */
export function spotWsRequest(
  method: string,
  params?: Readonly<Record<string, unknown>>,
): (context: WsFrameContext<SpotWsAuth>) => object {
  return ({ reqId, auth }) => ({
    method,
    ...(params || auth ? { params: { ...params, ...(auth ? { token: auth.token } : {}) } } : {}),
    req_id: reqId,
  });
}

/** Matches the response to a request by `method` and `req_id`; the response is returned whether it succeeded or not. */
export function matchSpotWsResponse(method: string): WsResponseMatcher<SpotWsResponse> {
  return (message, reqId) => {
    if (!isObject(message) || message.method !== method || message.req_id !== reqId) return undefined;
    return { ...message, method, success: message.success === true } as SpotWsResponse;
  };
}

/**
 * The `authenticate` hook of the private Spot session: fetches a fresh token on every (re)connect
 * (spot-wire.md §5.7: a token must be used within 15 minutes; a new one per connection).
 *
 * @param fetchToken Calls `GetWebSocketsToken` (the HTTP client's `spot.getWebSocketsToken()`), emits the token.
 */
export function spotTokenAuthentication(
  fetchToken: () => ObservableInput<string>,
): (context: WsAuthContext) => Observable<SpotWsAuth> {
  return () => defer(() => from(fetchToken())).pipe(map((token) => ({ token })));
}
