import Decimal from 'decimal.js';
import { ManualClock, MatchingEngine, Prng, type EngineEvent } from '../../src/sim/engine';
import { MAX_MINUTE_BARS, MINUTE_MS } from '../../src/sim/engine/market';

const START = Date.UTC(2024, 0, 2, 12, 0, 0);
const d = (v: Decimal.Value) => new Decimal(v);

function quietEngine(seed = 1) {
  const clock = new ManualClock(START);
  const engine = new MatchingEngine({ seed, clock, tradesPerMinute: 0, bookLevels: 5, historyMinutes: 10 });
  engine.createSpotAccount('a', { USD: 100000, BTC: 2 });
  engine.createSpotAccount('b', { USD: 100000, BTC: 2 });
  engine.createFuturesAccount('f', { margin: { fi_xbtusd: { currency: 'xbt', balance: 2 } }, flex: { USD: 100000 } });
  const events: EngineEvent[] = [];
  engine.events$.subscribe((e) => events.push(e));
  return { clock, engine, events };
}

describe('ManualClock', () => {
  it('runs due timers in time order, same-time timers in creation order, with now() at their due time', () => {
    const clock = new ManualClock(1000);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => seen.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => seen.push(`c@${clock.now()}`), 20);
    const tick = clock.setInterval(() => seen.push(`i@${clock.now()}`), 15);
    clock.advance(30);
    tick.cancel();
    clock.advance(100);
    expect(seen).toEqual(['a@1010', 'i@1015', 'b@1020', 'c@1020', 'i@1030']);
    expect(clock.now()).toBe(1130);
  });
});

describe('Prng', () => {
  it('is deterministic per seed and label', () => {
    const a = Prng.derive(7, 'x');
    const b = Prng.derive(7, 'x');
    const c = Prng.derive(7, 'y');
    const draw = (p: Prng) => Array.from({ length: 5 }, () => p.next());
    const fromA = draw(a);
    expect(fromA).toEqual(draw(b));
    expect(fromA).not.toEqual(draw(c));
    expect(fromA.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('MatchingEngine', () => {
  it('fills a resting user order partially as maker, with maker and taker fees on each side', () => {
    const { engine, events } = quietEngine();
    const market = engine.market('BTC/USD')!;
    const inside = market.book.best('sell')!.price.sub('0.1');
    const rest = engine.submitOrder('a', {
      symbol: 'BTC/USD',
      side: 'sell',
      type: 'limit',
      qty: d('1'),
      limitPrice: inside,
    });
    expect(rest.ok && rest.order.status).toBe('open');
    const take = engine.submitOrder('b', { symbol: 'BTC/USD', side: 'buy', type: 'market', qty: d('0.4') });
    expect(take.ok).toBe(true);
    const maker = rest.ok ? engine.order(rest.order.id)! : undefined;
    expect(maker!.filled.toString()).toBe('0.4');
    expect(maker!.status).toBe('open');
    const cost = inside.mul('0.4');
    expect(engine.spotAccount('a')!.balance('USD').toString()).toBe(
      d(100000).add(cost).sub(cost.mul('0.0016')).toString(),
    );
    expect(engine.spotAccount('a')!.balance('BTC').toString()).toBe('1.6');
    expect(engine.spotAccount('b')!.balance('USD').toString()).toBe(
      d(100000).sub(cost).sub(cost.mul('0.0026')).toString(),
    );
    expect(engine.spotHolds('a').get('BTC')!.toString()).toBe('0.6');
    const fills = events.filter((e): e is Extract<EngineEvent, { type: 'fill' }> => e.type === 'fill');
    expect(fills.map((f) => [f.fill.accountId, f.fill.liquidity])).toEqual([
      ['a', 'maker'],
      ['b', 'taker'],
    ]);
    expect(fills[0].fill.publicTradeId).toBe(fills[1].fill.publicTradeId);
  });

  it('cancels the newest order on a self-trade', () => {
    const { engine } = quietEngine();
    const inside = engine.market('BTC/USD')!.book.best('sell')!.price.sub('0.1');
    engine.submitOrder('a', { symbol: 'BTC/USD', side: 'sell', type: 'limit', qty: d('0.1'), limitPrice: inside });
    const own = engine.submitOrder('a', {
      symbol: 'BTC/USD',
      side: 'buy',
      type: 'limit',
      qty: d('0.1'),
      limitPrice: inside,
    });
    const order = own.ok ? engine.order(own.order.id)! : undefined;
    expect(order).toMatchObject({ status: 'canceled', reason: 'Self trade prevention' });
    expect(order!.filled.toString()).toBe('0');
  });

  it('kills a FOK order that cannot fill entirely, and cancels an IOC remainder', () => {
    const { engine } = quietEngine();
    const best = engine.market('BTC/USD')!.book.best('sell')!;
    const levelQty = best.entries.reduce((s, e) => s.add(e.qty), d(0));
    const fok = engine.submitOrder('a', {
      symbol: 'BTC/USD',
      side: 'buy',
      type: 'limit',
      qty: levelQty.add('0.01'),
      limitPrice: best.price,
      timeInForce: 'FOK',
    });
    expect(fok.ok && engine.order(fok.order.id)).toMatchObject({ status: 'canceled', reason: 'Fill or kill' });
    const ioc = engine.submitOrder('a', {
      symbol: 'BTC/USD',
      side: 'buy',
      type: 'limit',
      qty: levelQty.add('0.01'),
      limitPrice: best.price,
      timeInForce: 'IOC',
    });
    const order = ioc.ok ? engine.order(ioc.order.id)! : undefined;
    expect(order).toMatchObject({ status: 'canceled', reason: 'Immediate or cancel' });
    expect(order!.filled.toString()).toBe(levelQty.toString());
  });

  it('triggers a take-profit-limit when the reference price reaches it, then rests it as a limit', () => {
    const { engine, events } = quietEngine();
    const market = engine.market('BTC/USD')!;
    const trigger = market.book.best('sell')!.price.add('1');
    const tp = engine.submitOrder('a', {
      symbol: 'BTC/USD',
      side: 'sell',
      type: 'take-profit-limit',
      qty: d('0.1'),
      triggerPrice: trigger,
      limitPrice: trigger.add('100'),
    });
    expect(tp.ok).toBe(true);
    for (let i = 0; i < 10 && !engine.order(tp.ok ? tp.order.id : '')!.triggered; i++) {
      engine.syntheticTrade('BTC/USD', 'buy', market.book.best('sell')!.entries[0].qty);
    }
    const order = tp.ok ? engine.order(tp.order.id)! : undefined;
    expect(order!.triggered).toBe(true);
    expect(order!.status).toBe('open');
    expect(market.book.find('sell', trigger.add('100'), order!.id)).toBeDefined();
    expect(events.some((e) => e.type === 'order' && e.exec === 'triggered')).toBe(true);
  });

  it('tracks linear futures positions: averaging, realised PnL on the closed part, flipping', () => {
    const { engine } = quietEngine();
    const buy = engine.submitOrder('f', { symbol: 'PF_XBTUSD', side: 'buy', type: 'market', qty: d('0.1') });
    expect(buy.ok).toBe(true);
    const entry = engine.futuresAccount('f')!.position('PF_XBTUSD')!.price;
    const sell = engine.submitOrder('f', { symbol: 'PF_XBTUSD', side: 'sell', type: 'market', qty: d('0.15') });
    expect(sell.ok).toBe(true);
    const position = engine.futuresAccount('f')!.position('PF_XBTUSD')!;
    expect(position.size.toString()).toBe('-0.05');
    const fills = engine.accountFills('f');
    const realized = fills.reduce((s, f) => s.add(f.realizedPnl ?? 0), d(0));
    const closeNotional = fills.filter((f) => f.side === 'sell').reduce((acc, f) => acc.add(f.price.mul(f.qty)), d(0));
    const fees = fills.reduce((s, f) => s.add(f.fee), d(0));
    expect(engine.futuresAccount('f')!.flex.get('USD')!.toString()).toBe(d(100000).add(realized).sub(fees).toString());
    expect(closeNotional.gt(0)).toBe(true);
    expect(entry.gt(0)).toBe(true);
  });

  it('settles inverse PnL in coin: size × (1/entry − 1/exit)', () => {
    const { engine } = quietEngine();
    engine.submitOrder('f', { symbol: 'PI_XBTUSD', side: 'buy', type: 'market', qty: d('1000') });
    const entry = engine.futuresAccount('f')!.position('PI_XBTUSD')!.price;
    engine.submitOrder('f', { symbol: 'PI_XBTUSD', side: 'sell', type: 'market', qty: d('1000') });
    const sells = engine.accountFills('f').filter((f) => f.side === 'sell');
    const realized = sells.reduce((s, f) => s.add(f.realizedPnl!), d(0));
    const exitValue = sells.reduce((s, f) => s.add(f.qty.div(f.price)), d(0));
    expect(realized.toFixed(12)).toBe(d(1000).div(entry).sub(exitValue).toFixed(12));
    expect(engine.futuresAccount('f')!.position('PI_XBTUSD')).toBeUndefined();
  });

  it('refuses reduce-only orders that would not reduce, and clamps those that would overshoot', () => {
    const { engine } = quietEngine();
    const none = engine.submitOrder('f', {
      symbol: 'PF_XBTUSD',
      side: 'sell',
      type: 'market',
      qty: d('0.1'),
      reduceOnly: true,
    });
    expect(none).toEqual({ ok: false, code: 'REDUCE_ONLY_WOULD_NOT_REDUCE' });
    engine.submitOrder('f', { symbol: 'PF_XBTUSD', side: 'buy', type: 'market', qty: d('0.1') });
    const reduce = engine.submitOrder('f', {
      symbol: 'PF_XBTUSD',
      side: 'sell',
      type: 'market',
      qty: d('0.3'),
      reduceOnly: true,
    });
    expect(reduce.ok && reduce.order.qty.toString()).toBe('0.1');
    expect(engine.futuresAccount('f')!.position('PF_XBTUSD')).toBeUndefined();
  });

  it('refuses a futures order beyond the available margin', () => {
    const { engine } = quietEngine();
    const huge = engine.submitOrder('f', {
      symbol: 'PF_XBTUSD',
      side: 'buy',
      type: 'limit',
      qty: d('200'),
      limitPrice: d('50000'),
    });
    expect(huge).toEqual({ ok: false, code: 'INSUFFICIENT_FUNDS' });
  });

  it('triggers on the index when asked to', () => {
    const { engine, clock } = quietEngine();
    engine.start();
    const index = engine.indexPrice('BTC/USD');
    const stop = engine.submitOrder('a', {
      symbol: 'BTC/USD',
      side: 'sell',
      type: 'stop-loss',
      qty: d('0.01'),
      triggerPrice: index.add('1000'),
      triggerReference: 'index',
    });
    // The index is already below a sell stop's trigger: it fires on the next check.
    clock.advance(1000);
    expect(stop.ok && engine.order(stop.order.id)!.triggered).toBe(true);
    engine.stop();
  });

  it('gives the same order ids and fills for the same seed', () => {
    const run = () => {
      const { engine } = quietEngine(99);
      const r = engine.submitOrder('a', { symbol: 'ETH/USD', side: 'buy', type: 'market', qty: d('1') });
      return [r.ok && r.order.id, engine.accountFills('a').map((f) => `${f.id}:${f.price}:${f.qty}`)];
    };
    expect(run()).toEqual(run());
  });
});

describe('a long-running market stays bounded', () => {
  it('holds one pending synthetic-trade timer per market and does not remember every public trade uid', () => {
    const clock = new ManualClock(START);
    const engine = new MatchingEngine({ seed: 3, clock, tradesPerMinute: 600, tickMs: 60_000, historyMinutes: 0 });
    engine.start();
    clock.advance(2 * 60_000);
    const markets = engine.allMarkets();
    expect(markets.reduce((n, m) => n + m.trades.length, 0)).toBeGreaterThan(markets.length * 500);
    const internals = engine as unknown as { timers: unknown[]; tradeTimers: Map<string, unknown> };
    expect(internals.timers).toHaveLength(1); // the market step
    expect(internals.tradeTimers.size).toBe(markets.length);
    expect((engine.ids as unknown as { issued: Set<string> }).issued.size).toBe(0);
    engine.stop();
    expect(internals.tradeTimers.size).toBe(0);
  });

  it('keeps at most a week of one-minute bars, and the statistics and bar queries still see the recent ones', () => {
    const { engine } = quietEngine();
    const market = engine.market('ETH/USD')!;
    const first = market.bars[market.bars.length - 1].time + MINUTE_MS;
    const minutes = MAX_MINUTE_BARS + 2500;
    for (let i = 0; i < minutes; i++) {
      market.recordTrade({
        id: i,
        uid: `u${i}`,
        price: d(3000 + (i % 7)),
        qty: d('0.1'),
        side: 'buy',
        ordType: 'market',
        time: first + i * MINUTE_MS,
        makerOrderId: 'm',
        takerOrderId: 't',
      });
    }
    expect(market.bars.length).toBeLessThanOrEqual(MAX_MINUTE_BARS + 1000);
    expect(market.bars.length).toBeGreaterThanOrEqual(MAX_MINUTE_BARS);
    const last = first + (minutes - 1) * MINUTE_MS;
    expect(market.bars.at(-1)!.time).toBe(last);
    const stats = market.stats(last);
    expect(stats.count).toBe(24 * 60 + 1); // the bar 24 h ago starts exactly at the window's start
    expect(stats.volume.toFixed()).toBe(
      d('0.1')
        .mul(24 * 60 + 1)
        .toFixed(),
    );
    const since = last - 3 * 3_600_000;
    const hours = market.barsOf(60, since);
    expect(hours.map((b) => b.time)).toEqual(
      market
        .barsOf(60)
        .filter((b) => b.time >= since)
        .map((b) => b.time),
    );
    expect(hours.map((b) => b.time)).toEqual([2, 1, 0].map((h) => Math.floor(last / 3_600_000 - h) * 3_600_000));
  });
});
