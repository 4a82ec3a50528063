/**
 * Account models. Spot: cash balances per asset (WS v2 asset ids: `BTC`, `USD`), with holds derived from open
 * orders by the engine. Futures: Kraken's account families — the `cash` holding wallet, one single-collateral
 * margin account per inverse underlying (`fi_xbtusd`, in the base coin), and the multi-collateral `flex` account
 * (linear `PF_` contracts, USD) — plus one netted position per contract.
 */
import Decimal from 'decimal.js';
import type { FuturesContractDef } from './instruments';

const ZERO = new Decimal(0);

export interface LedgerEntry {
  readonly id: string;
  /** What caused it: the fill id for trades. */
  readonly refId: string;
  readonly time: number;
  readonly type: 'trade' | 'deposit' | 'adjustment';
  readonly asset: string;
  /** Signed change, fee not included. */
  readonly amount: Decimal;
  readonly fee: Decimal;
  /** Balance after the change. */
  readonly balance: Decimal;
}

export class SpotAccount {
  readonly venue = 'spot' as const;
  private readonly balances = new Map<string, Decimal>();
  readonly ledger: LedgerEntry[] = [];

  constructor(
    readonly id: string,
    initial: Readonly<Record<string, Decimal.Value>> = {},
  ) {
    for (const [asset, amount] of Object.entries(initial)) this.balances.set(asset, new Decimal(amount));
  }

  balance(asset: string): Decimal {
    return this.balances.get(asset) ?? ZERO;
  }

  /** Every asset the account has ever held, with its balance. */
  all(): ReadonlyMap<string, Decimal> {
    return this.balances;
  }

  /** Applies a signed change and records the ledger entry. */
  apply(entry: Omit<LedgerEntry, 'balance'>): LedgerEntry {
    const balance = this.balance(entry.asset).add(entry.amount).sub(entry.fee);
    this.balances.set(entry.asset, balance);
    const full = { ...entry, balance };
    this.ledger.push(full);
    return full;
  }
}

export interface FuturesPosition {
  readonly symbol: string;
  /** Signed: positive long, negative short. Contracts (inverse, 1 USD each) or base units (linear). */
  size: Decimal;
  /** Average entry price. */
  price: Decimal;
  fillTime: number;
  realizedPnl: Decimal;
  unrealizedFunding: Decimal;
}

export interface InverseMarginAccount {
  /** Settlement coin, lower case as Kraken writes it: `xbt`. */
  readonly currency: string;
  balance: Decimal;
}

export class FuturesAccount {
  readonly venue = 'futures' as const;
  /** The holding wallet (`cash`), lower-case currencies. */
  readonly cash = new Map<string, Decimal>();
  /** Inverse single-collateral margin accounts by name (`fi_xbtusd`). */
  readonly marginAccounts = new Map<string, InverseMarginAccount>();
  /** The multi-collateral `flex` wallet, upper-case currencies (`USD`, `XBT`). */
  readonly flex = new Map<string, Decimal>();
  readonly positions = new Map<string, FuturesPosition>();
  readonly ledger: LedgerEntry[] = [];

  constructor(
    readonly id: string,
    initial: {
      cash?: Readonly<Record<string, Decimal.Value>>;
      margin?: Readonly<Record<string, { currency: string; balance: Decimal.Value }>>;
      flex?: Readonly<Record<string, Decimal.Value>>;
    } = {},
  ) {
    for (const [c, v] of Object.entries(initial.cash ?? {})) this.cash.set(c, new Decimal(v));
    for (const [name, m] of Object.entries(initial.margin ?? {})) {
      this.marginAccounts.set(name, { currency: m.currency, balance: new Decimal(m.balance) });
    }
    for (const [c, v] of Object.entries(initial.flex ?? {})) this.flex.set(c, new Decimal(v));
  }

  position(symbol: string): FuturesPosition | undefined {
    const p = this.positions.get(symbol);
    return p && !p.size.isZero() ? p : undefined;
  }

  /** The wallet a contract settles into: its inverse margin account, or the flex USD balance. */
  settle(contract: FuturesContractDef, amount: Decimal): void {
    if (contract.type === 'futures_inverse' && contract.marginAccount) {
      const account = this.marginAccounts.get(contract.marginAccount) ?? {
        currency: contract.settlementCurrency,
        balance: ZERO,
      };
      account.balance = account.balance.add(amount);
      this.marginAccounts.set(contract.marginAccount, account);
    } else {
      this.flex.set('USD', (this.flex.get('USD') ?? ZERO).add(amount));
    }
  }
}

/** Unrealised PnL of a position at `mark`, in the contract's settlement currency. */
export function unrealizedPnl(contract: FuturesContractDef, position: FuturesPosition, mark: Decimal): Decimal {
  if (position.size.isZero() || mark.isZero()) return ZERO;
  if (contract.type === 'futures_inverse') {
    return position.size.mul(new Decimal(1).div(position.price).sub(new Decimal(1).div(mark)));
  }
  return position.size.mul(mark.sub(position.price));
}

/** Notional value of `size` at `price` in the settlement currency (coin for inverse, USD for linear). */
export function notional(contract: FuturesContractDef, size: Decimal, price: Decimal): Decimal {
  if (price.isZero()) return ZERO;
  return contract.type === 'futures_inverse'
    ? size.abs().mul(contract.contractSize).div(price)
    : size.abs().mul(contract.contractSize).mul(price);
}

/**
 * Applies a fill to a position: same-direction fills average the entry (harmonically for inverse contracts),
 * opposite fills realise PnL on the closed part and may flip the position. Returns the realised PnL.
 */
export function applyFillToPosition(
  contract: FuturesContractDef,
  position: FuturesPosition,
  signedQty: Decimal,
  price: Decimal,
  time: number,
): Decimal {
  const size = position.size;
  position.fillTime = time;
  if (size.isZero() || size.isPositive() === signedQty.isPositive()) {
    const newSize = size.add(signedQty);
    if (size.isZero()) position.price = price;
    else if (contract.type === 'futures_inverse') {
      const value = size.abs().div(position.price).add(signedQty.abs().div(price));
      position.price = newSize.abs().div(value);
    } else {
      position.price = size.abs().mul(position.price).add(signedQty.abs().mul(price)).div(newSize.abs());
    }
    position.size = newSize;
    return ZERO;
  }
  const closing = Decimal.min(size.abs(), signedQty.abs());
  const closedSigned = size.isPositive() ? closing : closing.neg();
  const realized = unrealizedPnl(contract, { ...position, size: closedSigned }, price);
  position.realizedPnl = position.realizedPnl.add(realized);
  const newSize = size.add(signedQty);
  if (!newSize.isZero() && newSize.isPositive() !== size.isPositive()) position.price = price;
  position.size = newSize;
  return realized;
}
