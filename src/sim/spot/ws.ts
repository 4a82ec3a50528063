/**
 * Spot WebSocket v2: the public endpoint (`/v2`) and the authenticated one (`/auth/v2`) — admin messages,
 * market-data channels, `executions`/`balances`, and the trading methods (spot-wire.md §5–§9).
 */
import Decimal from 'decimal.js';
import type { SimContext } from '../context';
import type { LevelView, Side } from '../engine/book';
import type { EngineEvent, EngineOrder, SubmitOrderRequest } from '../engine/engine';
import { SPOT_ASSETS, wsInstrumentAsset, wsInstrumentPair, type SpotPairDef } from '../engine/instruments';
import type { PublicTrade } from '../engine/market';
import { Prng } from '../engine/prng';
import type { SocketGroup } from '../faults';
import type { SimSocket } from '../server';
import { SPOT_WS_AUTH_PATH, SPOT_WS_PATH } from '../paths';
import type { SpotAuth } from './auth';
import { num, rfc3339Micros, rfc3339Seconds } from './format';
import { decimalOf, engineError, parseWsOrder, unsupportedField, type Parsed } from './params';
import type { SpotTrading } from './trading';
import {
  balanceSnapshot,
  balanceUpdate,
  bookChecksum,
  fullReport,
  orderReport,
  tradeReport,
  wsCandle,
  wsLevels,
  wsTicker,
} from './wsReports';

type Params = Record<string, unknown>;

const BOOK_DEPTHS = [10, 25, 100, 500, 1000];
const OHLC_INTERVALS = [1, 5, 15, 30, 60, 240, 1440, 10080, 21600];
const SYMBOL_CHANNELS = ['ticker', 'book', 'trade', 'ohlc'];
const PRIVATE_CHANNELS = ['executions', 'balances'];

interface BookView {
  bids: Map<string, LevelView>;
  asks: Map<string, LevelView>;
}

interface Subscription {
  readonly channel: string;
  readonly symbol?: string;
  readonly depth?: number;
  readonly interval?: number;
  readonly eventTrigger?: 'trades' | 'bbo';
  /** book: the window last sent; ticker bbo: the top of book last sent (`bid|ask` text). */
  view?: BookView;
  lastBbo?: string;
  sequence: number;
  readonly accountId?: string;
  readonly orderStatus?: boolean;
}

class Connection {
  readonly subs = new Map<string, Subscription>();
  readonly usedTokens = new Set<string>();
  sentSinceHeartbeat = false;

  constructor(
    readonly socket: SimSocket,
    readonly group: SocketGroup,
  ) {}

  send(frame: unknown): void {
    this.sentSinceHeartbeat = true;
    this.socket.send(frame);
  }

  reply(frame: unknown): void {
    this.sentSinceHeartbeat = true;
    this.socket.reply(frame);
  }
}

function subKey(channel: string, symbol?: string, extra?: number): string {
  return `${channel}|${symbol ?? ''}|${extra ?? ''}`;
}

export function attachSpotWs(ctx: SimContext, auth: SpotAuth, trading: SpotTrading): void {
  const { engine, clock, faults } = ctx;
  const connections = new Set<Connection>();
  const prng = Prng.derive(ctx.seed, 'spot-ws');
  const pendingTrades = new Map<string, PublicTrade[]>();

  const pairOf = (symbol: unknown): SpotPairDef | undefined =>
    typeof symbol === 'string' ? engine.instruments.spotByWsSymbol(symbol) : undefined;

  // ---- engine → subscribers --------------------------------------------------------------------------------------

  const eachSub = (channel: string, symbol: string | undefined, fn: (c: Connection, s: Subscription) => void) => {
    for (const c of connections) {
      for (const s of c.subs.values())
        if (s.channel === channel && (symbol === undefined || s.symbol === symbol)) fn(c, s);
    }
  };

  const onBook = (symbol: string) => {
    const pair = pairOf(symbol);
    const market = engine.market(symbol);
    if (!pair || !market) return;
    eachSub('book', symbol, (c, s) => sendBookUpdate(c, s, pair));
    eachSub('ticker', symbol, (c, s) => {
      if (s.eventTrigger !== 'bbo') return;
      const bbo = bboText(market.book.view('buy', 1), market.book.view('sell', 1));
      if (bbo === s.lastBbo) return;
      s.lastBbo = bbo;
      c.send({ channel: 'ticker', type: 'update', data: [wsTicker(market, pair, clock.now())] });
    });
  };

  const sendBookUpdate = (c: Connection, s: Subscription, pair: SpotPairDef) => {
    const market = engine.market(pair.symbol);
    if (!market || !s.view || !s.depth) return;
    const next = windowOf(market.book.view('buy', s.depth), market.book.view('sell', s.depth));
    const full = {
      buy: new Set(market.book.view('buy').map((l) => l.price.toString())),
      sell: new Set(market.book.view('sell').map((l) => l.price.toString())),
    };
    const changes = (side: Side) => {
      const before = side === 'buy' ? s.view!.bids : s.view!.asks;
      const after = side === 'buy' ? next.bids : next.asks;
      const out: { price: Decimal; qty: Decimal }[] = [];
      for (const [key, level] of after) {
        const old = before.get(key);
        if (!old || !old.qty.eq(level.qty)) out.push(level);
      }
      for (const [key, level] of before) {
        // A level that left the book is deleted; one merely pushed below the depth is not (clients truncate).
        if (!after.has(key) && !full[side].has(key)) out.push({ price: level.price, qty: new Decimal(0) });
      }
      return out;
    };
    const bids = changes('buy');
    const asks = changes('sell');
    if (bids.length === 0 && asks.length === 0) return;
    s.view = next;
    let checksum = bookChecksum(pair, [...next.asks.values()], [...next.bids.values()]);
    if (faults.takeChecksumCorruption(pair.symbol)) checksum = (checksum ^ 0x5a5a5a5a) >>> 0;
    c.send({
      channel: 'book',
      type: 'update',
      data: [
        {
          symbol: pair.symbol,
          bids: bids.map((l) => ({ price: num(l.price), qty: num(l.qty) })),
          asks: asks.map((l) => ({ price: num(l.price), qty: num(l.qty) })),
          checksum,
          timestamp: rfc3339Micros(clock.now()),
        },
      ],
    });
  };

  const onFlush = () => {
    const now = clock.now();
    for (const [symbol, trades] of pendingTrades) {
      const pair = pairOf(symbol);
      const market = engine.market(symbol);
      if (!pair || !market) continue;
      eachSub('trade', symbol, (c) =>
        c.send({
          channel: 'trade',
          type: 'update',
          data: trades.map((t) => wsTrade(t, pair)),
        }),
      );
      eachSub('ticker', symbol, (c, s) => {
        if (s.eventTrigger === 'bbo') return;
        c.send({ channel: 'ticker', type: 'update', data: [wsTicker(market, pair, now)] });
      });
      eachSub('ohlc', symbol, (c, s) => {
        const interval = s.interval ?? 1;
        const start = Math.floor(now / (interval * 60_000)) * interval * 60_000;
        const bar = market.barsOf(interval, start).at(-1);
        if (!bar) return;
        // Kraken re-sends the open candle, in full, on every trade.
        c.send({
          channel: 'ohlc',
          type: 'update',
          timestamp: rfc3339Micros(now),
          data: [wsCandle(bar, pair, interval)],
        });
      });
    }
    pendingTrades.clear();
  };

  const sendExecution = (event: Extract<EngineEvent, { type: 'order' | 'fill' }>) => {
    if (event.order.venue !== 'spot') return;
    const pair = pairOf(event.order.symbol);
    if (!pair) return;
    let report: Record<string, unknown>;
    if (event.type === 'fill') report = tradeReport(event.fill, event.order, pair, engine);
    else {
      report = orderReport(event.exec, event.order, pair, engine, event.time);
    }
    for (const c of connections) {
      const s = c.subs.get(subKey('executions'));
      if (!s || s.accountId !== event.order.accountId) continue;
      if (
        s.orderStatus === false &&
        event.type === 'order' &&
        !['new', 'filled', 'canceled', 'expired'].includes(event.exec)
      ) {
        continue;
      }
      c.send({ channel: 'executions', type: 'update', data: [report], sequence: ++s.sequence });
    }
  };

  const sendBalance = (event: Extract<EngineEvent, { type: 'ledger' }>) => {
    for (const c of connections) {
      const s = c.subs.get(subKey('balances'));
      if (!s || s.accountId !== event.accountId) continue;
      c.send({ channel: 'balances', type: 'update', data: [balanceUpdate(event.entry)], sequence: ++s.sequence });
    }
  };

  const subscription = engine.events$.subscribe((event) => {
    switch (event.type) {
      case 'book':
        onBook(event.symbol);
        break;
      case 'trade': {
        const list = pendingTrades.get(event.symbol) ?? [];
        list.push(event.trade);
        pendingTrades.set(event.symbol, list);
        break;
      }
      case 'flush':
        onFlush();
        break;
      case 'order':
      case 'fill':
        sendExecution(event);
        break;
      case 'ledger':
        sendBalance(event);
        break;
    }
  });

  const faultActions = faults.actions$.subscribe((action) => {
    if (action.type !== 'dropChannel') return;
    for (const c of connections) {
      if (action.group !== undefined && action.group !== c.group) continue;
      for (const [key, s] of c.subs) {
        if (s.channel === action.channel && (action.symbol === undefined || s.symbol === action.symbol))
          c.subs.delete(key);
      }
    }
  });

  const heartbeat =
    ctx.heartbeatMs > 0
      ? setInterval(() => {
          for (const c of connections) {
            if (c.subs.size === 0 || faults.heartbeatsStopped(c.group)) continue;
            if (!c.sentSinceHeartbeat) c.socket.send({ channel: 'heartbeat' });
            c.sentSinceHeartbeat = false;
          }
        }, ctx.heartbeatMs)
      : undefined;

  ctx.onStop(() => {
    subscription.unsubscribe();
    faultActions.unsubscribe();
    if (heartbeat) clearInterval(heartbeat);
    connections.clear();
  });

  // ---- requests --------------------------------------------------------------------------------------------------

  const accept = (socket: SimSocket, group: SocketGroup) => {
    const c = new Connection(socket, group);
    connections.add(c);
    socket.onClose(() => connections.delete(c));
    const connectionId = (BigInt(prng.int(0, 0xffffffff)) << 32n) | BigInt(prng.int(0, 0xffffffff));
    // connection_id is an unsigned 64-bit integer: written as a bare literal, beyond JSON.stringify's reach.
    c.send(
      `{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":${connectionId},` +
        `"system":"online","version":"2.0.0"}]}`,
    );
    socket.onMessage((text) => handle(c, text));
  };

  ctx.server.websocket(SPOT_WS_PATH, 'spot-public', (socket) => accept(socket, 'spot-public'));
  ctx.server.websocket(SPOT_WS_AUTH_PATH, 'spot-auth', (socket) => accept(socket, 'spot-auth'));

  const handle = (c: Connection, text: string) => {
    const timeIn = rfc3339Micros(clock.now());
    let request: { method?: unknown; params?: unknown; req_id?: unknown };
    try {
      request = JSON.parse(text) as typeof request;
    } catch {
      c.reply({ error: 'Malformed request', success: false, time_in: timeIn, time_out: timeIn });
      return;
    }
    if (typeof request !== 'object' || request === null) {
      c.reply({ error: 'Malformed request', success: false, time_in: timeIn, time_out: timeIn });
      return;
    }
    const method = typeof request.method === 'string' ? request.method : undefined;
    const reqId = typeof request.req_id === 'number' ? request.req_id : undefined;
    const params = (typeof request.params === 'object' && request.params !== null ? request.params : {}) as Params;
    const respond = (body: Record<string, unknown>) =>
      c.reply({
        method,
        ...(reqId !== undefined ? { req_id: reqId } : {}),
        ...body,
        time_in: timeIn,
        time_out: rfc3339Micros(clock.now()),
      });
    const ok = (result: unknown) => respond({ success: true, result });
    const fail = (error: string, extra: Params = {}) => respond({ success: false, error, ...extra });

    switch (method) {
      case 'ping':
        c.reply({
          method: 'pong',
          ...(reqId !== undefined ? { req_id: reqId } : {}),
          time_in: timeIn,
          time_out: rfc3339Micros(clock.now()),
        });
        return;
      case 'subscribe':
      case 'unsubscribe':
        subscribeOrUnsubscribe(c, method, params, ok, fail);
        return;
      case 'add_order':
      case 'amend_order':
      case 'edit_order':
      case 'cancel_order':
      case 'cancel_all':
      case 'cancel_all_orders_after':
      case 'batch_add':
      case 'batch_cancel': {
        if (c.group !== 'spot-auth') {
          fail('EGeneral:Permission denied');
          return;
        }
        const token = auth.checkToken(params.token, c.usedTokens);
        if (!token) {
          fail('EAPI:Invalid token');
          return;
        }
        c.usedTokens.add(token.token);
        tradingMethod(method, params, token.accountId, ok, fail);
        return;
      }
      default:
        fail('Method not supported');
    }
  };

  const subscribeOrUnsubscribe = (
    c: Connection,
    method: 'subscribe' | 'unsubscribe',
    params: Params,
    ok: (result: unknown) => void,
    fail: (error: string, extra?: Params) => void,
  ) => {
    const channel = params.channel;
    if (typeof channel !== 'string') {
      fail('Missing field: channel');
      return;
    }
    const known = [...SYMBOL_CHANNELS, 'instrument', ...PRIVATE_CHANNELS];
    if (!known.includes(channel)) {
      fail(`Channel ${channel} not supported`);
      return;
    }
    if (method === 'subscribe') {
      const refusal = faults.takeSubscriptionRefusal(c.group, channel);
      if (refusal) {
        const symbols = Array.isArray(params.symbol) ? params.symbol : [];
        fail(refusal, symbols.length === 1 ? { symbol: symbols[0] } : {});
        return;
      }
    }
    if (PRIVATE_CHANNELS.includes(channel)) {
      privateChannel(c, method, channel, params, ok, fail);
      return;
    }
    if (channel === 'instrument') {
      const key = subKey('instrument');
      if (method === 'unsubscribe') {
        if (!c.subs.delete(key)) fail('Subscription Not Found');
        else ok({ channel });
        return;
      }
      if (c.subs.has(key)) {
        fail('Already subscribed');
        return;
      }
      const snapshot = params.snapshot !== false;
      c.subs.set(key, { channel, sequence: 0 });
      ok({ channel, snapshot, warnings: ['tick_size is deprecated, use price_increment'] });
      if (snapshot) {
        c.send({
          channel: 'instrument',
          type: 'snapshot',
          data: {
            assets: SPOT_ASSETS.map(wsInstrumentAsset),
            pairs: engine.instruments.spot.map(wsInstrumentPair),
          },
        });
      }
      return;
    }
    // Symbol channels: one ack per symbol.
    const symbols = params.symbol;
    if (!Array.isArray(symbols) || symbols.length === 0 || symbols.some((s) => typeof s !== 'string')) {
      fail('Missing field: symbol');
      return;
    }
    let extra: number | undefined;
    if (channel === 'book') {
      extra = params.depth === undefined ? 10 : Number(params.depth);
      if (!BOOK_DEPTHS.includes(extra)) {
        fail(`Invalid depth: ${String(params.depth)}`);
        return;
      }
    }
    if (channel === 'ohlc') {
      extra = params.interval === undefined ? undefined : Number(params.interval);
      if (extra === undefined || !OHLC_INTERVALS.includes(extra)) {
        fail(`Invalid interval: ${String(params.interval)}`);
        return;
      }
    }
    const eventTrigger = params.event_trigger ?? 'trades';
    if (channel === 'ticker' && eventTrigger !== 'trades' && eventTrigger !== 'bbo') {
      fail(`Invalid event_trigger: ${String(eventTrigger)}`);
      return;
    }
    for (const symbol of symbols as string[]) {
      const pair = pairOf(symbol);
      if (!pair) {
        fail(`Currency pair not supported ${symbol}`, { symbol });
        continue;
      }
      const key = subKey(channel, symbol, extra);
      const ackResult = (snapshot?: boolean): Params => ({
        channel,
        ...(channel === 'book' ? { depth: extra } : {}),
        ...(channel === 'ohlc' ? { interval: extra } : {}),
        ...(snapshot !== undefined && method === 'subscribe' ? { snapshot } : {}),
        symbol,
        ...(channel === 'ticker' && method === 'subscribe' ? { event_trigger: eventTrigger } : {}),
        ...(channel === 'ohlc' && method === 'subscribe'
          ? { warnings: ['timestamp is deprecated, use interval_begin'] }
          : {}),
      });
      if (method === 'unsubscribe') {
        if (!c.subs.delete(key)) fail('Subscription Not Found', { symbol });
        else ok(ackResult());
        continue;
      }
      if (c.subs.has(key)) {
        fail('Already subscribed', { symbol });
        continue;
      }
      const snapshot = params.snapshot === undefined ? channel !== 'trade' : params.snapshot === true;
      const sub: Subscription = {
        channel,
        symbol,
        depth: channel === 'book' ? extra : undefined,
        interval: channel === 'ohlc' ? extra : undefined,
        eventTrigger: channel === 'ticker' ? (eventTrigger as 'trades' | 'bbo') : undefined,
        sequence: 0,
      };
      c.subs.set(key, sub);
      ok(ackResult(snapshot));
      sendSnapshot(c, sub, pair, snapshot);
    }
  };

  const sendSnapshot = (c: Connection, sub: Subscription, pair: SpotPairDef, snapshot: boolean) => {
    const market = engine.market(pair.symbol);
    if (!market) return;
    const now = clock.now();
    switch (sub.channel) {
      case 'book': {
        const bids = market.book.view('buy', sub.depth);
        const asks = market.book.view('sell', sub.depth);
        sub.view = windowOf(bids, asks);
        if (!snapshot) return;
        let checksum = bookChecksum(pair, asks, bids);
        if (faults.takeChecksumCorruption(pair.symbol)) checksum = (checksum ^ 0x5a5a5a5a) >>> 0;
        c.send({
          channel: 'book',
          type: 'snapshot',
          data: [
            {
              symbol: pair.symbol,
              bids: wsLevels(bids),
              asks: wsLevels(asks),
              checksum,
              timestamp: rfc3339Micros(now),
            },
          ],
        });
        return;
      }
      case 'ticker':
        sub.lastBbo = bboText(market.book.view('buy', 1), market.book.view('sell', 1));
        if (snapshot) c.send({ channel: 'ticker', type: 'snapshot', data: [wsTicker(market, pair, now)] });
        return;
      case 'trade':
        if (snapshot)
          c.send({ channel: 'trade', type: 'snapshot', data: market.trades.slice(-50).map((t) => wsTrade(t, pair)) });
        return;
      case 'ohlc': {
        if (!snapshot) return;
        const interval = sub.interval ?? 1;
        const bars = market.barsOf(interval).slice(-100);
        c.send({
          channel: 'ohlc',
          type: 'snapshot',
          timestamp: rfc3339Micros(now),
          data: bars.map((b) => wsCandle(b, pair, interval)),
        });
        return;
      }
    }
  };

  const privateChannel = (
    c: Connection,
    method: 'subscribe' | 'unsubscribe',
    channel: string,
    params: Params,
    ok: (result: unknown) => void,
    fail: (error: string, extra?: Params) => void,
  ) => {
    if (c.group !== 'spot-auth') {
      fail('EGeneral:Permission denied');
      return;
    }
    const token = auth.checkToken(params.token, c.usedTokens);
    if (!token) {
      fail('EAPI:Invalid token');
      return;
    }
    c.usedTokens.add(token.token);
    const key = subKey(channel);
    if (method === 'unsubscribe') {
      if (!c.subs.delete(key)) fail('Subscription Not Found');
      else ok({ channel });
      return;
    }
    if (c.subs.has(key)) {
      fail('Already subscribed');
      return;
    }
    const now = clock.now();
    if (channel === 'executions') {
      const snapOrders = params.snap_orders ?? params.snapshot ?? true;
      const snapTrades = params.snap_trades ?? params.snapshot_trades ?? false;
      const sub: Subscription = {
        channel,
        sequence: 0,
        accountId: token.accountId,
        orderStatus: params.order_status !== false,
      };
      c.subs.set(key, sub);
      ok({
        channel,
        maxratecount: trading.maxRateCount,
        snap_orders: snapOrders === true,
        snap_trades: snapTrades === true,
      });
      const data: Record<string, unknown>[] = [];
      if (snapOrders === true) {
        for (const order of engine.openOrders(token.accountId)) {
          const pair = pairOf(order.symbol);
          if (pair) data.push(fullReport(order, pair, engine, order.status === 'pending' ? 'pending_new' : 'new', now));
        }
      }
      if (snapTrades === true) {
        const fills = engine
          .accountFills(token.accountId)
          .filter((f) => pairOf(f.symbol))
          .slice(-50);
        for (const fill of fills) {
          const order = engine.order(fill.orderId) as EngineOrder;
          data.push(tradeReport(fill, order, pairOf(fill.symbol) as SpotPairDef, engine));
        }
      }
      c.send({ channel: 'executions', type: 'snapshot', data, sequence: ++sub.sequence });
      return;
    }
    const snapshot = params.snapshot !== false;
    const sub: Subscription = { channel, sequence: 0, accountId: token.accountId };
    c.subs.set(key, sub);
    ok({ channel, snapshot });
    if (snapshot) {
      const account = engine.spotAccount(token.accountId);
      c.send({
        channel: 'balances',
        type: 'snapshot',
        data: account ? balanceSnapshot(account) : [],
        sequence: ++sub.sequence,
      });
    }
  };

  // ---- trading ---------------------------------------------------------------------------------------------------

  const tradingMethod = (
    method: string,
    params: Params,
    accountId: string,
    ok: (result: unknown) => void,
    fail: (error: string, extra?: Params) => void,
  ) => {
    const common = { engine, now: clock.now() };
    const idEcho = (o: EngineOrder) => ({
      order_id: o.id,
      ...(o.clOrdId !== undefined ? { cl_ord_id: o.clOrdId } : {}),
      ...(o.userref !== undefined ? { order_userref: o.userref } : {}),
    });
    switch (method) {
      case 'add_order': {
        const pair = pairOf(params.symbol);
        if (!pair) {
          fail(typeof params.symbol === 'string' ? 'EQuery:Unknown asset pair' : 'EGeneral:Invalid arguments:symbol');
          return;
        }
        const rest = { ...params };
        delete rest.symbol;
        const request = parseWsOrder(rest, pair, common);
        if (!request.ok) {
          fail(request.error);
          return;
        }
        const placed = trading.add(accountId, request.value);
        if (!placed.ok) {
          fail(placed.error);
          return;
        }
        if (request.value.validateOnly) {
          ok({ order_id: '' });
          return;
        }
        if (faults.takeOrderTimeout('spot', 'ws')) return;
        ok(idEcho(placed.value));
        return;
      }
      case 'amend_order': {
        const allowed = new Set([
          'order_id',
          'cl_ord_id',
          'order_qty',
          'limit_price',
          'limit_price_type',
          'post_only',
          'trigger_price',
          'trigger_price_type',
          'deadline',
          'symbol',
          'token',
        ]);
        const bad = unsupportedField(params, allowed);
        if (bad) {
          fail(`Unsupported field: '${bad}'`);
          return;
        }
        const order = findOrder(accountId, params);
        if (!order) {
          fail('EOrder:Unknown order');
          return;
        }
        const changes = amendChanges(order, params);
        if (!changes.ok) {
          fail(changes.error);
          return;
        }
        const amended = trading.amend(accountId, order, changes.value);
        if (!amended.ok) {
          fail(amended.error);
          return;
        }
        ok({
          amend_id: amended.value.amendId,
          ...(params.cl_ord_id !== undefined ? { cl_ord_id: order.clOrdId } : { order_id: order.id }),
        });
        return;
      }
      case 'edit_order': {
        const allowed = new Set([
          'order_id',
          'symbol',
          'order_qty',
          'display_qty',
          'limit_price',
          'post_only',
          'reduce_only',
          'fee_preference',
          'order_userref',
          'triggers',
          'deadline',
          'validate',
          'token',
        ]);
        const bad = unsupportedField(params, allowed);
        if (bad) {
          fail(`Unsupported field: '${bad}'`);
          return;
        }
        const pair = pairOf(params.symbol);
        if (!pair) {
          fail('EQuery:Unknown asset pair');
          return;
        }
        const order = typeof params.order_id === 'string' ? engine.order(params.order_id) : undefined;
        if (!order || order.accountId !== accountId || order.symbol !== pair.symbol || order.status !== 'open') {
          fail('EOrder:Unknown order');
          return;
        }
        const triggers = params.triggers as Params | undefined;
        const changes = amendChanges(order, {
          order_qty: params.order_qty,
          limit_price: params.limit_price,
          trigger_price: triggers?.price,
        });
        if (!changes.ok) {
          fail(changes.error);
          return;
        }
        const userref = params.order_userref === undefined ? undefined : Number(params.order_userref);
        if (params.validate === true) {
          ok({ order_id: '', original_order_id: order.id });
          return;
        }
        const edited = trading.edit(accountId, order, {
          ...changes.value,
          postOnly: params.post_only === true ? true : undefined,
          userref,
        });
        if (!edited.ok) {
          fail(edited.error);
          return;
        }
        ok({ order_id: edited.value.order.id, original_order_id: order.id });
        return;
      }
      case 'cancel_order': {
        const orderIds = stringList(params.order_id);
        const clOrdIds = stringList(params.cl_ord_id);
        const userrefs = Array.isArray(params.order_userref) ? params.order_userref.map(Number) : [];
        if (orderIds.length + clOrdIds.length + userrefs.length === 0) {
          fail('EGeneral:Invalid arguments:order_id');
          return;
        }
        const targets = trading.targets(accountId, { orderIds, clOrdIds, userrefs });
        for (const id of orderIds)
          if (!targets.some((o) => o.id === id)) fail('EOrder:Unknown order', { result: { order_id: id } });
        for (const id of clOrdIds) {
          if (!targets.some((o) => o.clOrdId === id)) fail('EOrder:Unknown order', { result: { cl_ord_id: id } });
        }
        if (targets.length === 0 && orderIds.length + clOrdIds.length === 0) fail('EOrder:Unknown order');
        for (const order of targets) {
          const cancelled = trading.cancelOne(accountId, order);
          if (!cancelled.ok) fail(cancelled.error, { result: { order_id: order.id } });
          else
            ok({
              order_id: order.id,
              ...(order.clOrdId !== undefined ? { cl_ord_id: order.clOrdId } : {}),
            });
        }
        return;
      }
      case 'cancel_all':
        ok({ count: trading.cancelAll(accountId).length });
        return;
      case 'cancel_all_orders_after': {
        const timeout = Number(params.timeout);
        if (!Number.isInteger(timeout) || timeout < 0 || timeout >= 86400) {
          fail('EGeneral:Invalid arguments:timeout');
          return;
        }
        const { currentTime, triggerTime } = trading.cancelAllAfter(accountId, timeout);
        ok({
          currentTime: rfc3339Seconds(currentTime),
          triggerTime: triggerTime === 0 ? '0' : rfc3339Seconds(triggerTime),
        });
        return;
      }
      case 'batch_add': {
        const pair = pairOf(params.symbol);
        if (!pair) {
          fail('EQuery:Unknown asset pair');
          return;
        }
        const orders = params.orders;
        if (!Array.isArray(orders) || orders.length < 2 || orders.length > 15) {
          fail('EGeneral:Invalid arguments:orders');
          return;
        }
        const requests: SubmitOrderRequest[] = [];
        for (const entry of orders) {
          if (typeof entry !== 'object' || entry === null) {
            fail('EGeneral:Invalid arguments:orders');
            return;
          }
          const parsed = parseWsOrder({ ...(entry as Params), validate: params.validate }, pair, common);
          if (!parsed.ok) {
            fail(parsed.error);
            return;
          }
          const check = engine.submitOrder(accountId, { ...parsed.value, validateOnly: true });
          if (!check.ok && check.code !== 'INSUFFICIENT_FUNDS') {
            fail(engineError(check.code, check.detail));
            return;
          }
          requests.push(parsed.value);
        }
        const results = requests.map((request) => {
          const placed = trading.add(accountId, request);
          if (!placed.ok) return { error: placed.error, ...(request.clOrdId ? { cl_ord_id: request.clOrdId } : {}) };
          return params.validate === true ? { order_id: '' } : idEcho(placed.value);
        });
        if (params.validate !== true && faults.takeOrderTimeout('spot', 'ws')) return;
        ok(results);
        return;
      }
      case 'batch_cancel': {
        const ids = stringList(params.orders);
        const clIds = stringList(params.cl_ord_id);
        const total = ids.length + clIds.length;
        if (total < 1 || total > 50) {
          fail('EGeneral:Invalid arguments:orders');
          return;
        }
        const targets = trading.targets(accountId, {
          orderIds: ids.filter((id) => !/^-?\d+$/.test(id)),
          userrefs: ids.filter((id) => /^-?\d+$/.test(id)).map(Number),
          clOrdIds: clIds,
        });
        ok({ count: trading.cancel(accountId, targets).length });
        return;
      }
    }
  };

  const findOrder = (accountId: string, params: Params): EngineOrder | undefined => {
    if (typeof params.order_id === 'string') {
      const order = engine.order(params.order_id);
      return order && order.accountId === accountId && order.venue === 'spot' && order.status === 'open'
        ? order
        : undefined;
    }
    if (typeof params.cl_ord_id === 'string') {
      const order = engine.findByClientId(accountId, params.cl_ord_id);
      return order && order.status === 'open' ? order : undefined;
    }
    return undefined;
  };

  const amendChanges = (
    order: EngineOrder,
    params: Params,
  ): Parsed<{ qty?: Decimal; limitPrice?: Decimal; triggerPrice?: Decimal; postOnly?: boolean }> => {
    const pair = pairOf(order.symbol) as SpotPairDef;
    const last = engine.market(order.symbol)?.lastPrice() ?? new Decimal(0);
    let qty: Decimal | undefined;
    if (params.order_qty !== undefined) {
      qty = decimalOf(params.order_qty);
      if (!qty || qty.isZero() || qty.decimalPlaces() > pair.qtyDecimals)
        return { ok: false, error: 'EGeneral:Invalid arguments:order_qty' };
    }
    const priceOf = (value: unknown, type: unknown, field: string): Parsed<Decimal | undefined> => {
      if (value === undefined) return { ok: true, value: undefined };
      if (typeof value !== 'number' || !Number.isFinite(value))
        return { ok: false, error: `EGeneral:Invalid arguments:${field}` };
      const kind = type ?? 'static';
      if (kind === 'static') return { ok: true, value: new Decimal(String(value)) };
      const offset = kind === 'pct' ? last.mul(String(value)).div(100) : new Decimal(String(value));
      return { ok: true, value: last.add(offset).div(pair.tickSize).round().mul(pair.tickSize) };
    };
    const limit = priceOf(params.limit_price, params.limit_price_type, 'limit_price');
    if (!limit.ok) return limit;
    const trigger = priceOf(params.trigger_price, params.trigger_price_type, 'trigger_price');
    if (!trigger.ok) return trigger;
    return {
      ok: true,
      value: {
        qty,
        limitPrice: limit.value,
        triggerPrice: trigger.value,
        postOnly: params.post_only === true ? true : undefined,
      },
    };
  };
}

function stringList(value: unknown): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.map(String);
  return [String(value)];
}

function windowOf(bids: readonly LevelView[], asks: readonly LevelView[]): BookView {
  return {
    bids: new Map(bids.map((l) => [l.price.toString(), l])),
    asks: new Map(asks.map((l) => [l.price.toString(), l])),
  };
}

function bboText(bids: readonly LevelView[], asks: readonly LevelView[]): string {
  const t = (l?: LevelView) => (l ? `${l.price.toString()}@${l.qty.toString()}` : '-');
  return `${t(bids[0])}|${t(asks[0])}`;
}

function wsTrade(trade: PublicTrade, pair: SpotPairDef): Record<string, unknown> {
  return {
    symbol: pair.symbol,
    side: trade.side,
    price: num(trade.price),
    qty: num(trade.qty),
    ord_type: trade.ordType,
    trade_id: trade.id,
    timestamp: rfc3339Micros(trade.time),
  };
}
