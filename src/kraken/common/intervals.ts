/**
 * Which bar intervals Kraken serves, and how a `BarSpecification` maps to each venue's wire value:
 * Spot OHLC `interval` in minutes (REST `OHLC` and WS v2 `ohlc`, spot-wire.md §2.6/§7.4) and Futures charts
 * `resolution` (futures-wire.md §7).
 *
 * A specification is matched by its duration, so `60-MINUTE` and `1-HOUR` (or `7-DAY` and `1-WEEK`) map to the
 * same Kraken interval. Anything else throws a `KrakenConfigError` that lists what is supported.
 */
import { KrakenConfigError } from '../../errors';
import type { BarAggregation, BarSpecification, PriceType } from '../../model/identifiers';
import { barSpecification } from '../../model/identifiers';

const MINUTES: Record<BarAggregation, number> = { MINUTE: 1, HOUR: 60, DAY: 1440, WEEK: 10080 };

/** Spot OHLC intervals in minutes: 1, 5, 15, 30 MINUTE; 1, 4 HOUR; 1 DAY; 1 WEEK; 15 DAY. */
export const SPOT_OHLC_INTERVALS: readonly number[] = Object.freeze([1, 5, 15, 30, 60, 240, 1440, 10080, 21600]);

/** Futures charts resolutions (futures-wire.md §7). */
export const FUTURES_CHART_RESOLUTIONS = Object.freeze([
  '1m',
  '5m',
  '15m',
  '30m',
  '1h',
  '4h',
  '12h',
  '1d',
  '1w',
] as const);
export type FuturesChartResolution = (typeof FUTURES_CHART_RESOLUTIONS)[number];

const RESOLUTION_MINUTES: Readonly<Record<FuturesChartResolution, number>> = {
  '1m': 1,
  '5m': 5,
  '15m': 15,
  '30m': 30,
  '1h': 60,
  '4h': 240,
  '12h': 720,
  '1d': 1440,
  '1w': 10080,
};

/** Futures charts tick types: `trade` (last), `mark`, and `spot` (the index price; there is no `index`). */
export type FuturesChartTickType = 'trade' | 'mark' | 'spot';

/** The bar duration in minutes, or `undefined` when the step is not a positive integer. */
function specMinutes(spec: BarSpecification): number | undefined {
  const unit = MINUTES[spec.aggregation];
  if (unit === undefined || !Number.isInteger(spec.step) || spec.step <= 0) return undefined;
  return spec.step * unit;
}

/** The canonical `step-AGGREGATION` text for a duration in minutes: 60 → `1-HOUR`, 21600 → `15-DAY`. */
export function describeMinutes(minutes: number): string {
  if (minutes % 10080 === 0) return `${minutes / 10080}-WEEK`;
  if (minutes % 1440 === 0) return `${minutes / 1440}-DAY`;
  if (minutes % 60 === 0) return `${minutes / 60}-HOUR`;
  return `${minutes}-MINUTE`;
}

function describeSpec(spec: BarSpecification): string {
  return `${String(spec.step)}-${String(spec.aggregation)}`;
}

/**
 * The Spot OHLC `interval` (minutes) for a bar specification.
 * @throws KrakenConfigError (option `barType`) listing the supported intervals; also for a price type other
 *   than LAST (Spot OHLC is trade-based)
 */
export function spotOhlcIntervalMinutes(spec: BarSpecification): number {
  if (spec.priceType !== undefined && spec.priceType !== 'LAST') {
    throw new KrakenConfigError(
      'barType',
      `Kraken Spot OHLC bars are built from trades; price type ${String(spec.priceType)} is not served (use LAST)`,
    );
  }
  const minutes = specMinutes(spec);
  if (minutes !== undefined && SPOT_OHLC_INTERVALS.includes(minutes)) return minutes;
  throw new KrakenConfigError(
    'barType',
    `Kraken Spot OHLC has no ${describeSpec(spec)} bars; supported: ${SPOT_OHLC_INTERVALS.map(describeMinutes).join(', ')}`,
  );
}

/**
 * The Futures charts `resolution` for a bar specification (`1-HOUR` → `'1h'`).
 * @throws KrakenConfigError (option `barType`) listing the supported resolutions
 */
export function futuresChartResolution(spec: BarSpecification): FuturesChartResolution {
  const minutes = specMinutes(spec);
  const found = FUTURES_CHART_RESOLUTIONS.find((resolution) => RESOLUTION_MINUTES[resolution] === minutes);
  if (found !== undefined) return found;
  throw new KrakenConfigError(
    'barType',
    `Kraken Futures charts have no ${describeSpec(spec)} bars; supported: ` +
      FUTURES_CHART_RESOLUTIONS.map((r) => `${describeMinutes(RESOLUTION_MINUTES[r])} (${r})`).join(', '),
  );
}

/** Length of one candle of a Futures resolution in seconds (for paging: next `from` = last time + this). */
export function futuresChartResolutionSeconds(resolution: FuturesChartResolution): number {
  const minutes = RESOLUTION_MINUTES[resolution];
  if (minutes === undefined) {
    throw new KrakenConfigError(
      'resolution',
      `must be one of ${FUTURES_CHART_RESOLUTIONS.join(', ')}, got '${String(resolution)}'`,
    );
  }
  return minutes * 60;
}

/** The canonical bar specification for a Spot OHLC interval seen on the wire (`interval: 60` → `1-HOUR`). */
export function spotIntervalBarSpecification(minutes: number, priceType: PriceType = 'LAST'): BarSpecification {
  if (!SPOT_OHLC_INTERVALS.includes(minutes)) {
    throw new KrakenConfigError('interval', `must be one of ${SPOT_OHLC_INTERVALS.join(', ')} minutes, got ${minutes}`);
  }
  const [step, aggregation] = describeMinutes(minutes).split('-') as [string, BarAggregation];
  return barSpecification(Number(step), aggregation, priceType);
}

/**
 * The Futures charts tick type for a bar's price type: LAST → `trade`, MARK → `mark`, INDEX → `spot`.
 * @throws KrakenConfigError for any other price type
 */
export function futuresChartTickType(priceType: PriceType): FuturesChartTickType {
  switch (priceType) {
    case 'LAST':
      return 'trade';
    case 'MARK':
      return 'mark';
    case 'INDEX':
      return 'spot';
    default:
      throw new KrakenConfigError(
        'barType',
        `Kraken Futures charts have no ${String(priceType)} price bars; supported price types: LAST, MARK, INDEX`,
      );
  }
}
