/** The venue name used in every Kraken `InstrumentId`. */
export const KRAKEN = 'KRAKEN';
export type KRAKEN = typeof KRAKEN;

export const KrakenEnvironment = {
  MAINNET: 'mainnet',
  DEMO: 'demo',
} as const;
export type KrakenEnvironment = (typeof KrakenEnvironment)[keyof typeof KrakenEnvironment];

export const KrakenProductType = {
  SPOT: 'SPOT',
  FUTURES: 'FUTURES',
} as const;
export type KrakenProductType = (typeof KrakenProductType)[keyof typeof KrakenProductType];

/** Thrown when an identifier string cannot be parsed; says what was expected. */
export class IdentifierParseError extends Error {
  override readonly name = 'IdentifierParseError';
}

/**
 * `SYMBOL.VENUE`, e.g. `BTC/USD.KRAKEN` or `PF_XBTUSD.KRAKEN`. Immutable; compare with `equals` or by
 * `toString()`.
 */
export class InstrumentId {
  private constructor(
    readonly symbol: string,
    readonly venue: string,
  ) {}

  static from(value: InstrumentIdLike): InstrumentId {
    if (value instanceof InstrumentId) return value;
    if (typeof value !== 'string') {
      throw new IdentifierParseError(`InstrumentId: expected a string like 'BTC/USD.KRAKEN', got ${typeof value}`);
    }
    const dot = value.lastIndexOf('.');
    if (dot <= 0 || dot === value.length - 1) {
      throw new IdentifierParseError(
        `InstrumentId: expected 'SYMBOL.VENUE' (e.g. 'BTC/USD.KRAKEN' or 'PF_XBTUSD.KRAKEN'), got '${value}'`,
      );
    }
    return new InstrumentId(value.slice(0, dot), value.slice(dot + 1));
  }

  static of(symbol: string, venue: string = KRAKEN): InstrumentId {
    if (!symbol || !venue) {
      throw new IdentifierParseError(`InstrumentId: symbol and venue must be non-empty, got '${symbol}.${venue}'`);
    }
    return new InstrumentId(symbol, venue);
  }

  equals(other: InstrumentIdLike): boolean {
    return this.toString() === (typeof other === 'string' ? other : other.toString());
  }

  toString(): string {
    return `${this.symbol}.${this.venue}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Every method that takes an instrument accepts an `InstrumentId` or its string form. */
export type InstrumentIdLike = InstrumentId | string;

export const BarAggregation = {
  MINUTE: 'MINUTE',
  HOUR: 'HOUR',
  DAY: 'DAY',
  WEEK: 'WEEK',
} as const;
export type BarAggregation = (typeof BarAggregation)[keyof typeof BarAggregation];

export const PriceType = { LAST: 'LAST', MARK: 'MARK', INDEX: 'INDEX' } as const;
export type PriceType = (typeof PriceType)[keyof typeof PriceType];

export const AggregationSource = { EXTERNAL: 'EXTERNAL', INTERNAL: 'INTERNAL' } as const;
export type AggregationSource = (typeof AggregationSource)[keyof typeof AggregationSource];

const AGGREGATION_MS: Record<BarAggregation, number> = {
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: 86_400_000,
  WEEK: 604_800_000,
};

/** The time part of a bar type: `1-MINUTE-LAST`. */
export interface BarSpecification {
  readonly step: number;
  readonly aggregation: BarAggregation;
  readonly priceType: PriceType;
}

export function barSpecification(step: number, aggregation: BarAggregation, priceType: PriceType = 'LAST') {
  return { step, aggregation, priceType } as BarSpecification;
}

/** Length of one bar of this specification in milliseconds. */
export function barIntervalMs(spec: BarSpecification): number {
  return spec.step * AGGREGATION_MS[spec.aggregation];
}

/**
 * `INSTRUMENT-STEP-AGGREGATION-PRICETYPE-SOURCE`, e.g. `BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL`.
 * Whether Kraken serves a given step is a Kraken question, answered in `kraken/common/intervals`.
 */
export class BarType {
  private constructor(
    readonly instrumentId: InstrumentId,
    readonly spec: BarSpecification,
    readonly source: AggregationSource,
  ) {}

  static from(value: BarTypeLike): BarType {
    if (value instanceof BarType) return value;
    const expected =
      `BarType: expected 'INSTRUMENT-STEP-AGGREGATION-PRICETYPE-SOURCE' like 'BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL'` +
      ` (aggregation ${Object.keys(BarAggregation).join('|')}, price type ${Object.keys(PriceType).join('|')},` +
      ` source ${Object.keys(AggregationSource).join('|')})`;
    if (typeof value !== 'string') throw new IdentifierParseError(`${expected}, got ${typeof value}`);
    const parts = value.split('-');
    if (parts.length < 5) throw new IdentifierParseError(`${expected}, got '${value}'`);
    const [stepText, aggregation, priceType, source] = parts.slice(-4);
    const instrument = parts.slice(0, -4).join('-');
    // Digits only: Number() would also take '1e1', '0x10' or ' 1'.
    const step = /^[0-9]+$/.test(stepText) ? Number(stepText) : NaN;
    if (!Number.isSafeInteger(step) || step <= 0) {
      throw new IdentifierParseError(`${expected}; step must be a positive integer, got '${stepText}' in '${value}'`);
    }
    if (!Object.hasOwn(BarAggregation, aggregation)) {
      throw new IdentifierParseError(`${expected}; unknown aggregation '${aggregation}' in '${value}'`);
    }
    if (!Object.hasOwn(PriceType, priceType)) {
      throw new IdentifierParseError(`${expected}; unknown price type '${priceType}' in '${value}'`);
    }
    if (!Object.hasOwn(AggregationSource, source)) {
      throw new IdentifierParseError(`${expected}; unknown source '${source}' in '${value}'`);
    }
    return new BarType(
      InstrumentId.from(instrument),
      barSpecification(step, aggregation as BarAggregation, priceType as PriceType),
      source as AggregationSource,
    );
  }

  static of(instrumentId: InstrumentIdLike, spec: BarSpecification, source: AggregationSource): BarType {
    return new BarType(InstrumentId.from(instrumentId), spec, source);
  }

  get intervalMs(): number {
    return barIntervalMs(this.spec);
  }

  equals(other: BarTypeLike): boolean {
    return this.toString() === other.toString();
  }

  toString(): string {
    const { step, aggregation, priceType } = this.spec;
    return `${this.instrumentId.toString()}-${step}-${aggregation}-${priceType}-${this.source}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

export type BarTypeLike = BarType | string;
