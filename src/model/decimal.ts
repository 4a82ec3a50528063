import Decimal from 'decimal.js';
import type { DecimalLike } from './orders';

/** Converts a user-supplied amount to a `Decimal`; numbers go through their shortest string form. */
export function toDecimal(value: DecimalLike): Decimal {
  if (Decimal.isDecimal(value)) return value as Decimal;
  return new Decimal(typeof value === 'number' ? String(value) : value);
}

export { Decimal };
