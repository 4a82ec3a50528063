/**
 * Account state against the simulator: Spot (CASH) and Futures (MARGIN: cash, inverse and flex wallets) merged
 * into one state without duplicate currencies; leverage preferences reflected in the margins; Spot balances as
 * positions when asked for.
 */
import Decimal from 'decimal.js';
import { firstValueFrom, filter, take, timeout, toArray } from 'rxjs';
import type { AccountBalance, AccountState } from '../../src/model/reports';
import { collect, settle, startHarness, type Harness } from '../execution/harness';

jest.setTimeout(20_000);

const latest = (h: Harness) => firstValueFrom(h.client.accountState$.pipe(take(1), timeout(5_000)));
const total = (state: AccountState, currency: string) =>
  state.balances.find((b) => b.currency === currency)?.total.toFixed();

describe('both product types', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  test('one state, each currency once, Spot and Futures wallets added up', async () => {
    const state = await latest(h);
    expect(state.accountType).toBe('MARGIN');
    expect(state.accountId).toBe(h.client.accountId);
    const currencies = state.balances.map((b) => b.currency);
    expect(new Set(currencies).size).toBe(currencies.length);
    // Spot USD 100000, BTC 2, ETH 25; Futures cash xbt 1, fi_xbtusd 2 xbt, flex USD 100000.
    expect(total(state, 'USD')).toBe('200000');
    expect(total(state, 'BTC')).toBe('5');
    expect(total(state, 'ETH')).toBe('25');
    expect(state.margins.map((m) => m.currency).sort()).toEqual(['BTC', 'USD']);
    for (const b of state.balances) expect(b.free.plus(b.locked).eq(b.total)).toBe(true);
  });

  test('walletStates$: each wallet on its own, each currency once; the merged state is their sum', async () => {
    const merged = await latest(h);
    const wallets = await firstValueFrom(h.client.walletStates$.pipe(take(2), toArray(), timeout(5_000)));
    const spot = wallets.find((w) => w.accountId === 'KRAKEN-SPOT');
    const futures = wallets.find((w) => w.accountId === 'KRAKEN-FUTURES');
    expect([spot?.accountType, futures?.accountType]).toEqual(['CASH', 'MARGIN']);
    for (const wallet of wallets) {
      const currencies = wallet.balances.map((b) => b.currency);
      expect(new Set(currencies).size).toBe(currencies.length);
    }
    // What each product can spend: Spot USD 100000 BTC 2 ETH 25; Futures flex USD 100000, BTC 1 cash + 2 inverse.
    expect([total(spot as AccountState, 'USD'), total(spot as AccountState, 'BTC')]).toEqual(['100000', '2']);
    expect([total(futures as AccountState, 'USD'), total(futures as AccountState, 'BTC')]).toEqual(['100000', '3']);
    expect(spot?.margins).toEqual([]);
    expect(futures?.margins).toEqual(merged.margins);
    for (const b of merged.balances) {
      const parts = wallets.map((w) => w.balances.find((x) => x.currency === b.currency));
      const sum = (pick: (x: AccountBalance) => Decimal) =>
        parts.reduce((acc, x) => (x ? acc.plus(pick(x)) : acc), new Decimal(0)).toFixed();
      expect([b.currency, b.total.toFixed(), b.locked.toFixed()]).toEqual([
        b.currency,
        sum((x) => x.total),
        sum((x) => x.locked),
      ]);
    }
  });

  test('a Spot fill and a resting order show in the merged state', async () => {
    const before = await latest(h);
    const next = firstValueFrom(
      h.client.accountState$.pipe(
        filter((s) => total(s, 'BTC') !== total(before, 'BTC')),
        take(1),
        timeout(5_000),
      ),
    );
    await collect(
      h.client.submitOrder({
        clientOrderId: 'acct-mkt',
        instrumentId: 'BTC/USD.KRAKEN',
        side: 'BUY',
        type: 'MARKET',
        quantity: '0.1',
      }),
    );
    const after = await next;
    expect(new Decimal(total(after, 'BTC') as string).minus(total(before, 'BTC') as string).toFixed()).toBe('0.1');
    // The Spot wallet bought it; the Futures wallets did not move.
    const wallets = await firstValueFrom(h.client.walletStates$.pipe(take(2), toArray(), timeout(5_000)));
    const wallet = (id: string) => wallets.find((w) => w.accountId === id) as AccountState;
    expect(total(wallet('KRAKEN-SPOT'), 'BTC')).toBe('2.1');
    expect(total(wallet('KRAKEN-FUTURES'), 'BTC')).toBe('3');
    const { bid } = h.best('BTC/USD');
    const price = bid.minus(1000);
    await collect(
      h.client.submitOrder({
        clientOrderId: 'acct-rest',
        instrumentId: 'BTC/USD.KRAKEN',
        side: 'BUY',
        type: 'LIMIT',
        quantity: '0.5',
        price: price.toFixed(),
      }),
    );
    await settle(100);
    const held = await latest(h);
    const usd = held.balances.find((b) => b.currency === 'USD');
    expect(usd?.locked.toFixed()).toBe(price.times('0.5').toFixed());
  });

  test('leverage preferences: isolated with a cap, back to cross; margins follow', async () => {
    expect(await collect(h.client.leveragePreferences())).toEqual([[]]);
    const set = await collect(h.client.setLeverage('PF_XBTUSD.KRAKEN', 10));
    expect(set).toEqual([
      { instrumentId: expect.objectContaining({ symbol: 'PF_XBTUSD' }), maxLeverage: new Decimal(10) },
    ]);
    const [prefs] = await collect(h.client.leveragePreferences());
    expect(prefs.map((p) => [p.instrumentId.toString(), p.maxLeverage.toFixed()])).toEqual([
      ['PF_XBTUSD.KRAKEN', '10'],
    ]);
    const isolated = await latest(h);
    expect(isolated.margins.filter((m) => m.instrumentId?.toString() === 'PF_XBTUSD.KRAKEN')).toHaveLength(1);
    const cross = await collect(h.client.setLeverage('PF_XBTUSD.KRAKEN', null));
    expect(cross[0].maxLeverage).toBeNull();
    expect(await collect(h.client.leveragePreferences())).toEqual([[]]);
    const after = await latest(h);
    expect(after.margins.filter((m) => m.instrumentId !== undefined)).toHaveLength(0);
  });

  test('leverage on a Spot instrument or an inverse contract is refused', async () => {
    await expect(collect(h.client.setLeverage('BTC/USD.KRAKEN', 5))).rejects.toThrow(/Futures instruments/);
    await expect(collect(h.client.setLeverage('PI_XBTUSD.KRAKEN', 5))).rejects.toThrow(/invalidArgument/);
  });

  test('account updates reach events$ too', async () => {
    const next = firstValueFrom(
      h.client.events$.pipe(
        filter((e) => !('type' in e)),
        take(1),
        timeout(5_000),
      ),
    );
    await collect(
      h.client.submitOrder({
        clientOrderId: 'acct-mkt-2',
        instrumentId: 'ETH/USD.KRAKEN',
        side: 'SELL',
        type: 'MARKET',
        quantity: '1',
      }),
    );
    const state = (await next) as AccountState;
    expect(state.balances.length).toBeGreaterThan(0);
  });
});

describe('one product type', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('Spot only: CASH', async () => {
    h = await startHarness({ products: ['SPOT'] });
    const state = await latest(h);
    expect(state.accountType).toBe('CASH');
    expect(total(state, 'USD')).toBe('100000');
    expect(state.margins).toEqual([]);
  });

  test('Futures only: MARGIN with flex and inverse accounts', async () => {
    h = await startHarness({ products: ['FUTURES'] });
    const state = await latest(h);
    expect(state.accountType).toBe('MARGIN');
    expect(total(state, 'USD')).toBe('100000');
    expect(total(state, 'BTC')).toBe('3');
  });

  test('Spot balances as LONG positions against spotPositionsQuoteCurrency', async () => {
    h = await startHarness({
      products: ['SPOT'],
      client: { useSpotPositionReports: true, spotPositionsQuoteCurrency: 'USD' },
    });
    const positions = await collect(h.client.positionStatusReports());
    expect(positions.map((p) => [p.instrumentId.toString(), p.positionSide, p.quantity.toFixed()]).sort()).toEqual([
      ['BTC/USD.KRAKEN', 'LONG', '2'],
      ['ETH/USD.KRAKEN', 'LONG', '25'],
    ]);
  });

  test('no Spot positions unless useSpotPositionReports', async () => {
    h = await startHarness({ products: ['SPOT'] });
    expect(await collect(h.client.positionStatusReports())).toEqual([]);
  });
});
