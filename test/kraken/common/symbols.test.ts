import { InstrumentId } from '../../../src/model/identifiers';
import type { CurrencyPair, CryptoPerpetual } from '../../../src/model/instruments';
import { Decimal } from '../../../src/model/decimal';
import {
  findInstrument,
  futuresCurrencies,
  futuresInstrumentId,
  futuresSymbolParts,
  instrumentFinder,
  krakenWsSymbol,
  modelSymbolFromKrakenWs,
  normalizeCurrency,
  normalizeFuturesCurrency,
  spotSymbol,
} from '../../../src/kraken/common/symbols';

describe('normalizeCurrency', () => {
  it.each([
    ['XXBT', 'BTC'],
    ['XBT', 'BTC'],
    ['XXDG', 'DOGE'],
    ['XDG', 'DOGE'],
    ['ZUSD', 'USD'],
    ['ZEUR', 'EUR'],
    ['ZGBP', 'GBP'],
    ['ZCAD', 'CAD'],
    ['ZJPY', 'JPY'],
    ['ZAUD', 'AUD'],
    ['ZCHF', 'CHF'],
    ['XETH', 'ETH'],
    ['XLTC', 'LTC'],
    ['XXRP', 'XRP'],
    ['XXLM', 'XLM'],
    ['XZEC', 'ZEC'],
    ['XXMR', 'XMR'],
    ['XETC', 'ETC'],
    ['XREP', 'REP'],
    ['XMLN', 'MLN'],
  ])('maps the legacy code %s to %s', (code, expected) => {
    expect(normalizeCurrency(code)).toBe(expected);
  });

  it.each(['XTZ', 'XRP', 'XLM', 'ZEC', 'ZRX', 'USDT', 'DOT', 'SOL', 'USDC', 'BTC', 'ETH'])(
    'never strips a leading X or Z: %s stays itself',
    (code) => {
      expect(normalizeCurrency(code)).toBe(code);
    },
  );

  it('passes unknown codes through unchanged', () => {
    expect(normalizeCurrency('NEWCOIN')).toBe('NEWCOIN');
    expect(normalizeCurrency('constructor')).toBe('constructor');
  });

  it('keeps balance suffixes on the normalised code', () => {
    expect(normalizeCurrency('XBT.M')).toBe('BTC.M');
    expect(normalizeCurrency('USD.M')).toBe('USD.M');
    expect(normalizeCurrency('ETH2.S')).toBe('ETH2.S');
    expect(normalizeCurrency('XXBT.F')).toBe('BTC.F');
  });

  it('normalises futures currencies in either case', () => {
    expect(normalizeFuturesCurrency('xbt')).toBe('BTC');
    expect(normalizeFuturesCurrency('usd')).toBe('USD');
    expect(normalizeFuturesCurrency('xrp')).toBe('XRP');
  });
});

describe('spot symbols', () => {
  it('builds the model symbol from asset ids, both legs normalised', () => {
    expect(spotSymbol('XXBT', 'ZUSD')).toBe('BTC/USD');
    expect(spotSymbol('XETH', 'XXBT')).toBe('ETH/BTC');
    expect(spotSymbol('XTZ', 'ZEUR')).toBe('XTZ/EUR');
    expect(spotSymbol('XXDG', 'ZUSD')).toBe('DOGE/USD');
  });

  it('maps WS v1 names to model symbols and leaves v2 symbols alone', () => {
    expect(modelSymbolFromKrakenWs('XBT/USD')).toBe('BTC/USD');
    expect(modelSymbolFromKrakenWs('ETH/XBT')).toBe('ETH/BTC');
    expect(modelSymbolFromKrakenWs('XDG/USD')).toBe('DOGE/USD');
    expect(modelSymbolFromKrakenWs('BTC/USD')).toBe('BTC/USD');
    expect(modelSymbolFromKrakenWs('XTZ/USD')).toBe('XTZ/USD');
  });

  it('gives the WS v2 symbol of a model symbol or of a pair', () => {
    expect(krakenWsSymbol('BTC/USD')).toBe('BTC/USD');
    expect(krakenWsSymbol({ wsName: 'MATIC/GBP' })).toBe('MATIC/GBP');
  });
});

describe('futures symbols', () => {
  it('splits perpetual, dated and linear symbols', () => {
    expect(futuresSymbolParts('PI_XBTUSD')).toEqual({ prefix: 'PI', base: 'XBT', quote: 'USD' });
    expect(futuresSymbolParts('FI_XBTUSD_230929')).toEqual({
      prefix: 'FI',
      base: 'XBT',
      quote: 'USD',
      maturity: '230929',
    });
    expect(futuresSymbolParts('pf_ethusd')).toEqual({ prefix: 'PF', base: 'eth', quote: 'usd' });
    expect(futuresSymbolParts('PF_AAPLxUSD')).toEqual({ prefix: 'PF', base: 'AAPLx', quote: 'USD' });
    expect(futuresSymbolParts('in_xbtusd')).toBeUndefined();
    expect(futuresSymbolParts('rr_xbtusd')).toBeUndefined();
  });

  it('normalises the currencies, preferring the instrument fields', () => {
    expect(futuresCurrencies('PI_XBTUSD', { base: 'XBT', quote: 'USD' })).toEqual({ base: 'BTC', quote: 'USD' });
    expect(futuresCurrencies('PF_ETHUSD', { pair: 'ETH:USD' })).toEqual({ base: 'ETH', quote: 'USD' });
    expect(futuresCurrencies('FF_XBTUSD_251128')).toEqual({ base: 'BTC', quote: 'USD' });
  });

  it('keeps the native symbol, upper-cased, in the instrument id', () => {
    expect(futuresInstrumentId('pi_ethusd').toString()).toBe('PI_ETHUSD.KRAKEN');
  });
});

describe('instrument lookup', () => {
  const d = (v: string) => new Decimal(v);
  const btcUsd = {
    kind: 'CurrencyPair',
    id: InstrumentId.from('BTC/USD.KRAKEN'),
    rawSymbol: 'XXBTZUSD',
    aliases: ['XXBTZUSD', 'XBTUSD', 'XBT/USD'],
    wsName: 'BTC/USD',
    altName: 'XBTUSD',
  } as unknown as CurrencyPair;
  const perp = {
    kind: 'CryptoPerpetual',
    id: InstrumentId.from('PI_XBTUSD.KRAKEN'),
    rawSymbol: 'PI_XBTUSD',
    aliases: ['PI_XBTUSD'],
    contractSize: d('1'),
  } as unknown as CryptoPerpetual;

  it.each(['XXBTZUSD', 'XBTUSD', 'XBT/USD', 'BTC/USD', 'BTC/USD.KRAKEN'])('finds the spot pair by %s', (name) => {
    expect(instrumentFinder([btcUsd, perp])(name)).toBe(btcUsd);
    expect(findInstrument([btcUsd, perp], name)).toBe(btcUsd);
  });

  it('finds futures symbols whatever their case', () => {
    expect(instrumentFinder([btcUsd, perp])('pi_xbtusd')).toBe(perp);
    expect(findInstrument([btcUsd, perp], 'pi_xbtusd')).toBe(perp);
  });

  it('answers undefined for an unknown name', () => {
    expect(instrumentFinder([btcUsd])('ETHUSD')).toBeUndefined();
    expect(findInstrument([btcUsd], 'ETHUSD')).toBeUndefined();
  });
});
