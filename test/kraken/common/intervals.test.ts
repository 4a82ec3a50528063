import { KrakenConfigError } from '../../../src/errors';
import {
  FUTURES_CHART_RESOLUTIONS,
  SPOT_OHLC_INTERVALS,
  futuresChartResolution,
  futuresChartResolutionSeconds,
  futuresChartTickType,
  spotIntervalBarSpecification,
  spotOhlcIntervalMinutes,
} from '../../../src/kraken/common/intervals';
import type { BarAggregation, PriceType } from '../../../src/model/identifiers';
import { BarType, barSpecification } from '../../../src/model/identifiers';

const spec = (step: number, aggregation: BarAggregation, priceType: PriceType = 'LAST') =>
  barSpecification(step, aggregation, priceType);

function thrownBy(fn: () => unknown): KrakenConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KrakenConfigError);
    return err as KrakenConfigError;
  }
  throw new Error('expected a KrakenConfigError');
}

describe('Spot OHLC intervals (spot-wire.md §2.6, §7.4)', () => {
  it('lists the nine intervals Kraken serves, in minutes', () => {
    expect(SPOT_OHLC_INTERVALS).toEqual([1, 5, 15, 30, 60, 240, 1440, 10080, 21600]);
  });

  it.each([
    [1, 'MINUTE', 1],
    [5, 'MINUTE', 5],
    [15, 'MINUTE', 15],
    [30, 'MINUTE', 30],
    [1, 'HOUR', 60],
    [4, 'HOUR', 240],
    [1, 'DAY', 1440],
    [15, 'DAY', 21600],
    [1, 'WEEK', 10080],
  ] as const)('maps %i-%s to interval %i (DESIGN.md list)', (step, aggregation, minutes) => {
    expect(spotOhlcIntervalMinutes(spec(step, aggregation))).toBe(minutes);
  });

  it('maps equivalent durations to the same interval', () => {
    expect(spotOhlcIntervalMinutes(spec(60, 'MINUTE'))).toBe(60);
    expect(spotOhlcIntervalMinutes(spec(24, 'HOUR'))).toBe(1440);
    expect(spotOhlcIntervalMinutes(spec(7, 'DAY'))).toBe(10080);
  });

  it('maps a parsed BarType', () => {
    expect(spotOhlcIntervalMinutes(BarType.from('BTC/USD.KRAKEN-4-HOUR-LAST-EXTERNAL').spec)).toBe(240);
  });

  it.each([
    [2, 'MINUTE'],
    [12, 'HOUR'],
    [2, 'WEEK'],
    [0, 'MINUTE'],
    [1.5, 'MINUTE'],
  ] as const)('throws a KrakenConfigError listing the supported values for %s-%s', (step, aggregation) => {
    const error = thrownBy(() => spotOhlcIntervalMinutes(spec(step, aggregation)));
    expect(error.option).toBe('barType');
    expect(error.message).toContain(`${step}-${aggregation}`);
    expect(error.message).toContain(
      'supported: 1-MINUTE, 5-MINUTE, 15-MINUTE, 30-MINUTE, 1-HOUR, 4-HOUR, 1-DAY, 1-WEEK, 15-DAY',
    );
  });

  it('rejects MARK and INDEX price types (Spot OHLC is built from trades)', () => {
    expect(thrownBy(() => spotOhlcIntervalMinutes(spec(1, 'MINUTE', 'MARK'))).message).toContain('LAST');
  });

  it('turns a wire interval back into its canonical specification', () => {
    expect(spotIntervalBarSpecification(60)).toEqual(spec(1, 'HOUR'));
    expect(spotIntervalBarSpecification(21600)).toEqual(spec(15, 'DAY'));
    expect(spotIntervalBarSpecification(10080)).toEqual(spec(1, 'WEEK'));
    expect(spotIntervalBarSpecification(5)).toEqual(spec(5, 'MINUTE'));
    for (const minutes of SPOT_OHLC_INTERVALS) {
      expect(spotOhlcIntervalMinutes(spotIntervalBarSpecification(minutes))).toBe(minutes);
    }
    expect(() => spotIntervalBarSpecification(2)).toThrow(KrakenConfigError);
  });
});

describe('Futures charts resolutions (futures-wire.md §7)', () => {
  it('lists the resolutions Kraken serves', () => {
    expect(FUTURES_CHART_RESOLUTIONS).toEqual(['1m', '5m', '15m', '30m', '1h', '4h', '12h', '1d', '1w']);
  });

  it.each([
    [1, 'MINUTE', '1m'],
    [5, 'MINUTE', '5m'],
    [15, 'MINUTE', '15m'],
    [30, 'MINUTE', '30m'],
    [1, 'HOUR', '1h'],
    [4, 'HOUR', '4h'],
    [12, 'HOUR', '12h'],
    [1, 'DAY', '1d'],
    [1, 'WEEK', '1w'],
    [60, 'MINUTE', '1h'],
  ] as const)('maps %i-%s to %s', (step, aggregation, resolution) => {
    expect(futuresChartResolution(spec(step, aggregation))).toBe(resolution);
  });

  it('throws for 15-DAY (Spot only) and lists the supported resolutions', () => {
    const error = thrownBy(() => futuresChartResolution(spec(15, 'DAY')));
    expect(error.option).toBe('barType');
    expect(error.message).toContain('15-DAY');
    expect(error.message).toContain('12-HOUR (12h)');
    expect(error.message).toContain('1-WEEK (1w)');
  });

  it('gives each resolution length in seconds', () => {
    expect(FUTURES_CHART_RESOLUTIONS.map(futuresChartResolutionSeconds)).toEqual([
      60, 300, 900, 1800, 3600, 14400, 43200, 86400, 604800,
    ]);
    expect(() => futuresChartResolutionSeconds('2m' as never)).toThrow(KrakenConfigError);
  });

  it('maps price types to tick types (INDEX is "spot")', () => {
    expect(futuresChartTickType('LAST')).toBe('trade');
    expect(futuresChartTickType('MARK')).toBe('mark');
    expect(futuresChartTickType('INDEX')).toBe('spot');
    expect(() => futuresChartTickType('BID' as never)).toThrow(KrakenConfigError);
  });
});
