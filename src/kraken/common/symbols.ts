/**
 * Kraken symbol and currency normalisation: one place for the decision, used by every parser.
 *
 * Spot REST uses legacy asset codes (`XXBT`, `ZUSD`) and pair keys (`XXBTZUSD`); WS v2 uses `BTC/USD`.
 * The model uses ISO-style `BASE/QUOTE` with XBT→BTC and XDG→DOGE. Codes are mapped through an explicit
 * table — never by stripping a leading X or Z (`XTZ` is Tezos, `XRP`, `XLM`, `ZEC` are real tickers).
 * Futures symbols stay native (`PI_XBTUSD`); only their currencies are normalised.
 */
import { InstrumentId, KRAKEN } from '../../model/identifiers';
import type { Instrument } from '../../model/instruments';

/** Kraken legacy / alternative asset codes → the model's currency code. Unknown codes pass through. */
const CURRENCY_CODES: ReadonlyMap<string, string> = new Map([
  // bitcoin and dogecoin keep Kraken-specific tickers in REST and WS v1
  ['XXBT', 'BTC'],
  ['XBT', 'BTC'],
  ['XXDG', 'DOGE'],
  ['XDG', 'DOGE'],
  // legacy fiat (Z-prefixed)
  ['ZUSD', 'USD'],
  ['ZEUR', 'EUR'],
  ['ZGBP', 'GBP'],
  ['ZCAD', 'CAD'],
  ['ZJPY', 'JPY'],
  ['ZAUD', 'AUD'],
  ['ZCHF', 'CHF'],
  ['ZKRW', 'KRW'],
  // legacy crypto (X-prefixed four-letter keys)
  ['XETH', 'ETH'],
  ['XETC', 'ETC'],
  ['XLTC', 'LTC'],
  ['XXRP', 'XRP'],
  ['XXLM', 'XLM'],
  ['XZEC', 'ZEC'],
  ['XXMR', 'XMR'],
  ['XREP', 'REP'],
  ['XMLN', 'MLN'],
  ['XICN', 'ICN'],
  ['XNMC', 'NMC'],
  ['XXVN', 'XVN'],
  ['XDAO', 'DAO'],
]);

/**
 * `XXBT`→`BTC`, `XBT`→`BTC`, `ZUSD`→`USD`, `XDG`→`DOGE`, `XTZ`→`XTZ`. A balance suffix is kept on the
 * normalised code (`XBT.M`→`BTC.M`, `ETH2.S`→`ETH2.S`). Unknown codes are returned unchanged.
 */
export function normalizeCurrency(krakenAsset: string): string {
  const dot = krakenAsset.indexOf('.');
  if (dot > 0) return `${normalizeCurrency(krakenAsset.slice(0, dot))}${krakenAsset.slice(dot)}`;
  return CURRENCY_CODES.get(krakenAsset) ?? krakenAsset;
}

/** Futures writes currencies in either case (`xbt` in `/accounts`, `XBT` elsewhere): upper-case, then map. */
export function normalizeFuturesCurrency(code: string): string {
  return normalizeCurrency(code.toUpperCase());
}

/** The model symbol of a Spot pair from its two asset codes: `spotSymbol('XXBT', 'ZUSD')` → `BTC/USD`. */
export function spotSymbol(base: string, quote: string): string {
  return `${normalizeCurrency(base)}/${normalizeCurrency(quote)}`;
}

/**
 * Model symbol from a Kraken WebSocket symbol, v1 (`XBT/USD`, `XDG/USD`) or v2 (`BTC/USD`, already normal).
 * Returns the input unchanged when it has no `/`.
 */
export function modelSymbolFromKrakenWs(wsSymbol: string): string {
  const slash = wsSymbol.indexOf('/');
  if (slash <= 0) return wsSymbol;
  return spotSymbol(wsSymbol.slice(0, slash), wsSymbol.slice(slash + 1));
}

/**
 * The WS v2 symbol for a model symbol. WS v2 already writes `BTC/USD`; when the instrument is known, its
 * own `wsName` (taken from Kraken) wins, so a pair that Kraken names differently still works.
 */
export function krakenWsSymbol(symbolOrPair: string | { readonly wsName: string }): string {
  return typeof symbolOrPair === 'string' ? modelSymbolFromKrakenWs(symbolOrPair) : symbolOrPair.wsName;
}

const FUTURES_QUOTES = ['USDT', 'USDC', 'USD', 'EUR', 'GBP', 'XBT', 'BTC', 'ETH'] as const;

export interface FuturesSymbolParts {
  /** `PI`, `PF`, `FI`, `FF`, `FV`, `OF`, ... (upper case). */
  readonly prefix: string;
  /** Kraken's base and quote codes as written in the symbol (`XBT`, `usd`), not normalised. */
  readonly base: string;
  readonly quote: string;
  /** `YYMMDD` of a dated contract. */
  readonly maturity?: string;
}

/**
 * Splits a Futures symbol: `PI_XBTUSD` → `{prefix: 'PI', base: 'XBT', quote: 'USD'}`,
 * `FI_XBTUSD_230929` → `{..., maturity: '230929'}`. `undefined` for index rows (`in_xbtusd`) or
 * anything not shaped `XX_BASEQUOTE[_YYMMDD]`.
 */
export function futuresSymbolParts(symbol: string): FuturesSymbolParts | undefined {
  const m = /^([A-Za-z]{2})_([A-Za-z0-9]+?)(?:_(\d{6}))?(?:_.*)?$/.exec(symbol);
  if (m === null) return undefined;
  const prefix = m[1].toUpperCase();
  if (prefix === 'IN' || prefix === 'RR') return undefined;
  const pair = m[2];
  const upper = pair.toUpperCase();
  const quote = FUTURES_QUOTES.find((q) => upper.endsWith(q) && upper.length > q.length);
  if (quote === undefined) return undefined;
  const base = pair.slice(0, pair.length - quote.length);
  return { prefix, base, quote: pair.slice(base.length), ...(m[3] !== undefined ? { maturity: m[3] } : {}) };
}

/** The model id of a Futures symbol in any case: `pi_ethusd` → `PI_ETHUSD.KRAKEN`. */
export function futuresInstrumentId(symbol: string): InstrumentId {
  return InstrumentId.of(symbol.toUpperCase(), KRAKEN);
}

/** Normalised base/quote currencies of a Futures contract, preferring Kraken's own `base`/`quote` fields. */
export function futuresCurrencies(
  symbol: string,
  wire?: { readonly base?: string; readonly quote?: string; readonly pair?: string },
): { base: string; quote: string } | undefined {
  let base = wire?.base;
  let quote = wire?.quote;
  if ((base === undefined || quote === undefined) && wire?.pair !== undefined) {
    const [b, q] = wire.pair.split(/[:/]/);
    base ??= b;
    quote ??= q;
  }
  if (base === undefined || quote === undefined) {
    const parts = futuresSymbolParts(symbol);
    if (parts === undefined) return undefined;
    base ??= parts.base;
    quote ??= parts.quote;
  }
  return { base: normalizeFuturesCurrency(base), quote: normalizeFuturesCurrency(quote) };
}

function lookupKeys(instrument: Instrument): string[] {
  const keys = [instrument.id.symbol, instrument.id.toString(), instrument.rawSymbol, ...instrument.aliases];
  if (instrument.kind === 'CurrencyPair') keys.push(instrument.wsName, instrument.altName);
  return keys;
}

/** Futures symbols are case-insensitive on Kraken's side (`pi_ethusd` comes back in order events). */
function lookupKey(name: string): string {
  return name.toUpperCase();
}

/**
 * Builds a finder over instruments that answers to any name Kraken uses for them: the model symbol
 * (`BTC/USD`), the instrument id string, the Spot pair key (`XXBTZUSD`), altname (`XBTUSD`), v1 wsname
 * (`XBT/USD`) or v2 symbol, or a Futures symbol in any case (`pi_xbtusd`). Reports use it to map what
 * Kraken sends back to an instrument.
 */
export function instrumentFinder<I extends Instrument>(instruments: Iterable<I>): (name: string) => I | undefined {
  const index = new Map<string, I>();
  for (const instrument of instruments) {
    for (const key of lookupKeys(instrument)) {
      const k = lookupKey(key);
      if (!index.has(k)) index.set(k, instrument);
    }
  }
  return (name) => index.get(lookupKey(name)) ?? index.get(lookupKey(modelSymbolFromKrakenWs(name)));
}

/** One-off lookup by pair key, altname, wsname, v2 symbol or model symbol (see `instrumentFinder`). */
export function findInstrument<I extends Instrument>(instruments: Iterable<I>, name: string): I | undefined {
  const wanted = lookupKey(name);
  const normalised = lookupKey(modelSymbolFromKrakenWs(name));
  for (const instrument of instruments) {
    for (const key of lookupKeys(instrument)) {
      const k = lookupKey(key);
      if (k === wanted || k === normalised) return instrument;
    }
  }
  return undefined;
}
