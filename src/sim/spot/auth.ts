/**
 * Spot authentication as Kraken checks it: `API-Key` known, `API-Sign` recomputed over the exact body, nonce
 * strictly increasing per key; the per-key REST call counter; WebSocket tokens.
 */
import { timingSafeEqual } from 'node:crypto';
import { spotSign } from '../../kraken/common/signing';
import type { SimContext } from '../context';
import { DecayingCounter, SPOT_REST_TIERS } from '../engine/rateCounter';
import type { SimHttpRequest } from '../server';

/** Private calls that cost 2 on the REST counter (ledger / trade history). */
const HISTORY_CALLS = new Set(['TradesHistory', 'QueryTrades', 'Ledgers', 'QueryLedgers']);
/** Order-mutating calls: counted by the trading engine, not the REST counter. */
const TRADING_CALLS = new Set([
  'AddOrder',
  'AddOrderBatch',
  'AmendOrder',
  'EditOrder',
  'CancelOrder',
  'CancelAll',
  'CancelAllOrdersAfter',
  'CancelOrderBatch',
]);

export function restCallCost(method: string): number {
  if (TRADING_CALLS.has(method)) return 0;
  return HISTORY_CALLS.has(method) ? 2 : 1;
}

export interface WsToken {
  readonly token: string;
  readonly accountId: string;
  readonly issuedAt: number;
}

export const TOKEN_LIFETIME_MS = 15 * 60_000;

export class SpotAuth {
  private readonly lastNonce = new Map<string, bigint>();
  private readonly counters = new Map<string, DecayingCounter>();
  private readonly tokens = new Map<string, WsToken>();

  constructor(private readonly ctx: SimContext) {}

  /**
   * Checks a private request. `nonce` is the body's nonce as text (undefined if absent). Returns the engine account
   * id, or Kraken's error string.
   */
  verify(
    request: SimHttpRequest,
    method: string,
    nonce: string | undefined,
  ): { accountId: string } | { error: string } {
    const { spot } = this.ctx.credentials;
    const key = header(request, 'api-key');
    if (!key || key !== spot.apiKey) return { error: 'EAPI:Invalid key' };
    const sign = header(request, 'api-sign');
    if (!sign || nonce === undefined || !/^\d{1,20}$/.test(nonce)) {
      return {
        error: nonce === undefined || !/^\d+$/.test(nonce ?? '') ? 'EAPI:Invalid nonce' : 'EAPI:Invalid signature',
      };
    }
    const expected = spotSign(request.path, nonce, request.rawBody, spot.apiSecret);
    if (!sameText(expected, sign)) return { error: 'EAPI:Invalid signature' };
    const value = BigInt(nonce);
    const last = this.lastNonce.get(key);
    if (last !== undefined && value <= last) return { error: 'EAPI:Invalid nonce' };
    this.lastNonce.set(key, value);
    const counter = this.counter(key);
    const cost = restCallCost(method);
    if (!counter.tryAdd(cost)) {
      // "Continuing to call while limited extends the penalty" (spot-wire.md §1.4): a refused call still counts.
      counter.add(cost);
      return { error: 'EAPI:Rate limit exceeded' };
    }
    return { accountId: spot.accountId };
  }

  /** The current value of a key's REST counter (tests). */
  counter(key: string): DecayingCounter {
    let counter = this.counters.get(key);
    if (!counter) {
      const tier = SPOT_REST_TIERS[this.ctx.tier];
      counter = new DecayingCounter(this.ctx.clock, tier.max, tier.decay);
      this.counters.set(key, counter);
    }
    return counter;
  }

  issueToken(accountId: string): WsToken {
    const token: WsToken = { token: this.ctx.engine.ids.token(43), accountId, issuedAt: this.ctx.clock.now() };
    this.tokens.set(token.token, token);
    return token;
  }

  /** A token is good within 15 minutes of issue, or forever on a connection that already used it. */
  checkToken(token: unknown, usedOnConnection: ReadonlySet<string>): WsToken | undefined {
    if (typeof token !== 'string') return undefined;
    const found = this.tokens.get(token);
    if (!found) return undefined;
    if (usedOnConnection.has(token)) return found;
    return this.ctx.clock.now() - found.issuedAt <= TOKEN_LIFETIME_MS ? found : undefined;
  }
}

function header(request: SimHttpRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
