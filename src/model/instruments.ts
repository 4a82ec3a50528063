import type Decimal from 'decimal.js';
import type { InstrumentId, KrakenProductType } from './identifiers';

interface InstrumentBase {
  readonly id: InstrumentId;
  /** Kraken's own key for the instrument: `XXBTZUSD` (spot REST pair key) or `PF_XBTUSD` (futures). */
  readonly rawSymbol: string;
  readonly productType: KrakenProductType;
  readonly base: string;
  readonly quote: string;
  readonly settlement: string;
  readonly isInverse: boolean;
  readonly priceIncrement: Decimal;
  readonly sizeIncrement: Decimal;
  readonly pricePrecision: number;
  readonly sizePrecision: number;
  readonly minQuantity?: Decimal;
  readonly minNotional?: Decimal;
  readonly makerFee: Decimal;
  readonly takerFee: Decimal;
  /** Kraken's alternative names for this instrument (altname, wsname, pair key), for matching reports. */
  readonly aliases: readonly string[];
  readonly tsEvent: number;
  readonly tsInit: number;
}

/** A Kraken Spot pair. `id.symbol` is `BASE/QUOTE` with XBT→BTC and XDG→DOGE applied. */
export interface CurrencyPair extends InstrumentBase {
  readonly kind: 'CurrencyPair';
  /** Kraken's WebSocket v2 symbol, e.g. `BTC/USD`. */
  readonly wsName: string;
  readonly altName: string;
}

/** A perpetual future: `PI_` (inverse) or `PF_` (linear, multi-collateral). */
export interface CryptoPerpetual extends InstrumentBase {
  readonly kind: 'CryptoPerpetual';
  readonly contractSize: Decimal;
  readonly maxLeverage?: Decimal;
}

/** A dated future: `FI_` (inverse) or `FF_` (linear), expiring at `expiry` (epoch ms). */
export interface CryptoFuture extends InstrumentBase {
  readonly kind: 'CryptoFuture';
  readonly contractSize: Decimal;
  readonly expiry: number;
  readonly maxLeverage?: Decimal;
}

export type Instrument = CurrencyPair | CryptoPerpetual | CryptoFuture;
export type FuturesInstrument = CryptoPerpetual | CryptoFuture;

export function isFuturesInstrument(instrument: Instrument): instrument is FuturesInstrument {
  return instrument.kind !== 'CurrencyPair';
}
