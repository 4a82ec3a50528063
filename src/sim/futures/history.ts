/**
 * Kraken Futures History API (`/api/history/v2|v3/*`, futures-wire.md §9, §10.2): the account's order, trigger
 * and execution events with continuation-token paging, the account log, and the public market executions. No
 * `result` envelope; the 100-token pool (100 per 10 min) on the simulator's clock, refused with HTTP 429.
 */
import type { SimContext } from '../context';
import { DecayingCounter } from '../engine/rateCounter';
import type { SimHttpRequest, SimHttpResponse } from '../server';
import { FUTURES_HISTORY_POOL, futuresHistoryCost } from '../../kraken/common/rateLimits';
import { all, first, paramsOf, type FuturesRestAuth } from './auth';
import { iso, str } from './format';
import type { AccountLogEntry, FuturesVenue, HistoryElement } from './venue';

const MAX_COUNT = 1000;
const DEFAULT_COUNT = 500;

export function attachFuturesHistory(ctx: SimContext, venue: FuturesVenue, auth: FuturesRestAuth): void {
  const { clock, server, engine } = ctx;
  const pool = new DecayingCounter(clock, FUTURES_HISTORY_POOL.capacity, FUTURES_HISTORY_POOL.refillPerSecond);
  const serverTime = () => iso(clock.now());
  const error = (status: number, message: string): SimHttpResponse => ({
    status,
    body: { result: 'error', serverTime: serverTime(), error: message },
  });

  server.family('/api/history/', 'futures', (krakenError) => ({
    result: 'error',
    serverTime: serverTime(),
    error: krakenError,
  }));

  /** Pool check: a refused call costs nothing and is told when the same call would pass. */
  const charge = (request: SimHttpRequest): SimHttpResponse | undefined => {
    const cost = futuresHistoryCost(request.path + (request.rawQuery ? `?${request.rawQuery}` : ''));
    if (cost === 0 || pool.tryAdd(cost)) return undefined;
    const over = pool.current() + cost - pool.max;
    const reset = Math.max(1, Math.ceil(over / pool.decayPerSecond));
    return {
      status: 429,
      headers: { 'content-type': 'text/plain', 'rate-limit-reset': String(reset) },
      body: 'Too Many Requests',
    };
  };

  const privateRoute = (name: string, handler: (params: Record<string, string | string[]>) => SimHttpResponse) => {
    for (const version of ['v2', 'v3']) {
      server.route('GET', `/api/history/${version}/${name}`, (request) => {
        const failed = auth.verify(request);
        if (failed) return error(401, failed);
        return charge(request) ?? handler(paramsOf(request));
      });
    }
  };

  const page = (
    log: readonly HistoryElement[],
    params: Record<string, string | string[]>,
    filter: (e: HistoryElement) => boolean = () => true,
  ): SimHttpResponse => {
    const query = pageQuery(params);
    if (typeof query === 'string') return error(400, query);
    const symbol = first(params.tradeable)?.toUpperCase();
    const selected = log.filter(
      (e) =>
        e.timestamp >= query.since &&
        e.timestamp < query.before &&
        (!symbol || e.symbol === symbol) &&
        filter(e) &&
        (query.after === undefined || (query.sort === 'asc' ? e.seq > query.after : e.seq < query.after)),
    );
    if (query.sort === 'desc') selected.reverse();
    const elements = selected.slice(0, query.count);
    const more = selected.length > elements.length;
    const token = more ? encodeToken(query.sort, elements[elements.length - 1].seq) : undefined;
    return {
      headers: token ? { 'Next-Continuation-Token': token } : {},
      body: {
        accountUid: venue.accountUid,
        len: elements.length,
        serverTime: serverTime(),
        elements: elements.map((e) => ({ uid: e.uid, timestamp: e.timestamp, event: e.event })),
        ...(token ? { continuationToken: token } : {}),
      },
    };
  };

  privateRoute('orders', (params) => {
    const opened = first(params.opened) === 'true';
    const closed = first(params.closed) === 'true';
    return page(venue.ordersLog, params, (e) =>
      !opened && !closed ? true : (opened && e.kind === 'opened') || (closed && e.kind === 'closed'),
    );
  });
  privateRoute('triggers', (params) => page(venue.triggersLog, params));
  privateRoute('executions', (params) => page(venue.executionsLog, params));
  privateRoute('positions', (params) => page([], params));
  privateRoute('account-log', (params) => {
    const since = numberParam(first(params.since), -Infinity);
    const before = numberParam(first(params.before), Infinity);
    const from = numberParam(first(params.from), -Infinity);
    const to = numberParam(first(params.to), Infinity);
    const count = numberParam(first(params.count), DEFAULT_COUNT);
    const sort = first(params.sort) ?? 'desc';
    if ([since, before, from, to, count].some(Number.isNaN) || (sort !== 'asc' && sort !== 'desc') || count < 1) {
      return error(400, 'invalid parameters');
    }
    const infos = all(params.info);
    const selected = venue.accountLog.filter(
      (e) =>
        e.time >= since &&
        e.time < before &&
        e.id >= from &&
        e.id <= to &&
        (infos.length === 0 || infos.includes(e.info as string)),
    );
    if (sort === 'desc') selected.reverse();
    return {
      body: { accountUid: venue.accountUid, logs: selected.slice(0, Math.min(count, 100_000)).map(publicLogEntry) },
    };
  });

  // Public market history: complete trade tape of the simulation (the engine keeps the last 1000 prints).
  for (const version of ['v2', 'v3']) {
    server.route('GET', `/api/history/${version}/market/*`, (request) => {
      const match = new RegExp(`^/api/history/${version}/market/([^/]+)/executions$`).exec(request.path);
      if (!match) return { status: 404, body: { status: 'NOT_FOUND' } };
      const contract = venue.contract(decodeURIComponent(match[1]));
      if (!contract) return error(404, 'unknown tradeable');
      const params = paramsOf(request);
      const trades = engine.market(contract.symbol)?.trades ?? [];
      const elements: HistoryElement[] = trades.map((t) => {
        const order = (id: string, direction: string) => ({
          uid: venue.publicOrderUid(id),
          tradeable: contract.symbol,
          direction,
          quantity: str(t.qty),
          filled: str(t.qty),
          timestamp: t.time,
          limitPrice: str(t.price),
          orderType: 'Limit',
          clientId: '',
          reduceOnly: false,
          lastUpdateTimestamp: t.time,
        });
        const takerDirection = t.side === 'buy' ? 'Buy' : 'Sell';
        const makerDirection = t.side === 'buy' ? 'Sell' : 'Buy';
        return {
          seq: t.id,
          uid: t.uid,
          timestamp: t.time,
          symbol: contract.symbol,
          event: {
            Execution: {
              execution: {
                uid: t.uid,
                makerOrder: order(t.makerOrderId, makerDirection),
                takerOrder: {
                  ...order(t.takerOrderId === 'synthetic' ? `synthetic:${t.id}` : t.takerOrderId, takerDirection),
                  orderType: t.ordType === 'market' ? 'Market' : 'Limit',
                },
                timestamp: t.time,
                quantity: str(t.qty),
                price: str(t.price),
                markPrice: str(t.price),
                limitFilled: false,
                usdValue: str(contract.type === 'futures_inverse' ? t.qty : t.qty.mul(t.price)),
              },
              takerReducedQuantity: '',
            },
          },
        };
      });
      const response = page(elements, params);
      const body = response.body as Record<string, unknown>;
      if (response.status !== undefined) return response;
      delete body.accountUid;
      delete body.serverTime;
      return response;
    });
  }

  server.route('*', '/api/history/*', () => ({ status: 404, body: { status: 'NOT_FOUND' } }));
}

interface PageQuery {
  readonly since: number;
  readonly before: number;
  readonly sort: 'asc' | 'desc';
  readonly count: number;
  readonly after?: number;
}

function pageQuery(params: Record<string, string | string[]>): PageQuery | string {
  const since = numberParam(first(params.since), -Infinity);
  const before = numberParam(first(params.before), Infinity);
  const count = numberParam(first(params.count), DEFAULT_COUNT);
  const sort = first(params.sort) ?? 'desc';
  if (Number.isNaN(since) || Number.isNaN(before)) return 'invalid since/before';
  if (Number.isNaN(count) || count < 1) return 'invalid count';
  if (sort !== 'asc' && sort !== 'desc') return 'invalid sort';
  const token = first(params.continuation_token) ?? first(params.continuationToken);
  let after: number | undefined;
  if (token !== undefined) {
    const decoded = decodeToken(token);
    if (!decoded) return 'invalid continuation token';
    if (decoded.sort !== sort) return 'continuation token was issued for another sort order';
    after = decoded.seq;
  }
  return { since, before, sort, count: Math.min(count, MAX_COUNT), after };
}

function numberParam(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  return /^-?\d+$/.test(text) ? Number(text) : NaN;
}

function encodeToken(sort: string, seq: number): string {
  return Buffer.from(`${sort}:${seq}`, 'utf8').toString('base64');
}

function decodeToken(token: string): { sort: string; seq: number } | undefined {
  const match = /^(asc|desc):(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  return match ? { sort: match[1], seq: Number(match[2]) } : undefined;
}

/** An account-log entry as the API shows it (the internal epoch-ms `time` removed). */
export function publicLogEntry(entry: AccountLogEntry): Record<string, unknown> {
  const { time, ...rest } = entry;
  void time;
  return rest;
}
