import { BarType, IdentifierParseError, InstrumentId, barIntervalMs, toDecimal } from '../../src/model';

describe('InstrumentId', () => {
  it('parses SYMBOL.VENUE and prints it back', () => {
    const id = InstrumentId.from('BTC/USD.KRAKEN');
    expect(id.symbol).toBe('BTC/USD');
    expect(id.venue).toBe('KRAKEN');
    expect(id.toString()).toBe('BTC/USD.KRAKEN');
    expect(JSON.stringify({ id })).toBe('{"id":"BTC/USD.KRAKEN"}');
  });

  it('keeps futures symbols native', () => {
    expect(InstrumentId.from('FI_XBTUSD_230929.KRAKEN').symbol).toBe('FI_XBTUSD_230929');
  });

  it('accepts an InstrumentId and compares by value', () => {
    const id = InstrumentId.from('PF_XBTUSD.KRAKEN');
    expect(InstrumentId.from(id)).toBe(id);
    expect(id.equals('PF_XBTUSD.KRAKEN')).toBe(true);
    expect(id.equals(InstrumentId.of('PF_ETHUSD'))).toBe(false);
  });

  it.each(['BTC/USD', 'BTC/USD.', '.KRAKEN', ''])('rejects %p saying what was expected', (text) => {
    expect(() => InstrumentId.from(text)).toThrow(IdentifierParseError);
    expect(() => InstrumentId.from(text)).toThrow(/expected 'SYMBOL.VENUE'/);
  });
});

describe('BarType', () => {
  it('parses a spot bar type', () => {
    const bar = BarType.from('BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL');
    expect(bar.instrumentId.toString()).toBe('BTC/USD.KRAKEN');
    expect(bar.spec).toEqual({ step: 1, aggregation: 'MINUTE', priceType: 'LAST' });
    expect(bar.source).toBe('EXTERNAL');
    expect(bar.intervalMs).toBe(60_000);
    expect(bar.toString()).toBe('BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL');
  });

  it('parses futures and INTERNAL bar types and computes interval lengths', () => {
    const bar = BarType.from('PF_XBTUSD.KRAKEN-4-HOUR-MARK-INTERNAL');
    expect(bar.spec.priceType).toBe('MARK');
    expect(bar.source).toBe('INTERNAL');
    expect(bar.intervalMs).toBe(4 * 3_600_000);
    expect(barIntervalMs({ step: 1, aggregation: 'WEEK', priceType: 'LAST' })).toBe(604_800_000);
  });

  it.each([
    ['BTC/USD.KRAKEN-1-MINUTE-LAST', /expected 'INSTRUMENT-STEP-AGGREGATION-PRICETYPE-SOURCE'/],
    ['BTC/USD.KRAKEN-0-MINUTE-LAST-EXTERNAL', /step must be a positive integer, got '0'/],
    ['BTC/USD.KRAKEN-1-SECONDS-LAST-EXTERNAL', /unknown aggregation 'SECONDS'/],
    ['BTC/USD.KRAKEN-1-MINUTE-MID-EXTERNAL', /unknown price type 'MID'/],
    ['BTC/USD.KRAKEN-1-MINUTE-LAST-VENUE', /unknown source 'VENUE'/],
    // names inherited from Object.prototype are not aggregations, price types or sources
    ['BTC/USD.KRAKEN-1-toString-LAST-EXTERNAL', /unknown aggregation 'toString'/],
    ['BTC/USD.KRAKEN-1-MINUTE-constructor-EXTERNAL', /unknown price type 'constructor'/],
    ['BTC/USD.KRAKEN-1-MINUTE-LAST-hasOwnProperty', /unknown source 'hasOwnProperty'/],
    ['BTC/USD.KRAKEN-1e1-MINUTE-LAST-EXTERNAL', /step must be a positive integer, got '1e1'/],
    ['BTC/USD.KRAKEN-0x5-MINUTE-LAST-EXTERNAL', /step must be a positive integer, got '0x5'/],
  ])('rejects %p', (text, message) => {
    expect(() => BarType.from(text)).toThrow(message);
  });
});

describe('toDecimal', () => {
  it('converts numbers through their shortest text and keeps Decimals', () => {
    expect(toDecimal(0.1).toString()).toBe('0.1');
    expect(toDecimal('50000.50').toFixed(2)).toBe('50000.50');
    const d = toDecimal('1.5');
    expect(toDecimal(d)).toBe(d);
  });
});
