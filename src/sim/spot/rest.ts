/**
 * Spot REST (`/0/public/*`, `/0/private/*`), in Kraken's envelope `{ error: [...], result }` (spot-wire.md §1–§4).
 */
import Decimal from 'decimal.js';
import type { SimContext } from '../context';
import type { EngineFill, EngineOrder } from '../engine/engine';
import { assetPairsEntry, assetsEntry, type SpotPairDef } from '../engine/instruments';
import { HANG, type SimHttpRequest, type SimHttpResponse } from '../server';
import type { SpotAuth } from './auth';
import { orderDescription, restOrder, restPrices, restTrade, rfc1123, rfc3339Seconds } from './format';
import { amendPrice, decimalOf, engineError, parseRestOrder } from './params';
import type { SpotTrading } from './trading';

type Params = Record<string, unknown>;
type Outcome = { result: unknown } | { error: string } | typeof HANG;

const OHLC_INTERVALS = [1, 5, 15, 30, 60, 240, 1440, 10080, 21600];
const PAGE = 50;

export function attachSpotRest(ctx: SimContext, auth: SpotAuth, trading: SpotTrading): void {
  const { server, engine, clock } = ctx;
  server.family('/0/', 'spot', (error) => ({ error: [error] }));

  const envelope = (outcome: Exclude<Outcome, typeof HANG>): SimHttpResponse =>
    'error' in outcome ? { body: { error: [outcome.error] } } : { body: { error: [], result: outcome.result } };

  const publicRoute = (name: string, handler: (q: URLSearchParams) => Exclude<Outcome, typeof HANG>) => {
    server.route('*', `/0/public/${name}`, (req) => {
      const query = new URLSearchParams(req.query);
      if (req.method === 'POST' && req.rawBody) for (const [k, v] of new URLSearchParams(req.rawBody)) query.set(k, v);
      return envelope(handler(query));
    });
  };

  const privateRoute = (name: string, handler: (p: Params, accountId: string) => Outcome) => {
    server.route('*', `/0/private/${name}`, (req) => {
      if (req.method !== 'POST') return envelope({ error: 'EGeneral:Invalid arguments' });
      const body = parseSpotBody(req);
      if ('error' in body) return envelope(body);
      const checked = auth.verify(req, name, body.nonce);
      if ('error' in checked) return envelope(checked);
      const outcome = handler(body.params, checked.accountId);
      return outcome === HANG ? HANG : envelope(outcome);
    });
  };

  const pairOf = (name: unknown): SpotPairDef | undefined =>
    typeof name === 'string' ? engine.instruments.spotByRestName(name) : undefined;

  const pairsParam = (value: string | null): SpotPairDef[] | { error: string } => {
    if (value === null || value === '') return [...engine.instruments.spot];
    const out: SpotPairDef[] = [];
    for (const name of value.split(',')) {
      const pair = pairOf(name.trim());
      if (!pair) return { error: 'EQuery:Unknown asset pair' };
      out.push(pair);
    }
    return out;
  };

  // ---- public ----------------------------------------------------------------------------------------------------

  publicRoute('Time', () => {
    const now = clock.now();
    return { result: { unixtime: Math.floor(now / 1000), rfc1123: rfc1123(now) } };
  });

  publicRoute('SystemStatus', () => ({ result: { status: 'online', timestamp: rfc3339Seconds(clock.now()) } }));

  publicRoute('Assets', (q) => {
    const wanted = q.get('asset');
    const assets = wanted
      ? wanted.split(',').map((a) => engine.instruments.spotAsset(a.trim()))
      : engine.instruments.assets;
    if (assets.some((a) => a === undefined)) return { error: 'EQuery:Unknown asset' };
    const result: Record<string, unknown> = {};
    for (const a of assets) if (a) result[a.restKey] = assetsEntry(a);
    return { result };
  });

  publicRoute('AssetPairs', (q) => {
    const pairs = pairsParam(q.get('pair'));
    if ('error' in pairs) return pairs;
    const info = q.get('info') ?? 'info';
    const subsets: Record<string, string[]> = {
      leverage: ['leverage_buy', 'leverage_sell'],
      fees: ['fees', 'fee_volume_currency'],
      margin: ['margin_call', 'margin_stop'],
    };
    if (info !== 'info' && !subsets[info]) return { error: 'EGeneral:Invalid arguments:info' };
    const result: Record<string, unknown> = {};
    for (const pair of pairs) {
      const entry = assetPairsEntry(pair);
      result[pair.restKey] =
        info === 'info' ? entry : Object.fromEntries(subsets[info].map((key) => [key, entry[key]]));
    }
    return { result };
  });

  publicRoute('Ticker', (q) => {
    const pairs = pairsParam(q.get('pair'));
    if ('error' in pairs) return pairs;
    const result: Record<string, unknown> = {};
    for (const pair of pairs) result[pair.restKey] = restTicker(ctx, pair);
    return { result };
  });

  publicRoute('OHLC', (q) => {
    const pair = pairOf(q.get('pair'));
    if (!pair) return { error: q.get('pair') ? 'EQuery:Unknown asset pair' : 'EGeneral:Invalid arguments' };
    const interval = Number(q.get('interval') ?? 1);
    if (!OHLC_INTERVALS.includes(interval)) return { error: 'EGeneral:Invalid arguments' };
    const since = q.get('since');
    const market = engine.market(pair.symbol);
    if (!market) return { error: 'EQuery:Unknown asset pair' };
    const all = market.barsOf(interval).slice(-720);
    const sinceMs = since !== null && /^\d+$/.test(since) ? Number(since) * 1000 : -Infinity;
    const current = Math.floor(clock.now() / (interval * 60_000)) * interval * 60_000;
    const rows = all.filter((b, i) => b.time > sinceMs || i === all.length - 1);
    const committed = all.filter((b) => b.time < current);
    const last = committed.length > 0 ? committed[committed.length - 1].time / 1000 : Math.floor(sinceMs / 1000) || 0;
    return {
      result: {
        [pair.restKey]: rows.map((b) => [
          b.time / 1000,
          b.open.toFixed(pair.priceDecimals),
          b.high.toFixed(pair.priceDecimals),
          b.low.toFixed(pair.priceDecimals),
          b.close.toFixed(pair.priceDecimals),
          (b.volume.isZero() ? b.close : b.notional.div(b.volume)).toFixed(pair.priceDecimals),
          b.volume.toFixed(pair.qtyDecimals),
          b.count,
        ]),
        last,
      },
    };
  });

  publicRoute('Trades', (q) => {
    const pair = pairOf(q.get('pair'));
    if (!pair) return { error: q.get('pair') ? 'EQuery:Unknown asset pair' : 'EGeneral:Invalid arguments' };
    const count = Number(q.get('count') ?? 1000);
    if (!Number.isInteger(count) || count < 1 || count > 1000) return { error: 'EGeneral:Invalid arguments:count' };
    const market = engine.market(pair.symbol);
    if (!market) return { error: 'EQuery:Unknown asset pair' };
    const since = q.get('since');
    // `since` is Unix seconds (possibly fractional) or the opaque nanosecond cursor from `last`; anything else is
    // refused rather than read as "from the beginning".
    let sinceNs = -1n;
    if (since !== null) {
      if (/^\d{13,}$/.test(since)) sinceNs = BigInt(since);
      else if (/^\d{1,12}(\.\d+)?$/.test(since)) sinceNs = nanos(Number(since) * 1000);
      else return { error: 'EGeneral:Invalid arguments:since' };
    }
    // Without `since` Kraken answers the most recent `count` trades; with it, the first `count` after it.
    const after = market.trades.filter((t) => nanos(t.time) > sinceNs);
    const trades = since === null ? after.slice(-count) : after.slice(0, count);
    const lastTrade = trades[trades.length - 1];
    return {
      result: {
        [pair.restKey]: trades.map((t) => [
          t.price.toFixed(pair.priceDecimals),
          t.qty.toFixed(pair.qtyDecimals),
          t.time / 1000,
          t.side === 'buy' ? 'b' : 's',
          t.ordType === 'market' ? 'm' : 'l',
          '',
          t.id,
        ]),
        last: lastTrade ? nanos(lastTrade.time).toString() : (since ?? '0'),
      },
    };
  });

  publicRoute('Depth', (q) => {
    const pair = pairOf(q.get('pair'));
    if (!pair) return { error: q.get('pair') ? 'EQuery:Unknown asset pair' : 'EGeneral:Invalid arguments' };
    const count = Number(q.get('count') ?? 100);
    if (!Number.isInteger(count) || count < 1 || count > 500) return { error: 'EGeneral:Invalid arguments:count' };
    const book = engine.market(pair.symbol)?.book;
    if (!book) return { error: 'EQuery:Unknown asset pair' };
    const level = (l: { price: Decimal; qty: Decimal; time: number }) => [
      l.price.toFixed(pair.priceDecimals),
      l.qty.toFixed(pair.qtyDecimals),
      Math.floor(l.time / 1000),
    ];
    return {
      result: {
        [pair.restKey]: { asks: book.view('sell', count).map(level), bids: book.view('buy', count).map(level) },
      },
    };
  });

  server.route('*', '/0/public/*', () => ({ status: 404, body: { error: ['EGeneral:Unknown method'] } }));

  // ---- private: account ------------------------------------------------------------------------------------------

  privateRoute('Balance', (_p, accountId) => {
    const account = engine.spotAccount(accountId);
    const result: Record<string, string> = {};
    for (const [asset, amount] of account?.all() ?? []) {
      const def = engine.instruments.spotAsset(asset);
      result[def?.restKey ?? asset] = amount.toFixed(def?.decimals ?? 8);
    }
    return { result };
  });

  privateRoute('BalanceEx', (_p, accountId) => {
    const account = engine.spotAccount(accountId);
    const holds = engine.spotHolds(accountId);
    const result: Record<string, unknown> = {};
    for (const [asset, amount] of account?.all() ?? []) {
      const def = engine.instruments.spotAsset(asset);
      const decimals = def?.decimals ?? 8;
      result[def?.restKey ?? asset] = {
        balance: amount.toFixed(decimals),
        hold_trade: (holds.get(asset) ?? new Decimal(0)).toFixed(decimals),
      };
    }
    return { result };
  });

  privateRoute('TradeBalance', (p, accountId) => {
    const denomination = engine.instruments.spotAsset(String(p.asset ?? 'ZUSD'));
    if (!denomination) return { error: 'EQuery:Unknown asset' };
    const unit = engine.usdPrice(denomination.wsId);
    let equivalent = new Decimal(0);
    for (const [asset, amount] of engine.spotAccount(accountId)?.all() ?? []) {
      equivalent = equivalent.add(amount.mul(engine.usdPrice(asset)).div(unit));
    }
    let openValue = new Decimal(0);
    for (const order of engine.openOrders(accountId)) {
      if (order.venue !== 'spot') continue;
      const pair = engine.instruments.get(order.symbol) as SpotPairDef;
      const price =
        order.limitPrice ?? order.triggerPrice ?? engine.market(order.symbol)?.lastPrice() ?? new Decimal(0);
      openValue = openValue.add(order.qty.sub(order.filled).mul(price).mul(engine.usdPrice(pair.quote.wsId)).div(unit));
    }
    const f = (v: Decimal) => v.toFixed(4);
    const zero = new Decimal(0);
    return {
      result: {
        eb: f(equivalent),
        tb: f(equivalent),
        m: f(zero),
        n: f(zero),
        c: f(zero),
        v: f(zero),
        e: f(equivalent),
        mf: f(equivalent),
        uv: f(openValue),
      },
    };
  });

  const orderMap = (orders: readonly EngineOrder[], withTrades: boolean) => {
    const out: Record<string, unknown> = {};
    for (const order of orders) {
      out[order.id] = restOrder(order, engine.instruments.get(order.symbol) as SpotPairDef, withTrades);
    }
    return out;
  };

  const idFilters = (p: Params): { userref?: number; clOrdId?: string } | { error: string } => {
    const out: { userref?: number; clOrdId?: string } = {};
    if (p.userref !== undefined) {
      const ref = Number(p.userref);
      if (!Number.isInteger(ref)) return { error: 'EGeneral:Invalid arguments:userref' };
      out.userref = ref;
    }
    if (p.cl_ord_id !== undefined) out.clOrdId = String(p.cl_ord_id);
    return out;
  };

  const spotOrders = (accountId: string) => engine.accountOrders(accountId).filter((o) => o.venue === 'spot');

  privateRoute('OpenOrders', (p, accountId) => {
    const filters = idFilters(p);
    if ('error' in filters) return filters;
    const open = spotOrders(accountId).filter(
      (o) =>
        (o.status === 'open' || o.status === 'pending') &&
        (filters.userref === undefined || o.userref === filters.userref) &&
        (filters.clOrdId === undefined || o.clOrdId === filters.clOrdId),
    );
    return { result: { open: orderMap(open, truthy(p.trades)) } };
  });

  privateRoute('ClosedOrders', (p, accountId) => {
    const filters = idFilters(p);
    if ('error' in filters) return filters;
    const closetime = String(p.closetime ?? 'both');
    if (!['open', 'close', 'both'].includes(closetime)) return { error: 'EGeneral:Invalid arguments:closetime' };
    const ofs = Number(p.ofs ?? 0);
    if (!Number.isInteger(ofs) || ofs < 0) return { error: 'EGeneral:Invalid arguments:ofs' };
    const boundOf = (name: string, value: unknown): number | undefined | { error: string } => {
      if (value === undefined || value === '') return undefined;
      const text = String(value);
      if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
      const order = engine.order(text);
      return order && order.accountId === accountId ? order.openTime : { error: `EGeneral:Invalid arguments:${name}` };
    };
    const start = boundOf('start', p.start);
    const end = boundOf('end', p.end);
    if (typeof start === 'object') return start;
    if (typeof end === 'object') return end;
    const times = (o: EngineOrder) =>
      closetime === 'open'
        ? [o.openTime]
        : closetime === 'close'
          ? [o.closeTime ?? o.lastUpdate]
          : [o.openTime, o.closeTime ?? o.lastUpdate];
    const inRange = (t: number) => (start === undefined || t > start) && (end === undefined || t <= end);
    const closed = spotOrders(accountId)
      .filter(
        (o) =>
          (o.status === 'closed' || o.status === 'canceled' || o.status === 'expired') &&
          (filters.userref === undefined || o.userref === filters.userref) &&
          (filters.clOrdId === undefined || o.clOrdId === filters.clOrdId) &&
          times(o).some(inRange),
      )
      .sort((a, b) => sortKey(b, closetime) - sortKey(a, closetime));
    const page = closed.slice(ofs, ofs + PAGE);
    return {
      result: {
        closed: orderMap(page, truthy(p.trades)),
        ...(truthy(p.without_count) ? {} : { count: closed.length }),
      },
    };
  });

  privateRoute('QueryOrders', (p, accountId) => {
    const txids = listParam(p.txid);
    if (txids.length === 0 || txids.length > 50) return { error: 'EGeneral:Invalid arguments:txid' };
    const found: EngineOrder[] = [];
    for (const id of txids) {
      const order = engine.order(String(id));
      if (!order || order.accountId !== accountId || order.venue !== 'spot') return { error: 'EOrder:Invalid order' };
      found.push(order);
    }
    const filters = idFilters(p);
    if ('error' in filters) return filters;
    return {
      result: orderMap(
        found.filter((o) => filters.userref === undefined || o.userref === filters.userref),
        truthy(p.trades),
      ),
    };
  });

  const postxids = new Map<string, string>();
  const tradeMap = (fills: readonly EngineFill[]) => {
    const out: Record<string, unknown> = {};
    for (const fill of fills) {
      let postxid = postxids.get(fill.id);
      if (!postxid) {
        postxid = engine.ids.tradeId();
        postxids.set(fill.id, postxid);
      }
      out[fill.id] = restTrade(fill, engine.instruments.get(fill.symbol) as SpotPairDef, postxid);
    }
    return out;
  };
  const spotFills = (accountId: string) =>
    engine.accountFills(accountId).filter((f) => engine.instruments.get(f.symbol)?.venue === 'spot');

  privateRoute('TradesHistory', (p, accountId) => {
    const type = String(p.type ?? 'all');
    if (!['all', 'any position', 'closed position', 'closing position', 'no position'].includes(type)) {
      return { error: 'EGeneral:Invalid arguments:type' };
    }
    const ofs = Number(p.ofs ?? 0);
    if (!Number.isInteger(ofs) || ofs < 0) return { error: 'EGeneral:Invalid arguments:ofs' };
    const all = spotFills(accountId);
    // A bound is a time (Unix seconds) or a trade txid; a txid bounds by position, so the other fills of the same
    // taker order (same millisecond) fall on the right side of it. Positions index `all`, oldest first.
    const boundOf = (name: string, value: unknown): { time: number } | { index: number } | undefined | string => {
      if (value === undefined || value === '') return undefined;
      const text = String(value);
      if (/^\d+(\.\d+)?$/.test(text)) return { time: Number(text) * 1000 };
      const index = all.findIndex((f) => f.id === text);
      return index >= 0 ? { index } : `EGeneral:Invalid arguments:${name}`;
    };
    const start = boundOf('start', p.start);
    const end = boundOf('end', p.end);
    if (typeof start === 'string') return { error: start };
    if (typeof end === 'string') return { error: end };
    const after = (f: EngineFill, i: number) =>
      start === undefined || ('time' in start ? f.time > start.time : i > start.index);
    const upTo = (f: EngineFill, i: number) =>
      end === undefined || ('time' in end ? f.time <= end.time : i <= end.index);
    // Spot trades open no position: the position-only filters match nothing.
    const matching = (type === 'all' || type === 'no position' ? all : [])
      .filter((f, i) => after(f, i) && upTo(f, i))
      .reverse();
    const page = matching.slice(ofs, ofs + PAGE);
    return {
      result: { trades: tradeMap(page), ...(truthy(p.without_count) ? {} : { count: matching.length }) },
    };
  });

  privateRoute('QueryTrades', (p, accountId) => {
    const txids = listParam(p.txid);
    if (txids.length === 0 || txids.length > 20) return { error: 'EGeneral:Invalid arguments:txid' };
    const all = spotFills(accountId);
    const found: EngineFill[] = [];
    for (const id of txids) {
      const fill = all.find((f) => f.id === id);
      if (!fill) return { error: 'EGeneral:Invalid arguments:txid' };
      found.push(fill);
    }
    return { result: tradeMap(found) };
  });

  privateRoute('GetWebSocketsToken', (_p, accountId) => {
    const token = auth.issueToken(accountId);
    return { result: { token: token.token, expires: 900 } };
  });

  // ---- private: trading ------------------------------------------------------------------------------------------

  privateRoute('AddOrder', (p, accountId) => {
    const pair = pairOf(p.pair);
    if (!pair) return { error: 'EQuery:Unknown asset pair' };
    const request = parseRestOrder(p, pair, { engine, now: clock.now() });
    if (!request.ok) return { error: request.error };
    const placed = trading.add(accountId, request.value);
    if (!placed.ok) return { error: placed.error };
    const descr = { order: orderDescription(placed.value, pair) };
    if (request.value.validateOnly) return { result: { descr } };
    if (ctx.faults.takeOrderTimeout('spot', 'rest')) return HANG;
    return { result: { descr, txid: [placed.value.id] } };
  });

  privateRoute('AddOrderBatch', (p, accountId) => {
    const pair = pairOf(p.pair);
    if (!pair) return { error: 'EQuery:Unknown asset pair' };
    const orders = Array.isArray(p.orders) ? (p.orders as Params[]) : undefined;
    if (!orders || orders.length < 2 || orders.length > 15) return { error: 'EGeneral:Invalid arguments:orders' };
    const requests = [];
    for (const entry of orders) {
      if (typeof entry !== 'object' || entry === null) return { error: 'EGeneral:Invalid arguments:orders' };
      const parsed = parseRestOrder({ ...entry, validate: p.validate }, pair, { engine, now: clock.now() });
      if (!parsed.ok) return { error: parsed.error };
      requests.push(parsed.value);
    }
    // Whole-batch validation first: the engine's static checks refuse the batch; funds are per order.
    for (const request of requests) {
      const check = engine.submitOrder(accountId, { ...request, validateOnly: true });
      if (!check.ok && check.code !== 'INSUFFICIENT_FUNDS') return { error: engineError(check.code, check.detail) };
    }
    const validate = truthy(p.validate);
    const results = requests.map((request) => {
      const placed = trading.add(accountId, request);
      if (!placed.ok) return { error: placed.error };
      const descr = { order: orderDescription(placed.value, pair) };
      return validate ? { descr } : { txid: placed.value.id, descr };
    });
    if (!validate && ctx.faults.takeOrderTimeout('spot', 'rest')) return HANG;
    return { result: { orders: results } };
  });

  const findOrder = (accountId: string, p: Params): EngineOrder | undefined => {
    if (p.txid !== undefined) {
      const order = engine.order(String(p.txid));
      return order && order.accountId === accountId && order.venue === 'spot' ? order : undefined;
    }
    if (p.cl_ord_id !== undefined) {
      return engine.findByClientId(accountId, String(p.cl_ord_id));
    }
    return undefined;
  };

  privateRoute('AmendOrder', (p, accountId) => {
    if ((p.txid === undefined) === (p.cl_ord_id === undefined)) return { error: 'EGeneral:Invalid arguments:txid' };
    const order = findOrder(accountId, p);
    if (!order || (order.status !== 'open' && order.status !== 'pending')) return { error: 'EOrder:Unknown order' };
    if (p.display_qty !== undefined) return { error: 'EGeneral:Invalid arguments:display_qty' };
    const pair = engine.instruments.get(order.symbol) as SpotPairDef;
    const last = engine.market(order.symbol)?.lastPrice() ?? new Decimal(0);
    let qty: Decimal | undefined;
    if (p.order_qty !== undefined) {
      qty = decimalOf(p.order_qty);
      if (!qty || qty.isZero()) return { error: 'EGeneral:Invalid arguments:order_qty' };
    }
    const limit = amendPrice(p.limit_price, 'limit_price', last, pair, order.side, order.type, false);
    if (!limit.ok) return { error: limit.error };
    const trigger = amendPrice(p.trigger_price, 'trigger_price', last, pair, order.side, order.type, true);
    if (!trigger.ok) return { error: trigger.error };
    const amended = trading.amend(accountId, order, {
      qty,
      limitPrice: limit.value,
      triggerPrice: trigger.value,
      postOnly: truthy(p.post_only) || undefined,
    });
    if (!amended.ok) return { error: amended.error };
    return { result: { amend_id: amended.value.amendId } };
  });

  privateRoute('EditOrder', (p, accountId) => {
    const pair = pairOf(p.pair);
    if (!pair) return { error: 'EQuery:Unknown asset pair' };
    if (p.cl_ord_id !== undefined) return { error: 'EGeneral:Invalid arguments:cl_ord_id' };
    if (p.txid === undefined) return { error: 'EGeneral:Invalid arguments:txid' };
    let order = findOrder(accountId, p);
    if (!order && /^-?\d+$/.test(String(p.txid))) {
      const matches = engine.openOrders(accountId).filter((o) => o.userref === Number(p.txid));
      if (matches.length === 1) order = matches[0];
    }
    if (!order || order.status !== 'open' || order.symbol !== pair.symbol) return { error: 'EOrder:Unknown order' };
    const last = engine.market(order.symbol)?.lastPrice() ?? new Decimal(0);
    let qty: Decimal | undefined;
    if (p.volume !== undefined) {
      qty = decimalOf(p.volume);
      if (!qty || qty.isZero()) return { error: 'EGeneral:Invalid arguments:volume' };
    }
    const triggered = order.triggerPrice !== undefined;
    const price = amendPrice(p.price, 'price', last, pair, order.side, order.type, triggered);
    if (!price.ok) return { error: price.error };
    const price2 = amendPrice(p.price2, 'price2', last, pair, order.side, order.type, false);
    if (!price2.ok) return { error: price2.error };
    const oflags = typeof p.oflags === 'string' ? p.oflags.split(',') : [];
    let userref: number | undefined;
    if (p.userref !== undefined) {
      userref = Number(p.userref);
      if (!Number.isInteger(userref)) return { error: 'EGeneral:Invalid arguments:userref' };
    }
    const changes = {
      qty,
      limitPrice: triggered ? price2.value : price.value,
      triggerPrice: triggered ? price.value : undefined,
      postOnly: oflags.includes('post'),
      userref,
    };
    if (truthy(p.validate))
      return { result: { descr: { order: orderDescription({ ...order, ...definedOnly(changes) }, pair) } } };
    const edited = trading.edit(accountId, order, changes);
    if (!edited.ok) return { error: edited.error };
    const fresh = edited.value.order;
    const prices = restPrices(fresh);
    return {
      result: {
        status: 'ok',
        txid: fresh.id,
        originaltxid: order.id,
        volume: fresh.qty.toFixed(pair.qtyDecimals),
        price: (prices.price ?? new Decimal(0)).toFixed(pair.priceDecimals),
        price2: (prices.price2 ?? new Decimal(0)).toFixed(pair.priceDecimals),
        orders_cancelled: 1,
        descr: { order: orderDescription(fresh, pair) },
        ...(fresh.userref !== undefined ? { newuserref: fresh.userref } : {}),
        ...(order.userref !== undefined ? { olduserref: order.userref } : {}),
      },
    };
  });

  privateRoute('CancelOrder', (p, accountId) => {
    if ((p.txid === undefined) === (p.cl_ord_id === undefined)) return { error: 'EGeneral:Invalid arguments:txid' };
    let targets: EngineOrder[];
    if (p.cl_ord_id !== undefined) {
      targets = trading.targets(accountId, { clOrdIds: [String(p.cl_ord_id)] });
    } else if (/^-?\d+$/.test(String(p.txid))) {
      targets = trading.targets(accountId, { userrefs: [Number(p.txid)] });
    } else {
      targets = trading.targets(accountId, { orderIds: [String(p.txid)] });
    }
    if (targets.length === 0) return { error: 'EOrder:Unknown order' };
    if (targets.length === 1) {
      const cancelled = trading.cancelOne(accountId, targets[0]);
      if (!cancelled.ok) return { error: cancelled.error };
      return { result: { count: 1 } };
    }
    return { result: { count: trading.cancel(accountId, targets).length } };
  });

  privateRoute('CancelAll', (_p, accountId) => ({ result: { count: trading.cancelAll(accountId).length } }));

  privateRoute('CancelAllOrdersAfter', (p, accountId) => {
    const timeout = Number(p.timeout);
    if (p.timeout === undefined || !Number.isInteger(timeout) || timeout < 0 || timeout >= 86400) {
      return { error: 'EGeneral:Invalid arguments:timeout' };
    }
    const { currentTime, triggerTime } = trading.cancelAllAfter(accountId, timeout);
    return {
      result: {
        currentTime: rfc3339Seconds(currentTime),
        triggerTime: triggerTime === 0 ? '0' : rfc3339Seconds(triggerTime),
      },
    };
  });

  privateRoute('CancelOrderBatch', (p, accountId) => {
    const ids = listParam(p.orders).map((o) =>
      typeof o === 'object' && o !== null ? String((o as Params).txid) : String(o),
    );
    const clIds = listParam(p.cl_ord_ids).map((o) =>
      typeof o === 'object' && o !== null ? String((o as Params).cl_ord_id) : String(o),
    );
    const total = new Set([...ids, ...clIds]).size;
    if (total === 0 || total > 50) return { error: 'EGeneral:Invalid arguments:orders' };
    const targets = trading.targets(accountId, {
      orderIds: ids.filter((id) => !/^-?\d+$/.test(id)),
      userrefs: ids.filter((id) => /^-?\d+$/.test(id)).map(Number),
      clOrdIds: clIds,
    });
    return { result: { count: trading.cancel(accountId, targets).length } };
  });

  server.route('*', '/0/private/*', () => ({ status: 404, body: { error: ['EGeneral:Unknown method'] } }));
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Epoch ms (fractional: µs) → epoch ns. */
function nanos(ms: number): bigint {
  return BigInt(Math.round(ms * 1000)) * 1000n;
}

function sortKey(order: EngineOrder, closetime: string): number {
  return closetime === 'open' ? order.openTime : (order.closeTime ?? order.lastUpdate);
}

function truthy(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

/** A comma list (`txid=A,B`), a repeated form key, or a JSON array. */
function listParam(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) return value;
  if (typeof value === 'string')
    return value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  return [value];
}

/** The Spot REST ticker object (spot-wire.md §2.5). */
export function restTicker(ctx: SimContext, pair: SpotPairDef): Record<string, unknown> {
  const market = ctx.engine.market(pair.symbol);
  if (!market) return {};
  const stats = market.stats(ctx.clock.now());
  const p = (v: Decimal) => v.toFixed(pair.priceDecimals);
  const q = (v: Decimal) => v.toFixed(pair.qtyDecimals);
  const top = (side: 'buy' | 'sell') => {
    const level = market.book.view(side, 1)[0];
    if (!level) return ['0', '0', '0'];
    return [p(level.price), level.qty.floor().toString(), level.qty.toFixed(3)];
  };
  const last = market.lastTrade();
  return {
    a: top('sell'),
    b: top('buy'),
    c: [p(market.lastPrice()), last ? q(last.qty) : q(new Decimal(0))],
    v: [q(stats.today.volume), q(stats.volume)],
    p: [p(stats.today.vwap), p(stats.vwap)],
    t: [stats.today.count, stats.count],
    l: [p(stats.today.low), p(stats.low)],
    h: [p(stats.today.high), p(stats.high)],
    o: p(stats.today.open),
  };
}

// ---- body parsing ----------------------------------------------------------------------------------------------

/** The body as params (form or JSON), with the nonce kept as its exact decimal text. */
export function parseSpotBody(request: SimHttpRequest): { params: Params; nonce?: string } | { error: string } {
  const type = String(request.headers['content-type'] ?? '');
  const text = request.rawBody;
  if (type.includes('application/json')) {
    let params: unknown;
    try {
      // A 19-digit nonce does not survive JSON.parse as a number: keep its digits.
      params = JSON.parse(text.replace(/("nonce"\s*:\s*)(\d+)/, '$1"$2"'));
    } catch {
      return { error: 'EGeneral:Invalid arguments' };
    }
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      return { error: 'EGeneral:Invalid arguments' };
    }
    const nonce = (params as Params).nonce;
    return { params: params as Params, nonce: nonce === undefined ? undefined : String(nonce) };
  }
  const params = parseNestedForm(text);
  const nonce = params.nonce;
  return { params, nonce: typeof nonce === 'string' ? nonce : undefined };
}

/**
 * Form bodies with PHP-style keys, as ccxt encodes batches: `orders[0][ordertype]=limit`, `close[price]=1`,
 * `orders[]=A`. A repeated plain key becomes an array.
 */
export function parseNestedForm(text: string): Params {
  const root: Params = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const path = key.replace(/\]/g, '').split('[');
    let node: Params = root;
    for (let i = 0; i < path.length; i++) {
      const part = path[i];
      const isLast = i === path.length - 1;
      if (isLast) {
        if (part === '') {
          // `orders[]=A`: append to the parent array
          continue;
        }
        const seen = node[part];
        if (seen === undefined) node[part] = value;
        else if (Array.isArray(seen)) seen.push(value);
        else node[part] = [seen, value];
      } else if (path[i + 1] === '' && i + 1 === path.length - 1) {
        const seen = node[part];
        node[part] = Array.isArray(seen) ? [...seen, value] : seen === undefined ? [value] : [seen, value];
        break;
      } else {
        const next = node[part];
        if (typeof next !== 'object' || next === null) node[part] = {};
        node = node[part] as Params;
      }
    }
  }
  return arraysFromIndexedObjects(root) as Params;
}

function arraysFromIndexedObjects(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(arraysFromIndexedObjects);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Params);
  if (entries.length > 0 && entries.every(([k]) => /^\d+$/.test(k))) {
    return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => arraysFromIndexedObjects(v));
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, arraysFromIndexedObjects(v)]));
}
