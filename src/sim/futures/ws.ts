/**
 * Kraken Futures WebSocket v1 (futures-wire.md §12): `info` on connect, subscribe/unsubscribe acknowledgements
 * and errors, challenge authentication, the public feeds (`ticker`, `ticker_lite`, `book` with a contiguous
 * per-product `seq`, `trade`, `heartbeat`) and the private ones (`open_orders[_verbose]`, `fills`,
 * `open_positions`, `balances`, `account_log`, `notifications_auth`), driven by the engine's events.
 */
import Decimal from 'decimal.js';
import type { SimContext } from '../context';
import { notional, unrealizedPnl } from '../engine/accounts';
import type { EngineFill, EngineOrder } from '../engine/engine';
import type { FuturesContractDef } from '../engine/instruments';
import { Prng } from '../engine/prng';
import type { SimSocket } from '../server';
import { FUTURES_WS_PATH } from '../simulator';
import { futuresWsChallengeSign } from '../../kraken/common/signing';
import { publicLogEntry } from './history';
import { feeCurrency, fillOrderType, nextFundingTime, num, wsOpenOrder } from './format';
import type { FuturesMarketView } from './rest';
import type { AccountLogEntry, FuturesVenue, OpenOrderUpdate } from './venue';

const PUBLIC_FEEDS = ['ticker', 'ticker_lite', 'book', 'trade'] as const;
const PRIVATE_FEEDS = [
  'open_orders',
  'open_orders_verbose',
  'fills',
  'open_positions',
  'balances',
  'account_log',
  'notifications_auth',
] as const;
const TICKER_PERIOD_MS = 1000;
const POSITIONS_PERIOD_MS = 5000;
const ZERO = new Decimal(0);

type Message = Record<string, unknown>;

interface Connection {
  readonly socket: SimSocket;
  readonly challenges: Set<string>;
  /** Feed → product ids (public feeds, `fills` filter) or `*` (private feeds without a filter, heartbeat). */
  readonly subs: Map<string, Set<string>>;
  heartbeat?: NodeJS.Timeout;
  balancesSeq: number;
  positionsSeq: number;
  lastPositionsAt: number;
}

interface BookLevel {
  readonly side: 'buy' | 'sell';
  readonly price: Decimal;
  readonly qty: Decimal;
}

interface BookFeedState {
  seq: number;
  /** Levels last published, by `side:price`; undefined while nobody subscribes. */
  view?: Map<string, BookLevel>;
}

export function attachFuturesWs(ctx: SimContext, venue: FuturesVenue, market: FuturesMarketView): void {
  const { engine, clock, faults, credentials } = ctx;
  const { apiKey, apiSecret } = credentials.futures;
  const connections = new Set<Connection>();
  const prng = Prng.derive(ctx.seed, 'futures-ws');
  const books = new Map<string, BookFeedState>();
  const lastTicker = new Map<string, number>();
  const fillSeq = new Map<string, number>();
  let nextFillSeq = 1;
  for (const contract of venue.contracts) books.set(contract.symbol, { seq: prng.int(100_000, 900_000_000) });

  const subscribers = (feed: string, product?: string) =>
    [...connections].filter((c) => {
      const products = c.subs.get(feed);
      return products !== undefined && (product === undefined || products.has('*') || products.has(product));
    });
  const broadcast = (feed: string, product: string | undefined, message: Message) => {
    for (const c of subscribers(feed, product)) c.socket.send(message);
  };

  // ---- message builders --------------------------------------------------------------------------------------------

  const tickerMessage = (contract: FuturesContractDef): Message => {
    const t = market.tickerData(contract);
    return {
      time: clock.now(),
      product_id: contract.symbol,
      feed: 'ticker',
      ...(t.perpetual
        ? {
            funding_rate: t.fundingRate,
            funding_rate_prediction: t.fundingRatePrediction,
            relative_funding_rate: t.relativeFundingRate,
            relative_funding_rate_prediction: t.relativeFundingRatePrediction,
            next_funding_rate_time: nextFundingTime(clock.now()),
          }
        : {}),
      leverage: t.leverage,
      premium: t.premium,
      bid: t.bid,
      ask: t.ask,
      bid_size: t.bidSize,
      ask_size: t.askSize,
      volume: t.volume,
      dtm: t.dtm,
      index: t.index,
      last: t.last,
      change: t.change,
      suspended: false,
      tag: t.tag,
      pair: contract.pair,
      openInterest: t.openInterest,
      markPrice: t.mark,
      maturityTime: t.maturityTime,
      post_only: false,
      volumeQuote: t.volumeQuote,
      open: t.open,
      high: t.high,
      low: t.low,
    };
  };

  const tickerLiteMessage = (contract: FuturesContractDef): Message => {
    const t = market.tickerData(contract);
    return {
      feed: 'ticker_lite',
      product_id: contract.symbol,
      bid: t.bid,
      ask: t.ask,
      change: t.change,
      premium: t.premium,
      volume: t.volume,
      tag: t.tag,
      pair: contract.pair,
      dtm: t.dtm,
      maturityTime: t.maturityTime,
      volumeQuote: t.volumeQuote,
    };
  };

  const bookLevels = (symbol: string): Map<string, BookLevel> => {
    const book = engine.market(symbol)?.book;
    const out = new Map<string, BookLevel>();
    for (const side of ['buy', 'sell'] as const) {
      for (const level of book?.view(side) ?? []) {
        out.set(`${side}:${level.price.toFixed()}`, { side, price: level.price, qty: level.qty });
      }
    }
    return out;
  };

  /** Publishes the changes since the last published view as per-level deltas, one `seq` each. */
  const flushBook = (symbol: string) => {
    const state = books.get(symbol);
    if (!state) return;
    const targets = subscribers('book', symbol);
    if (targets.length === 0) {
      state.view = undefined;
      return;
    }
    const current = bookLevels(symbol);
    const previous = state.view ?? current;
    state.view = current;
    const now = clock.now();
    const changes: BookLevel[] = [];
    for (const [key, level] of previous) if (!current.has(key)) changes.push({ ...level, qty: ZERO });
    for (const [key, level] of current) if (!previous.get(key)?.qty.eq(level.qty)) changes.push(level);
    for (const level of changes) {
      state.seq += faults.takeSeqSkip(symbol) ? 2 : 1;
      const message = {
        feed: 'book',
        product_id: symbol,
        side: level.side,
        seq: state.seq,
        price: num(level.price),
        qty: num(level.qty),
        timestamp: now,
      };
      for (const c of targets) c.socket.send(message);
    }
  };

  const bookSnapshot = (symbol: string): Message => {
    flushBook(symbol);
    const state = books.get(symbol) as BookFeedState;
    const current = bookLevels(symbol);
    state.view = current;
    const side = (s: 'buy' | 'sell') =>
      [...current.values()].filter((l) => l.side === s).map((l) => ({ price: num(l.price), qty: num(l.qty) }));
    return {
      feed: 'book_snapshot',
      product_id: symbol,
      timestamp: clock.now(),
      seq: state.seq,
      tickSize: null,
      bids: side('buy'),
      asks: side('sell'),
    };
  };

  const tradeItem = (
    symbol: string,
    t: { uid: string; side: string; id: number; time: number; qty: Decimal; price: Decimal },
  ) => ({
    feed: 'trade',
    product_id: symbol,
    uid: t.uid,
    side: t.side,
    type: 'fill',
    seq: t.id,
    time: t.time,
    qty: num(t.qty),
    price: num(t.price),
  });

  /** One fill of the fills feed; `remaining` is the order's open size right after this fill. */
  const fillItem = (fill: EngineFill, remaining: Decimal, live: boolean): Message => {
    let seq = fillSeq.get(fill.uid);
    if (seq === undefined) {
      seq = nextFillSeq++;
      fillSeq.set(fill.uid, seq);
    }
    const order = engine.order(fill.orderId);
    const trade = engine.market(fill.symbol)?.trades.find((t) => t.id === fill.publicTradeId);
    const mineType = fillOrderType(order);
    return {
      instrument: fill.symbol,
      time: fill.time,
      price: num(fill.price),
      seq,
      buy: fill.side === 'buy',
      qty: num(fill.qty),
      remaining_order_qty: num(remaining),
      order_id: fill.orderId,
      ...(live && fill.clOrdId !== undefined ? { cli_ord_id: fill.clOrdId } : {}),
      fill_id: fill.uid,
      fill_type: fill.liquidity,
      fee_paid: num(fill.fee),
      fee_currency: feeCurrency(fill),
      taker_order_type: fill.liquidity === 'taker' ? mineType : (trade?.ordType ?? 'limit'),
      order_type: mineType,
    };
  };

  const positionsMessage = (c: Connection): Message => {
    const margin = engine.futuresMargin(venue.accountId);
    const positions = market.positions().map(({ contract, position }) => {
      const mark = engine.markPrice(contract.symbol);
      const index = engine.indexPrice(contract.symbol);
      const pnl = unrealizedPnl(contract, position, mark);
      const value = notional(contract, position.size, mark);
      const im = value.mul(contract.initialMargin);
      const ordersIm = engine
        .openOrders(venue.accountId)
        .filter((o) => o.symbol === contract.symbol && !o.reduceOnly)
        .reduce(
          (s, o) => s.add(notional(contract, o.qty.sub(o.filled), o.limitPrice ?? mark).mul(contract.initialMargin)),
          ZERO,
        );
      const inverse = contract.type === 'futures_inverse';
      const equity = inverse
        ? (margin.inverse.get(contract.marginAccount ?? '')?.portfolioValue ?? ZERO)
        : margin.flex.marginEquity;
      return {
        instrument: contract.symbol,
        balance: num(position.size),
        pnl: num(pnl),
        entry_price: num(position.price),
        mark_price: num(mark),
        index_price: num(index),
        liquidation_threshold: inverse ? 0 : market.flexLiquidationPrice(contract.symbol),
        effective_leverage: equity.isZero() ? 0 : value.div(equity).toNumber(),
        return_on_equity: im.isZero() ? 0 : pnl.div(im).toNumber(),
        unrealized_funding: num(position.unrealizedFunding),
        initial_margin: num(im),
        initial_margin_with_orders: num(im.add(ordersIm)),
        maintenance_margin: num(value.mul(contract.maintenanceMargin)),
        ...(inverse ? {} : { pnl_currency: venue.pnlCurrency.get(contract.symbol) ?? 'USD' }),
      };
    });
    c.lastPositionsAt = clock.now();
    return {
      feed: 'open_positions',
      account: venue.accountUid,
      positions,
      seq: c.positionsSeq++,
      timestamp: clock.now(),
    };
  };

  const balanceSections = (): { holding: Message; futures: Message; flex_futures: Message } => {
    const account = engine.futuresAccount(venue.accountId);
    const margin = engine.futuresMargin(venue.accountId);
    const holding: Message = {};
    for (const [currency, amount] of account?.cash ?? []) holding[currency.toUpperCase()] = num(amount);
    const futures: Message = {};
    for (const [name, m] of account?.marginAccounts ?? []) {
      const contract = venue.contracts.find((c) => c.marginAccount === name);
      const key = contract ? `F-${contract.base}:${contract.quote}` : name.toUpperCase();
      const summary = margin.inverse.get(name);
      futures[key] = {
        name: key,
        pair: contract ? `${contract.base}/${contract.quote}` : '',
        unit: m.currency.toUpperCase(),
        portfolio_value: num(summary?.portfolioValue),
        balance: num(m.balance),
        maintenance_margin: num(summary?.maintenanceMargin),
        initial_margin: num(summary?.initialMargin),
        available: num(summary?.availableFunds),
        unrealized_funding: 0,
        pnl: num(summary?.pnl),
      };
    }
    const flex = margin.flex;
    const currencies: Message = {};
    for (const [currency, quantity] of account?.flex ?? []) {
      const value = quantity.mul(engine.usdPrice(currency));
      const available = Decimal.max(ZERO, Decimal.min(quantity, flex.availableMargin.div(engine.usdPrice(currency))));
      currencies[currency] = {
        quantity: num(quantity),
        value: num(value),
        collateral_value: num(value),
        available: num(available),
        haircut: 0,
        conversion_spread: 0,
      };
    }
    const isolated: Message = {};
    for (const symbol of venue.leverage.keys()) {
      const contract = venue.contract(symbol) as FuturesContractDef;
      const position = venue.position(symbol);
      const mark = engine.markPrice(symbol);
      const value = position ? notional(contract, position.size, mark) : ZERO;
      const pnl = position ? unrealizedPnl(contract, position, mark) : ZERO;
      isolated[symbol] = {
        initial_margin: num(value.mul(contract.initialMargin)),
        initial_margin_without_orders: num(value.mul(contract.initialMargin)),
        maintenance_margin: num(value.mul(contract.maintenanceMargin)),
        pnl: num(pnl),
        unrealized_funding: 0,
        total_unrealized: num(pnl),
        total_unrealized_as_margin: num(pnl),
      };
    }
    const totals = {
      balance_value: num(flex.balanceUsd),
      portfolio_value: num(flex.balanceUsd.add(flex.pnl)),
      collateral_value: num(flex.balanceUsd),
      initial_margin: num(flex.initialMarginWithOrders),
      initial_margin_without_orders: num(flex.initialMargin),
      maintenance_margin: num(flex.maintenanceMargin),
      pnl: num(flex.pnl),
      unrealized_funding: 0,
      total_unrealized: num(flex.pnl),
      total_unrealized_as_margin: num(flex.pnl),
      margin_equity: num(flex.marginEquity),
      available_margin: num(flex.availableMargin),
    };
    const positionsUsd = market
      .positions()
      .filter((p) => p.contract.type !== 'futures_inverse')
      .reduce((s, p) => s.add(notional(p.contract, p.position.size, engine.markPrice(p.contract.symbol))), ZERO);
    return {
      holding,
      futures,
      flex_futures: {
        currencies,
        ...totals,
        isolated,
        cross: {
          ...totals,
          effective_leverage: flex.marginEquity.isZero() ? 0 : positionsUsd.div(flex.marginEquity).toNumber(),
        },
      },
    };
  };

  const openOrdersSnapshot = (feed: string): Message => ({
    feed: `${feed}_snapshot`,
    account: venue.accountUid,
    orders: engine
      .openOrders(venue.accountId)
      .filter((o) => o.venue === 'futures')
      .map((o) => wsOpenOrder(o)),
  });

  const openOrderMessage = (feed: string, update: OpenOrderUpdate): Message => {
    const order: EngineOrder = update.order;
    const remaining = update.isCancel && update.reason === 'full_fill' ? ZERO : undefined;
    return {
      feed,
      ...(update.withOrder ? { order: wsOpenOrder(order, remaining) } : { order_id: order.id }),
      is_cancel: update.isCancel,
      reason: update.reason,
    };
  };

  // ---- snapshots on subscribe --------------------------------------------------------------------------------------

  const snapshots = (c: Connection, feed: string, products: readonly string[]): Message[] => {
    switch (feed) {
      case 'ticker':
        return products.map((p) => tickerMessage(venue.contract(p) as FuturesContractDef));
      case 'ticker_lite':
        return products.map((p) => tickerLiteMessage(venue.contract(p) as FuturesContractDef));
      case 'book':
        return products.map(bookSnapshot);
      case 'trade':
        return products.map((p) => ({
          feed: 'trade_snapshot',
          product_id: p,
          trades: (engine.market(p)?.trades ?? [])
            .slice(-100)
            .reverse()
            .map((t) => tradeItem(p, t)),
        }));
      case 'open_orders':
      case 'open_orders_verbose':
        return [openOrdersSnapshot(feed)];
      case 'fills': {
        const all = engine.accountFills(venue.accountId).filter((f) => venue.contract(f.symbol));
        const filled = new Map<string, Decimal>();
        const remaining = new Map<string, Decimal>();
        for (const f of all) {
          const total = (filled.get(f.orderId) ?? ZERO).add(f.qty);
          filled.set(f.orderId, total);
          const qty = engine.order(f.orderId)?.qty ?? total;
          remaining.set(f.uid, Decimal.max(ZERO, qty.sub(total)));
        }
        const fills = all
          .filter((f) => products.length === 0 || products.includes(f.symbol))
          .slice(-100)
          .reverse()
          .map((f) => fillItem(f, remaining.get(f.uid) ?? ZERO, false));
        return [{ feed: 'fills_snapshot', account: venue.accountUid, fills }];
      }
      case 'open_positions':
        return [positionsMessage(c)];
      case 'balances':
        c.balancesSeq = 0;
        return [
          {
            feed: 'balances_snapshot',
            account: venue.accountUid,
            ...balanceSections(),
            timestamp: clock.now(),
            seq: c.balancesSeq++,
          },
        ];
      case 'account_log':
        return [{ feed: 'account_log_snapshot', logs: venue.accountLog.slice(-500).map(wsLogEntry) }];
      case 'notifications_auth':
        return [{ feed: 'notifications_auth', notifications: [] }];
      default:
        return [];
    }
  };

  // ---- connection handling -----------------------------------------------------------------------------------------

  const stopHeartbeat = (c: Connection) => {
    if (c.heartbeat) clearInterval(c.heartbeat);
    c.heartbeat = undefined;
  };

  const startHeartbeat = (c: Connection) => {
    if (c.heartbeat || ctx.heartbeatMs <= 0) return;
    c.heartbeat = setInterval(() => {
      if (!c.subs.has('heartbeat') || faults.heartbeatsStopped('futures')) return;
      c.socket.send({ feed: 'heartbeat', time: clock.now() });
    }, ctx.heartbeatMs);
    c.heartbeat.unref();
  };

  const onSubscription = (c: Connection, message: Message, subscribe: boolean) => {
    const feed = message.feed;
    if (typeof feed !== 'string') {
      c.socket.reply({ event: 'error', message: 'Json Error' });
      return;
    }
    const isPrivate = (PRIVATE_FEEDS as readonly string[]).includes(feed);
    const isPublic = (PUBLIC_FEEDS as readonly string[]).includes(feed);
    if (!isPrivate && !isPublic && feed !== 'heartbeat') {
      c.socket.reply({
        event: 'alert',
        message: subscribe ? "Couldn't subscribe to invalid feed" : "Couldn't unsubscribe from invalid feed",
      });
      return;
    }
    let products: string[] = [];
    if (message.product_ids !== undefined) {
      if (!Array.isArray(message.product_ids) || message.product_ids.some((p) => typeof p !== 'string')) {
        c.socket.reply({ event: 'error', message: 'Json Error' });
        return;
      }
      const contracts = (message.product_ids as string[]).map((p) => venue.contract(p));
      if (contracts.some((x) => x === undefined)) {
        c.socket.reply({ event: 'error', message: 'Invalid product id' });
        return;
      }
      products = [...new Set(contracts.map((x) => (x as FuturesContractDef).symbol))];
    }
    if (isPublic && products.length === 0) {
      c.socket.reply({ event: 'error', message: 'Invalid product id' });
      return;
    }
    if (isPrivate) {
      const original = message.original_challenge;
      const signed = message.signed_challenge;
      const valid =
        message.api_key === apiKey &&
        typeof original === 'string' &&
        typeof signed === 'string' &&
        c.challenges.has(original) &&
        signed === futuresWsChallengeSign(original, apiSecret);
      if (!valid) {
        c.socket.reply({ event: 'alert', message: 'Failed to subscribe to authenticated feed' });
        return;
      }
    }
    if (subscribe) {
      const refusal = faults.takeSubscriptionRefusal('futures', feed);
      if (refusal !== undefined) {
        c.socket.reply({ event: 'error', message: refusal });
        return;
      }
    }
    const ack: Message = { event: subscribe ? 'subscribed' : 'unsubscribed', feed };
    if (isPublic || products.length > 0) ack.product_ids = products;
    if (isPrivate) {
      ack.api_key = message.api_key;
      ack.original_challenge = message.original_challenge;
      ack.signed_challenge = message.signed_challenge;
    }
    if (!subscribe) {
      const current = c.subs.get(feed);
      if (current && products.length > 0 && !isPrivate) {
        for (const p of products) current.delete(p);
        if (current.size === 0) c.subs.delete(feed);
      } else {
        c.subs.delete(feed);
      }
      if (feed === 'heartbeat') stopHeartbeat(c);
      c.socket.reply(ack);
      return;
    }
    const set = c.subs.get(feed) ?? new Set<string>();
    if (products.length > 0) for (const p of products) set.add(p);
    else set.add('*');
    if (feed === 'fills' && products.length === 0) {
      set.clear();
      set.add('*');
    }
    c.socket.reply(ack);
    // Snapshots are computed before the subscription is live so the book's pending deltas reach only the others.
    const messages = snapshots(c, feed, products);
    c.subs.set(feed, set);
    if (feed === 'book') for (const p of products) (books.get(p) as BookFeedState).view = bookLevels(p);
    for (const m of messages) c.socket.reply(m);
    if (feed === 'heartbeat') startHeartbeat(c);
  };

  ctx.server.websocket(FUTURES_WS_PATH, 'futures', (socket) => {
    const c: Connection = {
      socket,
      challenges: new Set(),
      subs: new Map(),
      balancesSeq: 0,
      positionsSeq: 0,
      lastPositionsAt: 0,
    };
    connections.add(c);
    socket.onClose(() => {
      stopHeartbeat(c);
      connections.delete(c);
    });
    socket.send({ event: 'info', version: 1 });
    socket.onMessage((text) => {
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        socket.reply({ event: 'alert', message: 'Bad websocket message' });
        return;
      }
      if (message === null || typeof message !== 'object' || Array.isArray(message)) {
        socket.reply({ event: 'alert', message: 'Bad websocket message' });
        return;
      }
      const m = message as Message;
      switch (m.event) {
        case 'challenge':
          if (m.api_key !== apiKey) {
            socket.reply({ event: 'error', message: 'Json Error' });
            return;
          }
          {
            const challenge = venue.ids.uuid();
            c.challenges.add(challenge);
            socket.reply({ event: 'challenge', message: challenge });
          }
          return;
        case 'subscribe':
          onSubscription(c, m, true);
          return;
        case 'unsubscribe':
          onSubscription(c, m, false);
          return;
        default:
          socket.reply({ event: 'alert', message: 'Bad websocket message' });
      }
    });
  });

  // ---- live feeds ----------------------------------------------------------------------------------------------------

  const pushBalances = () => {
    for (const c of subscribers('balances')) {
      const { futures, flex_futures } = balanceSections();
      c.socket.send({
        feed: 'balances',
        account: venue.accountUid,
        futures,
        flex_futures,
        timestamp: clock.now(),
        seq: c.balancesSeq++,
      });
    }
  };
  const pushPositions = () => {
    for (const c of subscribers('open_positions')) c.socket.send(positionsMessage(c));
  };

  const engineEvents = engine.events$.subscribe((event) => {
    if (connections.size === 0) return;
    switch (event.type) {
      case 'tick': {
        const contract = venue.contract(event.symbol);
        if (!contract) return;
        const last = lastTicker.get(contract.symbol);
        if (last === undefined || event.time - last >= TICKER_PERIOD_MS) {
          lastTicker.set(contract.symbol, event.time);
          if (subscribers('ticker', contract.symbol).length > 0)
            broadcast('ticker', contract.symbol, tickerMessage(contract));
          if (subscribers('ticker_lite', contract.symbol).length > 0) {
            broadcast('ticker_lite', contract.symbol, tickerLiteMessage(contract));
          }
        }
        if (venue.position(contract.symbol)) {
          for (const c of subscribers('open_positions')) {
            if (event.time - c.lastPositionsAt >= POSITIONS_PERIOD_MS) c.socket.send(positionsMessage(c));
          }
        }
        return;
      }
      case 'book':
        if (venue.contract(event.symbol)) flushBook(event.symbol);
        return;
      case 'trade':
        if (venue.contract(event.symbol)) broadcast('trade', event.symbol, tradeItem(event.symbol, event.trade));
        return;
      case 'fill':
        if (event.fill.accountId !== venue.accountId || !venue.contract(event.fill.symbol)) return;
        broadcast('fills', event.fill.symbol, {
          feed: 'fills',
          username: venue.accountUid,
          fills: [fillItem(event.fill, Decimal.max(ZERO, event.order.qty.sub(event.order.filled)), true)],
        });
        return;
      case 'futuresAccount':
        if (event.accountId !== venue.accountId) return;
        pushBalances();
        pushPositions();
        return;
      default:
        return;
    }
  });
  const orderUpdates = venue.orderUpdates$.subscribe((update) => {
    if (!update.verboseOnly) broadcast('open_orders', undefined, openOrderMessage('open_orders', update));
    broadcast('open_orders_verbose', undefined, openOrderMessage('open_orders_verbose', update));
  });
  const logEntries = venue.accountLog$.subscribe((entry: AccountLogEntry) =>
    broadcast('account_log', undefined, { feed: 'account_log', new_entry: wsLogEntry(entry) }),
  );
  const funding = venue.funding$.subscribe(() => {
    pushBalances();
    pushPositions();
  });
  const dropped = faults.actions$.subscribe((action) => {
    if (action.type !== 'dropChannel' || (action.group !== undefined && action.group !== 'futures')) return;
    for (const c of connections) {
      const products = c.subs.get(action.channel);
      if (!products) continue;
      const symbol = action.symbol ? venue.contract(action.symbol)?.symbol : undefined;
      if (symbol) products.delete(symbol);
      if (!symbol || products.size === 0) c.subs.delete(action.channel);
      if (action.channel === 'heartbeat') stopHeartbeat(c);
    }
  });

  ctx.onStop(() => {
    for (const s of [engineEvents, orderUpdates, logEntries, funding, dropped]) s.unsubscribe();
    for (const c of connections) stopHeartbeat(c);
    connections.clear();
  });
}

/** An account-log entry as the WS feed writes it: numbers where REST writes null, no `contract` key. */
function wsLogEntry(entry: AccountLogEntry): Message {
  const out: Message = {};
  for (const [key, value] of Object.entries(publicLogEntry(entry))) {
    if (key === 'contract') continue;
    out[key] = value === null ? (key === 'execution' ? '' : 0) : value;
  }
  return out;
}
