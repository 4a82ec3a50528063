import { KRAKEN } from '../../model/identifiers';

const FUTURES_SYMBOL = /^(PI|PF|FI|FF|FV|OF|OI)_/i;

/** True for a Kraken Futures symbol (`PF_XBTUSD`, `FI_XBTUSD_230929`). */
export function isFuturesSymbol(symbol: string): boolean {
  return FUTURES_SYMBOL.test(symbol);
}

/** `BTC/USD` → `BTC/USD.KRAKEN`; an id with a venue is kept. */
export function withVenue(text: string): string {
  return text.includes('.') ? text : `${text}.${KRAKEN}`;
}
