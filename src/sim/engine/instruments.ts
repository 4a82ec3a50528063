/**
 * The simulator's instrument table, in Kraken's own vocabulary. Spot pairs carry every name Kraken uses for them
 * (REST pair key, altname, wsname, WS v2 symbol); futures contracts carry their `/instruments` row. The wire
 * builders at the bottom render the exact shapes of spot `AssetPairs`/`Assets`, the WS v2 `instrument` channel and
 * futures `/derivatives/api/v3/instruments`.
 */
import Decimal from 'decimal.js';

/** Reference currencies of the simulated world; every fair price is quoted through these. */
export type Underlying = 'XBT' | 'ETH' | 'USD';

export interface SpotAssetDef {
  /** REST asset key: `XXBT`, `ZUSD`. */
  readonly restKey: string;
  /** REST altname: `XBT`, `USD`. */
  readonly altname: string;
  /** WS v2 asset id: `BTC`, `USD`. */
  readonly wsId: string;
  readonly decimals: number;
  readonly displayDecimals: number;
  readonly underlying: Underlying;
  readonly marginRate: number;
}

/** How the synthetic market makers and takers behave on one instrument. */
export interface MarketProfile {
  /** Distance between the ladder's levels, in ticks. */
  readonly levelStepTicks: number;
  /** Half-spread of the ladder around the fair price, in ticks (at least one). */
  readonly halfSpreadTicks: number;
  /** Size range of one ladder level. */
  readonly levelSize: readonly [number, number];
  /** Size range of one synthetic taker trade. */
  readonly tradeSize: readonly [number, number];
}

interface InstrumentCommon {
  /** The engine's key: the WS v2 symbol for spot (`BTC/USD`), Kraken's symbol for futures (`PF_XBTUSD`). */
  readonly symbol: string;
  readonly priceDecimals: number;
  readonly qtyDecimals: number;
  readonly tickSize: Decimal;
  readonly qtyStep: Decimal;
  readonly minQty: Decimal;
  /** Fractions (0.0016 = 0.16 %). */
  readonly makerFee: Decimal;
  readonly takerFee: Decimal;
  /** The instrument's fair price is `price(base) / price(quote)` of the simulated underlyings, times 1 + basis. */
  readonly priceBase: Underlying;
  readonly priceQuote: Underlying;
  readonly profile: MarketProfile;
}

export interface SpotPairDef extends InstrumentCommon {
  readonly venue: 'spot';
  /** REST pair key: `XXBTZUSD`. */
  readonly restKey: string;
  /** REST altname: `XBTUSD`. */
  readonly altname: string;
  /** REST `wsname` (WS v1 naming): `XBT/USD`. */
  readonly wsname: string;
  readonly base: SpotAssetDef;
  readonly quote: SpotAssetDef;
  readonly costDecimals: number;
  readonly costMin: Decimal;
  /** Kraken's fee schedules (percent), as AssetPairs shows them. */
  readonly feesTaker: readonly (readonly [number, number])[];
  readonly feesMaker: readonly (readonly [number, number])[];
}

export type FuturesContractType = 'futures_inverse' | 'flexible_futures';

export interface FuturesContractDef extends InstrumentCommon {
  readonly venue: 'futures';
  readonly type: FuturesContractType;
  /** `XBT:USD`. */
  readonly pair: string;
  readonly base: string;
  readonly quote: string;
  readonly contractSize: Decimal;
  /** size step = 10^-cvtp. */
  readonly contractValueTradePrecision: number;
  /** Inverse contracts settle in the base coin (`xbt`), linear ones in USD through the flex account. */
  readonly settlementCurrency: string;
  /** Name of the single-collateral margin account of inverse contracts (`fi_xbtusd`); undefined for flex. */
  readonly marginAccount?: string;
  readonly initialMargin: Decimal;
  readonly maintenanceMargin: Decimal;
  readonly maxPositionSize: number;
  readonly underlyingIndex?: string;
  /** Epoch ms of the last trading time for dated contracts; undefined for perpetuals. */
  readonly lastTradingTime?: number;
}

export type SimInstrument = SpotPairDef | FuturesContractDef;

const d = (value: string | number) => new Decimal(value);

export const SPOT_ASSETS: readonly SpotAssetDef[] = [
  {
    restKey: 'XXBT',
    altname: 'XBT',
    wsId: 'BTC',
    decimals: 10,
    displayDecimals: 5,
    underlying: 'XBT',
    marginRate: 0.01,
  },
  {
    restKey: 'XETH',
    altname: 'ETH',
    wsId: 'ETH',
    decimals: 10,
    displayDecimals: 5,
    underlying: 'ETH',
    marginRate: 0.02,
  },
  {
    restKey: 'ZUSD',
    altname: 'USD',
    wsId: 'USD',
    decimals: 4,
    displayDecimals: 2,
    underlying: 'USD',
    marginRate: 0.015,
  },
];

const asset = (wsId: string): SpotAssetDef => {
  const found = SPOT_ASSETS.find((a) => a.wsId === wsId);
  if (!found) throw new Error(`unknown asset ${wsId}`);
  return found;
};

const TAKER_SCHEDULE: readonly (readonly [number, number])[] = [
  [0, 0.26],
  [50000, 0.24],
  [100000, 0.22],
  [250000, 0.2],
  [500000, 0.18],
  [1000000, 0.16],
  [2500000, 0.14],
  [5000000, 0.12],
  [10000000, 0.1],
];
const MAKER_SCHEDULE: readonly (readonly [number, number])[] = [
  [0, 0.16],
  [50000, 0.14],
  [100000, 0.12],
  [250000, 0.1],
  [500000, 0.08],
  [1000000, 0.06],
  [2500000, 0.04],
  [5000000, 0.02],
  [10000000, 0],
];

const spotPair = (
  def: Omit<SpotPairDef, 'venue' | 'qtyStep' | 'makerFee' | 'takerFee' | 'feesTaker' | 'feesMaker' | 'qtyDecimals'>,
): SpotPairDef => ({
  ...def,
  venue: 'spot',
  qtyDecimals: 8,
  qtyStep: d('0.00000001'),
  feesTaker: TAKER_SCHEDULE,
  feesMaker: MAKER_SCHEDULE,
  takerFee: d(TAKER_SCHEDULE[0][1]).div(100),
  makerFee: d(MAKER_SCHEDULE[0][1]).div(100),
});

export const DEFAULT_SPOT_PAIRS: readonly SpotPairDef[] = [
  spotPair({
    symbol: 'BTC/USD',
    restKey: 'XXBTZUSD',
    altname: 'XBTUSD',
    wsname: 'XBT/USD',
    base: asset('BTC'),
    quote: asset('USD'),
    priceDecimals: 1,
    tickSize: d('0.1'),
    minQty: d('0.0001'),
    costDecimals: 5,
    costMin: d('0.5'),
    priceBase: 'XBT',
    priceQuote: 'USD',
    profile: { levelStepTicks: 5, halfSpreadTicks: 3, levelSize: [0.005, 2.5], tradeSize: [0.0005, 0.25] },
  }),
  spotPair({
    symbol: 'ETH/USD',
    restKey: 'XETHZUSD',
    altname: 'ETHUSD',
    wsname: 'ETH/USD',
    base: asset('ETH'),
    quote: asset('USD'),
    priceDecimals: 2,
    tickSize: d('0.01'),
    minQty: d('0.002'),
    costDecimals: 5,
    costMin: d('0.5'),
    priceBase: 'ETH',
    priceQuote: 'USD',
    profile: { levelStepTicks: 10, halfSpreadTicks: 5, levelSize: [0.05, 40], tradeSize: [0.005, 4] },
  }),
  spotPair({
    symbol: 'ETH/BTC',
    restKey: 'XETHXXBT',
    altname: 'ETHXBT',
    wsname: 'ETH/XBT',
    base: asset('ETH'),
    quote: asset('BTC'),
    priceDecimals: 5,
    tickSize: d('0.00001'),
    minQty: d('0.002'),
    costDecimals: 10,
    costMin: d('0.00002'),
    priceBase: 'ETH',
    priceQuote: 'XBT',
    profile: { levelStepTicks: 1, halfSpreadTicks: 1, levelSize: [0.05, 30], tradeSize: [0.005, 3] },
  }),
];

const futuresContract = (def: Omit<FuturesContractDef, 'venue' | 'qtyStep' | 'qtyDecimals' | 'minQty'>) => {
  const step = d(10).pow(-def.contractValueTradePrecision);
  return {
    ...def,
    venue: 'futures' as const,
    qtyDecimals: Math.max(0, def.contractValueTradePrecision),
    qtyStep: step,
    minQty: step,
  };
};

export const DEFAULT_FUTURES_CONTRACTS: readonly FuturesContractDef[] = [
  futuresContract({
    symbol: 'PI_XBTUSD',
    type: 'futures_inverse',
    pair: 'XBT:USD',
    base: 'XBT',
    quote: 'USD',
    priceDecimals: 1,
    tickSize: d('0.5'),
    contractSize: d(1),
    contractValueTradePrecision: 0,
    makerFee: d('0.0002'),
    takerFee: d('0.0005'),
    settlementCurrency: 'xbt',
    marginAccount: 'fi_xbtusd',
    initialMargin: d('0.02'),
    maintenanceMargin: d('0.01'),
    maxPositionSize: 1000000,
    underlyingIndex: 'rr_xbtusd',
    priceBase: 'XBT',
    priceQuote: 'USD',
    profile: { levelStepTicks: 1, halfSpreadTicks: 1, levelSize: [500, 60000], tradeSize: [1, 5000] },
  }),
  futuresContract({
    symbol: 'PF_XBTUSD',
    type: 'flexible_futures',
    pair: 'XBT:USD',
    base: 'XBT',
    quote: 'USD',
    priceDecimals: 0,
    tickSize: d(1),
    contractSize: d(1),
    contractValueTradePrecision: 4,
    makerFee: d('0.0002'),
    takerFee: d('0.0005'),
    settlementCurrency: 'usd',
    initialMargin: d('0.02'),
    maintenanceMargin: d('0.01'),
    maxPositionSize: 1000000,
    priceBase: 'XBT',
    priceQuote: 'USD',
    profile: { levelStepTicks: 1, halfSpreadTicks: 1, levelSize: [0.01, 3], tradeSize: [0.0001, 0.3] },
  }),
  futuresContract({
    symbol: 'PF_ETHUSD',
    type: 'flexible_futures',
    pair: 'ETH:USD',
    base: 'ETH',
    quote: 'USD',
    priceDecimals: 1,
    tickSize: d('0.1'),
    contractSize: d(1),
    contractValueTradePrecision: 3,
    makerFee: d('0.0002'),
    takerFee: d('0.0005'),
    settlementCurrency: 'usd',
    initialMargin: d('0.02'),
    maintenanceMargin: d('0.01'),
    maxPositionSize: 1000000,
    priceBase: 'ETH',
    priceQuote: 'USD',
    profile: { levelStepTicks: 1, halfSpreadTicks: 1, levelSize: [0.1, 40], tradeSize: [0.001, 4] },
  }),
];

/** Starting USD prices of the underlyings (overridable through `KrakenSimulator.start({ initialPrices })`). */
export const DEFAULT_UNDERLYING_PRICES: Readonly<Record<Underlying, number>> = { XBT: 60000, ETH: 3000, USD: 1 };

/** The full instrument table with lookups by every Kraken name. */
export class InstrumentTable {
  readonly spot: readonly SpotPairDef[];
  readonly futures: readonly FuturesContractDef[];
  readonly assets: readonly SpotAssetDef[];
  private readonly bySymbol = new Map<string, SimInstrument>();
  private readonly restNames = new Map<string, SpotPairDef>();

  constructor(
    spot: readonly SpotPairDef[] = DEFAULT_SPOT_PAIRS,
    futures: readonly FuturesContractDef[] = DEFAULT_FUTURES_CONTRACTS,
    assets: readonly SpotAssetDef[] = SPOT_ASSETS,
  ) {
    this.spot = spot;
    this.futures = futures;
    this.assets = assets;
    for (const inst of [...spot, ...futures]) this.bySymbol.set(inst.symbol, inst);
    for (const pair of spot) {
      for (const name of [pair.restKey, pair.altname, pair.wsname, pair.symbol]) this.restNames.set(name, pair);
    }
  }

  all(): readonly SimInstrument[] {
    return [...this.spot, ...this.futures];
  }

  /** By engine symbol: `BTC/USD`, `PF_XBTUSD`. */
  get(symbol: string): SimInstrument | undefined {
    return this.bySymbol.get(symbol);
  }

  /** A spot pair by WS v2 symbol only (`BTC/USD`; `XBT/USD` is not a v2 symbol). */
  spotByWsSymbol(symbol: string): SpotPairDef | undefined {
    const inst = this.bySymbol.get(symbol);
    return inst?.venue === 'spot' ? inst : undefined;
  }

  /** A spot pair by any name REST accepts: pair key, altname, wsname or v2 symbol. */
  spotByRestName(name: string): SpotPairDef | undefined {
    return this.restNames.get(name);
  }

  /** A futures contract by symbol, case-insensitive as Kraken's futures API is. */
  futuresBySymbol(symbol: string): FuturesContractDef | undefined {
    return this.futures.find((f) => f.symbol.toUpperCase() === symbol.toUpperCase());
  }

  /** A spot asset by REST key, altname or v2 id. */
  spotAsset(name: string): SpotAssetDef | undefined {
    return this.assets.find((a) => a.restKey === name || a.altname === name || a.wsId === name);
  }
}

// ---- wire shapes -------------------------------------------------------------------------------------------------

/** One `AssetPairs` result entry (`info=info`). */
export function assetPairsEntry(pair: SpotPairDef): Record<string, unknown> {
  return {
    altname: pair.altname,
    wsname: pair.wsname,
    aclass_base: 'currency',
    base: pair.base.restKey,
    aclass_quote: 'currency',
    quote: pair.quote.restKey,
    lot: 'unit',
    cost_decimals: pair.costDecimals,
    pair_decimals: pair.priceDecimals,
    lot_decimals: pair.qtyDecimals,
    lot_multiplier: 1,
    leverage_buy: [2, 3, 4, 5],
    leverage_sell: [2, 3, 4, 5],
    fees: pair.feesTaker.map(([v, f]) => [v, f]),
    fees_maker: pair.feesMaker.map(([v, f]) => [v, f]),
    fee_volume_currency: 'ZUSD',
    margin_call: 80,
    margin_stop: 40,
    ordermin: pair.minQty.toString(),
    costmin: pair.costMin.toString(),
    tick_size: pair.tickSize.toString(),
    status: 'online',
    long_position_limit: 250,
    short_position_limit: 200,
  };
}

/** One `Assets` result entry. */
export function assetsEntry(def: SpotAssetDef): Record<string, unknown> {
  return {
    aclass: 'currency',
    altname: def.altname,
    decimals: def.decimals,
    display_decimals: def.displayDecimals,
    collateral_value: 1,
    status: 'enabled',
  };
}

/** A WS v2 `instrument` channel asset. */
export function wsInstrumentAsset(def: SpotAssetDef): Record<string, unknown> {
  return {
    id: def.wsId,
    status: 'enabled',
    precision: def.decimals,
    precision_display: def.displayDecimals,
    borrowable: true,
    collateral_value: 1.0,
    margin_rate: def.marginRate,
  };
}

/** A WS v2 `instrument` channel pair (numbers as JSON numbers, as Kraken sends them). */
export function wsInstrumentPair(pair: SpotPairDef): Record<string, unknown> {
  return {
    symbol: pair.symbol,
    base: pair.base.wsId,
    quote: pair.quote.wsId,
    status: 'online',
    qty_precision: pair.qtyDecimals,
    qty_increment: pair.qtyStep.toNumber(),
    qty_min: pair.minQty.toNumber(),
    price_precision: pair.priceDecimals,
    price_increment: pair.tickSize.toNumber(),
    tick_size: pair.tickSize.toNumber(),
    cost_precision: pair.costDecimals,
    cost_min: pair.costMin.toNumber(),
    marginable: true,
    has_index: true,
    margin_initial: 0.2,
    position_limit_long: 250,
    position_limit_short: 200,
  };
}

/** One row of futures `GET /derivatives/api/v3/instruments`. */
export function futuresInstrumentRow(def: FuturesContractDef): Record<string, unknown> {
  const inverse = def.type === 'futures_inverse';
  const tier = (threshold: number, im: Decimal, mm: Decimal) =>
    inverse
      ? { contracts: threshold, initialMargin: im.toNumber(), maintenanceMargin: mm.toNumber() }
      : { numNonContractUnits: threshold, initialMargin: im.toNumber(), maintenanceMargin: mm.toNumber() };
  return {
    symbol: def.symbol,
    pair: def.pair,
    base: def.base,
    quote: def.quote,
    type: def.type,
    ...(def.underlyingIndex ? { underlying: def.underlyingIndex } : {}),
    ...(def.lastTradingTime !== undefined ? { lastTradingTime: new Date(def.lastTradingTime).toISOString() } : {}),
    tickSize: def.tickSize.toNumber(),
    contractSize: def.contractSize.toNumber(),
    tradeable: true,
    impactMidSize: 1,
    maxPositionSize: def.maxPositionSize,
    openingDate: '2022-01-01T00:00:00.000Z',
    marginLevels: [
      tier(0, def.initialMargin, def.maintenanceMargin),
      tier(500000, def.initialMargin.mul(2), def.maintenanceMargin.mul(2)),
    ],
    fundingRateCoefficient: 8,
    maxRelativeFundingRate: 0.001,
    contractValueTradePrecision: def.contractValueTradePrecision,
    postOnly: false,
    category: inverse ? '' : 'Layer 1',
    tags: [],
    tradfi: false,
    mtf: inverse,
    isExpired: false,
  };
}
