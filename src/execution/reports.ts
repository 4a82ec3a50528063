/**
 * Query options of the reconciliation streams, and the merge of Spot and Futures account states.
 */
import Decimal from 'decimal.js';
import { KrakenConfigError } from '../errors';
import type { InstrumentIdLike } from '../model/identifiers';
import { InstrumentId } from '../model/identifiers';
import type { AccountBalance, AccountState, MarginBalance } from '../model/reports';

/** What the report streams take: an instrument, a time window (epoch ms or `Date`), open orders only. */
export interface ReportQueryOptions {
  readonly instrumentId?: InstrumentIdLike;
  readonly start?: number | Date;
  readonly end?: number | Date;
  /** `orderStatusReports` only: skip closed orders. */
  readonly openOnly?: boolean;
}

/** The options resolved: an `InstrumentId`, epoch-ms bounds. */
export interface ReportQuery {
  readonly instrumentId?: InstrumentId;
  readonly start?: number;
  readonly end?: number;
  readonly openOnly?: boolean;
}

function ms(value: number | Date | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const t = value instanceof Date ? value.getTime() : value;
  if (typeof t !== 'number' || !Number.isFinite(t)) {
    throw new KrakenConfigError(option, `expected epoch milliseconds or a Date, got ${String(value)}`);
  }
  return t;
}

export function reportQuery(options: ReportQueryOptions = {}): ReportQuery {
  const start = ms(options.start, 'start');
  const end = ms(options.end, 'end');
  if (start !== undefined && end !== undefined && end < start) {
    throw new KrakenConfigError('end', `must not be before start (${start}), got ${end}`);
  }
  return {
    ...(options.instrumentId !== undefined ? { instrumentId: InstrumentId.from(options.instrumentId) } : {}),
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined ? { end } : {}),
    ...(options.openOnly ? { openOnly: true } : {}),
  };
}

const ZERO = new Decimal(0);

/**
 * One account state from the Spot (CASH) and Futures (MARGIN) states — the rule of `accountState$`:
 * - each currency once: `total` and `locked` added up across the wallets that hold it (Spot USD 100 000 and
 *   Futures flex USD 100 000 make USD 200 000), `free = total − locked`. This is what the account owns at Kraken,
 *   a portfolio view; it is not what one product can spend — Kraken keeps the Spot and Futures wallets apart (a
 *   transfer moves funds between them), so size orders from the product's own state (`walletStates$`);
 * - `margins` are the Futures margins as they are (per currency, and per instrument when isolated): Spot has none;
 * - `accountType` MARGIN as soon as a Futures state is part of it, else CASH; `baseCurrency` the first part's that
 *   has one; `reported` only when every part was; `tsEvent` the latest part's.
 */
export function mergeAccountStates(accountId: string, parts: readonly AccountState[], tsInit: number): AccountState {
  const balances = new Map<string, { total: Decimal; locked: Decimal }>();
  const margins: MarginBalance[] = [];
  for (const part of parts) {
    for (const b of part.balances) {
      const previous = balances.get(b.currency) ?? { total: ZERO, locked: ZERO };
      balances.set(b.currency, { total: previous.total.plus(b.total), locked: previous.locked.plus(b.locked) });
    }
    margins.push(...part.margins);
  }
  const merged: AccountBalance[] = [...balances].map(([currency, { total, locked }]) => ({
    currency,
    total,
    locked,
    free: total.minus(locked),
  }));
  const margin = parts.some((p) => p.accountType === 'MARGIN');
  const base = parts.find((p) => p.baseCurrency !== undefined)?.baseCurrency;
  return {
    accountId,
    accountType: margin ? 'MARGIN' : 'CASH',
    ...(base !== undefined ? { baseCurrency: base } : {}),
    balances: merged,
    margins,
    reported: parts.every((p) => p.reported),
    tsEvent: Math.max(0, ...parts.map((p) => p.tsEvent)),
    tsInit,
  };
}
