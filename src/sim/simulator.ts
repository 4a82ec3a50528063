/**
 * KrakenSimulator: an embedded Kraken exchange on loopback that speaks the real wire protocols.
 *
 * ```ts
 * const sim = await KrakenSimulator.start({ seed: 7, clock: 'manual' });
 * const client = new KrakenDataClient({ ...sim.config() });
 * sim.clock.advance(60_000); // the market moves, trades print, a bar closes
 * await sim.stop();
 * ```
 */
import { KrakenConfigError } from '../errors';
import { MAX_MINUTE_BARS } from './engine/market';
import { Prng } from './engine/prng';
import { ManualClock, RealClock, type SimClock } from './engine/clock';
import { MatchingEngine } from './engine/engine';
import type { InstrumentTable, Underlying } from './engine/instruments';
import type { SpotTier } from './engine/rateCounter';
import type { SimContext, SimCredentials, SimProtocolLayer } from './context';
import { SimFaults } from './faults';
import { attachFutures } from './futures';
import { attachReplay, type ReplayOptions } from './engine/replay';
import { FUTURES_WS_PATH, SPOT_WS_AUTH_PATH, SPOT_WS_PATH } from './paths';
import { SimServer } from './server';
import { attachSpot } from './spot';
import type Decimal from 'decimal.js';

export interface KrakenSimulatorOptions {
  /** Seed of every random choice (market walk, synthetic trades, ids, credentials). Default 1. */
  readonly seed?: number;
  /** TCP port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** `real` (default): the market runs on wall-clock time. `manual`: time moves only through `sim.clock.advance`. */
  readonly clock?: 'real' | 'manual';
  /** Simulated epoch ms at start. Default: now, floored to the minute. Fix it for byte-identical runs. */
  readonly startTime?: number;
  /** Spot REST rate-limit tier. Default `starter`. */
  readonly tier?: SpotTier;
  /** Market step period in ms (at least 1). Default 1000. */
  readonly tickMs?: number;
  /** Synthetic trades per minute per instrument, 0 to 60000. Default 12; 0 = none. */
  readonly tradesPerMinute?: number;
  /** Market-maker levels per side, 1 to 1000. Default 30. */
  readonly bookLevels?: number;
  /** One-minute bars of backfilled history, at most a week (10080). Default 720. Only a week of bars is kept. */
  readonly historyMinutes?: number;
  /** Multiplies the walk's volatility. Default 1. */
  readonly volatility?: number;
  /** USD prices of the underlyings at start (`{ XBT: 60000, ETH: 3000 }`). */
  readonly initialPrices?: Partial<Record<Underlying, number>>;
  /** Replaces the instrument table. */
  readonly instruments?: InstrumentTable;
  /** Spot balances by WS v2 asset id. Default `{ USD: 100000, BTC: 2, ETH: 25 }`. */
  readonly spotBalances?: Readonly<Record<string, Decimal.Value>>;
  /** Futures wallets. Default cash `{ xbt: 1 }`, `fi_xbtusd` 2 xbt, flex `{ USD: 100000 }`. */
  readonly futuresBalances?: {
    readonly cash?: Readonly<Record<string, Decimal.Value>>;
    readonly margin?: Readonly<Record<string, { currency: string; balance: Decimal.Value }>>;
    readonly flex?: Readonly<Record<string, Decimal.Value>>;
  };
  /** Fixed credentials instead of seeded ones. Secrets are base64. */
  readonly credentials?: Partial<Record<'apiKey' | 'apiSecret' | 'futuresApiKey' | 'futuresApiSecret', string>>;
  /** WebSocket heartbeat period in real ms (0, or at least 10). Default 1000; 0 disables. */
  readonly heartbeatMs?: number;
  /** Drive markets from a recorded-frames file instead of the walk. */
  readonly replay?: ReplayOptions;
  /** Extra protocol layers. */
  readonly layers?: readonly SimProtocolLayer[];
}

/** Base URLs and credentials, ready to spread into the client configs. */
export interface KrakenSimulatorConfig {
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly futuresApiKey: string;
  readonly futuresApiSecret: string;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrlHttpSpot: string;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrlHttpFutures: string;
  /** `ws://127.0.0.1:<port>/v2` */
  readonly baseUrlWsSpot: string;
  /** `ws://127.0.0.1:<port>/auth/v2` */
  readonly baseUrlWsSpotAuth: string;
  /** `ws://127.0.0.1:<port>/ws/v1` */
  readonly baseUrlWsFutures: string;
}

export { FUTURES_WS_PATH, SPOT_WS_AUTH_PATH, SPOT_WS_PATH };

export class KrakenSimulator {
  private stopped = false;

  private constructor(
    readonly engine: MatchingEngine,
    readonly clock: SimClock,
    readonly faults: SimFaults,
    private readonly server: SimServer,
    private readonly credentials: SimCredentials,
    readonly port: number,
    readonly host: string,
    private readonly cleanups: (() => void | Promise<void>)[],
  ) {}

  static async start(options: KrakenSimulatorOptions = {}): Promise<KrakenSimulator> {
    checkOptions(options);
    const seed = options.seed ?? 1;
    const startTime = options.startTime ?? Math.floor(Date.now() / 60_000) * 60_000;
    const clock: SimClock =
      options.clock === 'manual' ? new ManualClock(startTime) : new RealClock(startTime - Date.now());
    const engine = new MatchingEngine({
      seed,
      clock,
      instruments: options.instruments,
      initialPrices: options.initialPrices,
      tickMs: options.tickMs,
      tradesPerMinute: options.tradesPerMinute,
      bookLevels: options.bookLevels,
      historyMinutes: options.historyMinutes,
      volatility: options.volatility,
    });
    const credentials = makeCredentials(seed, options.credentials ?? {});
    engine.createSpotAccount(credentials.spot.accountId, options.spotBalances ?? { USD: 100000, BTC: 2, ETH: 25 });
    engine.createFuturesAccount(
      credentials.futures.accountId,
      options.futuresBalances ?? {
        cash: { xbt: 1 },
        margin: { fi_xbtusd: { currency: 'xbt', balance: 2 } },
        flex: { USD: 100000 },
      },
    );
    const faults = new SimFaults();
    const server = new SimServer(faults);
    const cleanups: (() => void | Promise<void>)[] = [];
    const ctx: SimContext = {
      engine,
      clock,
      faults,
      server,
      credentials,
      tier: options.tier ?? 'starter',
      heartbeatMs: options.heartbeatMs ?? 1000,
      seed,
      onStop: (cleanup) => cleanups.push(cleanup),
    };
    for (const layer of [attachSpot, attachFutures, ...(options.layers ?? [])]) layer(ctx);
    if (options.replay) attachReplay(ctx, options.replay);
    const host = options.host ?? '127.0.0.1';
    let port: number;
    try {
      port = await server.listen(options.port ?? 0, host);
    } catch (err) {
      engine.stop();
      clock.dispose();
      for (const cleanup of cleanups) await cleanup();
      throw err;
    }
    engine.start();
    return new KrakenSimulator(engine, clock, faults, server, credentials, port, host, cleanups);
  }

  /** Base URLs (HTTP origins, full WS URLs) and credentials for the clients. */
  config(): KrakenSimulatorConfig {
    const http = `http://${this.host}:${this.port}`;
    const ws = `ws://${this.host}:${this.port}`;
    return {
      apiKey: this.credentials.spot.apiKey,
      apiSecret: this.credentials.spot.apiSecret,
      futuresApiKey: this.credentials.futures.apiKey,
      futuresApiSecret: this.credentials.futures.apiSecret,
      baseUrlHttpSpot: http,
      baseUrlHttpFutures: http,
      baseUrlWsSpot: ws + SPOT_WS_PATH,
      baseUrlWsSpotAuth: ws + SPOT_WS_AUTH_PATH,
      baseUrlWsFutures: ws + FUTURES_WS_PATH,
    };
  }

  /** Engine account ids behind the spot and futures credentials. */
  accounts(): { spot: string; futures: string } {
    return { spot: this.credentials.spot.accountId, futures: this.credentials.futures.accountId };
  }

  /** Stops the market, closes every connection and the server. Leaves no handle open. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.engine.stop();
    this.clock.dispose();
    for (const cleanup of this.cleanups.splice(0)) await cleanup();
    this.faults.dispose();
    await this.server.close();
  }

  toString(): string {
    return `KrakenSimulator(${this.host}:${this.port})`;
  }

  toJSON(): unknown {
    return { host: this.host, port: this.port };
  }

  /** Keeps the credentials out of `console.log(sim)`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * Refuses option values that would make the market loop without end or without bound (a zero tick, a trade rate
 * that schedules trades faster than time moves, a replay at speed 0, a history of millions of bars).
 */
function checkOptions(options: KrakenSimulatorOptions): void {
  const check = (option: string, value: number | undefined, ok: (v: number) => boolean, expected: string) => {
    if (value !== undefined && !(Number.isFinite(value) && ok(value))) {
      throw new KrakenConfigError(option, `expected ${expected}, got ${String(value)}`);
    }
  };
  check('seed', options.seed, () => true, 'a finite number');
  check('port', options.port, (v) => Number.isInteger(v) && v >= 0 && v <= 65535, 'a port number (0 = any)');
  check('startTime', options.startTime, () => true, 'epoch milliseconds');
  check('tickMs', options.tickMs, (v) => v >= 1, 'at least 1 ms');
  check('tradesPerMinute', options.tradesPerMinute, (v) => v >= 0 && v <= 60_000, '0 to 60000');
  check('bookLevels', options.bookLevels, (v) => Number.isInteger(v) && v >= 1 && v <= 1000, '1 to 1000 levels');
  check(
    'historyMinutes',
    options.historyMinutes,
    (v) => Number.isInteger(v) && v >= 0 && v <= MAX_MINUTE_BARS,
    `0 to ${MAX_MINUTE_BARS} minutes`,
  );
  check('volatility', options.volatility, (v) => v >= 0, 'a non-negative multiplier');
  check('heartbeatMs', options.heartbeatMs, (v) => v === 0 || v >= 10, '0 (off) or at least 10 ms');
  check('replay.speed', options.replay?.speed, (v) => v > 0, 'a positive multiplier');
}

function makeCredentials(
  seed: number,
  fixed: Partial<Record<'apiKey' | 'apiSecret' | 'futuresApiKey' | 'futuresApiSecret', string>>,
): SimCredentials {
  const prng = Prng.derive(seed, 'credentials');
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => prng.int(0, 255)));
  const key = () => bytes(42).toString('base64').replace(/[+/=]/g, '').slice(0, 56);
  return {
    spot: {
      apiKey: fixed.apiKey ?? key(),
      apiSecret: fixed.apiSecret ?? bytes(64).toString('base64'),
      accountId: 'spot',
    },
    futures: {
      apiKey: fixed.futuresApiKey ?? key(),
      apiSecret: fixed.futuresApiSecret ?? bytes(64).toString('base64'),
      accountId: 'futures',
    },
  };
}
