/**
 * Kraken's default base URLs and the request paths the REST clients append to them (DESIGN.md §3.2,
 * spot-wire.md §1/§5.1, futures-wire.md §1/§7/§9). HTTP base URLs are origins only; WebSocket ones are full URLs.
 */
import { KrakenConfigError } from '../../errors';
import type { KrakenEnvironment } from '../../model/identifiers';
import type { FuturesChartResolution, FuturesChartTickType } from './intervals';

export const SPOT_HTTP_URL = 'https://api.kraken.com';
export const FUTURES_HTTP_URL = 'https://futures.kraken.com';
export const SPOT_WS_URL = 'wss://ws.kraken.com/v2';
export const SPOT_WS_AUTH_URL = 'wss://ws-auth.kraken.com/v2';
export const FUTURES_WS_URL = 'wss://futures.kraken.com/ws/v1';

export const FUTURES_DEMO_HTTP_URL = 'https://demo-futures.kraken.com';
export const FUTURES_DEMO_WS_URL = 'wss://demo-futures.kraken.com/ws/v1';

/**
 * Kraken retired the Futures demo environment (`demo-futures.kraken.com`) on 14 July 2026: it answers with a
 * 301 to a marketing page and its REST and WebSocket APIs no longer work; there is no replacement sandbox
 * (futures-wire.md §0.1). The demo URLs stay available for configuration only. Use `KrakenSimulator` to run
 * against a Kraken-compatible exchange offline.
 */
export const FUTURES_DEMO_RETIRED =
  'The Kraken Futures demo environment (demo-futures.kraken.com) was retired on 2026-07-14 and no longer ' +
  'serves REST or WebSocket requests; there is no replacement sandbox. Use KrakenSimulator (kraken-rx/sim) ' +
  'to run offline, or point baseUrlHttpFutures/baseUrlWsFutures elsewhere.';

/** True when a URL points at the retired Futures demo host (so a config can warn). */
export function isRetiredFuturesDemoUrl(url: string): boolean {
  return /^(https?|wss?):\/\/demo-futures\.kraken\.com(?=[/:?#]|$)/i.test(url.trim());
}

export interface KrakenBaseUrls {
  readonly httpSpot: string;
  readonly httpFutures: string;
  readonly wsSpot: string;
  readonly wsSpotAuth: string;
  readonly wsFutures: string;
}

/**
 * Default base URLs per environment. Kraken Spot has no demo environment, so `'demo'` keeps the Spot
 * production URLs and swaps only the (retired, see {@link FUTURES_DEMO_RETIRED}) Futures hosts.
 */
export function defaultBaseUrls(environment: KrakenEnvironment = 'mainnet'): KrakenBaseUrls {
  switch (environment) {
    case 'mainnet':
      return {
        httpSpot: SPOT_HTTP_URL,
        httpFutures: FUTURES_HTTP_URL,
        wsSpot: SPOT_WS_URL,
        wsSpotAuth: SPOT_WS_AUTH_URL,
        wsFutures: FUTURES_WS_URL,
      };
    case 'demo':
      return {
        httpSpot: SPOT_HTTP_URL,
        httpFutures: FUTURES_DEMO_HTTP_URL,
        wsSpot: SPOT_WS_URL,
        wsSpotAuth: SPOT_WS_AUTH_URL,
        wsFutures: FUTURES_DEMO_WS_URL,
      };
    default:
      throw new KrakenConfigError('environment', `must be 'mainnet' or 'demo', got '${String(environment)}'`);
  }
}

/** Joins an origin (a trailing `/` tolerated) and a path that starts with `/`. */
export function joinUrl(origin: string, path: string): string {
  return `${origin.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Paths

const SPOT_METHOD = /^[A-Z][A-Za-z0-9]*$/;
const PATH_SEGMENTS = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const SEGMENT = /^[A-Za-z0-9_.-]+$/;

function checkSpotMethod(method: string): string {
  if (!SPOT_METHOD.test(method)) {
    throw new KrakenConfigError('method', `must be a Kraken Spot method name such as 'AddOrder', got '${method}'`);
  }
  return method;
}

function checkSegment(option: string, segment: string, example: string): string {
  if (!SEGMENT.test(segment) || segment === '.' || segment === '..') {
    throw new KrakenConfigError(option, `must be one path segment such as '${example}', got '${segment}'`);
  }
  return segment;
}

function checkEndpoint(option: string, endpoint: string, example: string): string {
  const trimmed = endpoint.replace(/^\/+/, '');
  if (!PATH_SEGMENTS.test(trimmed) || trimmed.split('/').some((part) => part === '.' || part === '..')) {
    throw new KrakenConfigError(option, `must be a relative path such as '${example}', got '${endpoint}'`);
  }
  return trimmed;
}

/** `/0/public/<Method>`, e.g. `spotPublicPath('AssetPairs')` → `/0/public/AssetPairs`. */
export function spotPublicPath(method: string): string {
  return `/0/public/${checkSpotMethod(method)}`;
}

/** `/0/private/<Method>`, e.g. `spotPrivatePath('AddOrder')` → `/0/private/AddOrder` (also the signed path). */
export function spotPrivatePath(method: string): string {
  return `/0/private/${checkSpotMethod(method)}`;
}

/**
 * `/derivatives/api/<version>/<endpoint>`: `futuresDerivativesPath('sendorder')`,
 * `futuresDerivativesPath('orders/status')`, `futuresDerivativesPath('tickers/PF_XBTUSD')`,
 * `futuresDerivativesPath('historicalfundingrates', 'v4')`.
 */
export function futuresDerivativesPath(endpoint: string, version: 'v3' | 'v4' = 'v3'): string {
  return `/derivatives/api/${version}/${checkEndpoint('endpoint', endpoint, 'sendorder')}`;
}

/**
 * `/api/history/<version>/<endpoint>`: `futuresHistoryPath('orders')`, `futuresHistoryPath('account-log')`,
 * `futuresHistoryPath('market/PF_XBTUSD/executions')`. Signed with the full path (nothing is stripped).
 */
export function futuresHistoryPath(endpoint: string, version: 'v2' | 'v3' = 'v3'): string {
  return `/api/history/${version}/${checkEndpoint('endpoint', endpoint, 'orders')}`;
}

/** `/api/history/v3/market/<symbol>/<executions|orders|price>`: public market history (futures-wire.md §9.6). */
export function futuresMarketHistoryPath(symbol: string, kind: 'executions' | 'orders' | 'price'): string {
  return futuresHistoryPath(`market/${checkSegment('symbol', symbol, 'PF_XBTUSD')}/${kind}`);
}

/**
 * The charts API (public, futures-wire.md §7), built as far as the arguments go:
 * `futuresChartsPath()` → `/api/charts/v1/`, `futuresChartsPath('trade')` → `/api/charts/v1/trade`,
 * `futuresChartsPath('trade', 'PF_XBTUSD', '1h')` → `/api/charts/v1/trade/PF_XBTUSD/1h` (the candles path;
 * add `?from=&to=` in epoch seconds).
 */
export function futuresChartsPath(
  tickType?: FuturesChartTickType,
  symbol?: string,
  resolution?: FuturesChartResolution,
): string {
  if (tickType === undefined) return '/api/charts/v1/';
  const parts: string[] = [checkSegment('tickType', tickType, 'trade')];
  if (symbol !== undefined) parts.push(checkSegment('symbol', symbol, 'PF_XBTUSD'));
  if (resolution !== undefined) {
    if (symbol === undefined) throw new KrakenConfigError('symbol', 'is required when a resolution is given');
    parts.push(checkSegment('resolution', resolution, '1h'));
  }
  return `/api/charts/v1/${parts.join('/')}`;
}

/** `/api/charts/v1/analytics/<symbol>/<analyticsType>` (open-interest, funding, liquidation-volume, ...). */
export function futuresChartsAnalyticsPath(symbol: string, analyticsType: string): string {
  return `/api/charts/v1/analytics/${checkSegment('symbol', symbol, 'PF_XBTUSD')}/${checkSegment('analyticsType', analyticsType, 'open-interest')}`;
}
