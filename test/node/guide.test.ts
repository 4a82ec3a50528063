/**
 * docs/guide.md cannot drift from the code it describes: the order-type, time-in-force, instruction and rate-limit
 * tables are generated from SUPPORT_MATRIX and the rate-limit constants (between `<!-- generated:NAME -->` markers);
 * the configuration tables list every option with the default the code uses.
 *
 * After changing the matrix or a limit: `UPDATE_GUIDE=1 npx jest test/node/guide.test.ts` rewrites the tables.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CREDENTIAL_ENV_VARS,
  DEFAULTS,
  KrakenDataClientConfig,
  type KrakenDataClientOptions,
  KrakenExecClientConfig,
  type KrakenExecClientOptions,
} from '../../src/config/config';
import { SUPPORT_MATRIX, type ProductSupport, type SupportDimension } from '../../src/execution/supportMatrix';
import {
  FUTURES_DERIVATIVES_BUDGET,
  FUTURES_HISTORY_POOL,
  SPOT_REST_HISTORY_METHODS,
  SPOT_REST_TIERS,
  futuresDerivativesCost,
  futuresHistoryCost,
  spotRestCost,
} from '../../src/kraken/common/rateLimits';
import { defaultBaseUrls } from '../../src/kraken/common/urls';
import { TRADING_NODE_DEFAULTS, type TradingNodeConfig } from '../../src/node/TradingNode';
import type { KrakenSimulatorOptions } from '../../src/sim/simulator';

const GUIDE = path.resolve(__dirname, '../../docs/guide.md');

// ----- generated tables ------------------------------------------------------------------------------------------

function support(s: ProductSupport): string {
  if (!s.supported) return `not supported: use ${s.instead}`;
  // `(default)`: no wire value, so no code font.
  const wire = /^\(.*\)$/.test(s.wire) ? s.wire : `\`${s.wire}\``;
  return `${wire}${s.note ? `; ${s.note}` : ''}`;
}

function matrixTable(header: string, dimensions: readonly SupportDimension[], label: (d: string, v: string) => string) {
  const rows = SUPPORT_MATRIX.filter((row) => dimensions.includes(row.dimension)).map(
    (row) => `| ${label(row.dimension, row.value)} | ${support(row.SPOT)} | ${support(row.FUTURES)} |`,
  );
  return [header, '|---|---|---|', ...rows].join('\n');
}

const costs = (names: readonly string[], cost: (name: string) => number): string => {
  const byCost = new Map<number, string[]>();
  for (const name of names) byCost.set(cost(name), [...(byCost.get(cost(name)) ?? []), `\`${name}\``]);
  return [...byCost].map(([n, list]) => `${list.join(', ')} ${n}`).join(', ');
};

function rateLimitTable(): string {
  const tiers = Object.entries(SPOT_REST_TIERS)
    .map(([tier, t]) => `${tier} ${t.maxCounter}, decaying ${t.decayPerSecond}/s`)
    .join('; ');
  const history = SPOT_REST_HISTORY_METHODS.map((m) => `\`${m}\``);
  const historyCost = new Set(SPOT_REST_HISTORY_METHODS.map((m) => spotRestCost(m)));
  expect(historyCost.size).toBe(1);
  const budgetSecs = FUTURES_DERIVATIVES_BUDGET.capacity / FUTURES_DERIVATIVES_BUDGET.refillPerSecond;
  const poolMins = FUTURES_HISTORY_POOL.capacity / FUTURES_HISTORY_POOL.refillPerSecond / 60;
  const rows = [
    `| Spot REST call counter (per key) | \`spotRateLimitTier\`: ${tiers}. Private calls cost ${spotRestCost('Balance')}; ${history.slice(0, -1).join(', ')} and ${history[history.length - 1]} cost ${[...historyCost][0]}; order entry (\`AddOrder\`, \`CancelOrder\`, ...) ${spotRestCost('AddOrder')}, public calls ${spotRestCost('Ticker')} |`,
    `| Flat request rate | \`maxRequestsPerSecond\` (default ${DEFAULTS.maxRequestsPerSecond}) per venue, for every call |`,
    `| Futures \`/derivatives\` budget | ${FUTURES_DERIVATIVES_BUDGET.capacity} per ${budgetSecs} s; ${costs(['sendorder', 'editorder', 'cancelorder', 'cancelallorders'], (e) => futuresDerivativesCost(e))}, \`batchorder\` ${futuresDerivativesCost('batchorder', 0)} + instructions, ${costs(['accounts', 'openpositions', 'openorders', 'fills'], (e) => futuresDerivativesCost(e))} (\`fills\` ${futuresDerivativesCost('fills', { lastFillTime: true })} with \`lastFillTime\`) |`,
    `| Futures \`/api/history\` pool | ${FUTURES_HISTORY_POOL.capacity} per ${poolMins} min; ${costs(['orders', 'triggers', 'executions'], (e) => futuresHistoryCost(e))}; \`account-log\` by \`count\` (${futuresHistoryCost('account-log', 25)} up to 25, ${futuresHistoryCost('account-log', 500)} for Kraken's default 500) |`,
  ];
  return ['| Limit | Model |', '|---|---|', ...rows].join('\n');
}

const GENERATED: Record<string, () => string> = {
  'order-types': () => matrixTable('| `type` | Spot (wire) | Futures (wire) |', ['orderType'], (_d, v) => `\`${v}\``),
  'time-in-force': () =>
    matrixTable('| `timeInForce` | Spot | Futures |', ['timeInForce'], (_d, v) =>
      v === 'GTC' ? '`GTC` (the default)' : `\`${v}\``,
    ),
  instructions: () =>
    matrixTable('| Field | Spot | Futures |', ['postOnly', 'reduceOnly', 'triggerType', 'quoteQuantity'], (d, v) =>
      v === 'true' ? `\`${d}: true\`` : `\`${d}: '${v}'\``,
    ),
  'rate-limits': rateLimitTable,
};

function block(name: string): RegExp {
  return new RegExp(`(<!-- generated:${name} [^\\n]*-->\\n)([\\s\\S]*?)(\\n<!-- /generated:${name} -->)`);
}

describe('docs/guide.md generated tables', () => {
  let guide = fs.readFileSync(GUIDE, 'utf8');
  afterAll(() => {
    if (process.env.UPDATE_GUIDE === '1') fs.writeFileSync(GUIDE, guide);
  });

  it.each(Object.keys(GENERATED))('%s equals the table generated from the code', (name) => {
    const pattern = block(name);
    expect(guide).toMatch(pattern);
    const table = GENERATED[name]();
    if (process.env.UPDATE_GUIDE === '1')
      guide = guide.replace(pattern, (_m, open, _old, close) => open + table + close);
    expect(pattern.exec(guide)?.[2]).toBe(table);
  });
});

// ----- configuration tables --------------------------------------------------------------------------------------

/** The rows of the first table after a heading: each name in backticks in the first column → its row's cells. */
function optionTable(heading: string, after?: string): Map<string, { label: string; value: string }> {
  const text = fs.readFileSync(GUIDE, 'utf8');
  let at = text.indexOf(`\n${heading}\n`);
  expect(at).toBeGreaterThan(0);
  if (after !== undefined) at = text.indexOf(after, at);
  const lines = text.slice(at).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows = new Map<string, { label: string; value: string }>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [label, value] = line.split('|').slice(1, 3);
    for (const m of label.matchAll(/`(\w+)`/g)) rows.set(m[1], { label: label.trim(), value: value.trim() });
  }
  return rows;
}

function literal(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  return typeof value === 'string' ? `'${value}'` : String(value);
}

/** Every client option, checked by the compiler: a new option fails `npm run typecheck` here until it is listed. */
const CLIENT_OPTIONS: Record<keyof KrakenDataClientOptions | keyof KrakenExecClientOptions, 'data' | 'exec' | 'both'> =
  {
    apiKey: 'both',
    apiSecret: 'both',
    futuresApiKey: 'both',
    futuresApiSecret: 'both',
    environment: 'both',
    productTypes: 'both',
    baseUrlHttpSpot: 'both',
    baseUrlHttpFutures: 'both',
    baseUrlWsSpot: 'both',
    baseUrlWsSpotAuth: 'both',
    baseUrlWsFutures: 'both',
    httpProxyUrl: 'both',
    wsProxyUrl: 'both',
    maxRetries: 'both',
    retryDelayInitialMs: 'both',
    retryDelayMaxMs: 'both',
    httpTimeoutSecs: 'both',
    wsHeartbeatSecs: 'both',
    maxRequestsPerSecond: 'both',
    spotRateLimitTier: 'both',
    fetch: 'both',
    WebSocket: 'both',
    scheduler: 'both',
    logger: 'both',
    updateInstrumentsIntervalMins: 'data',
    useSpotPositionReports: 'exec',
    spotPositionsQuoteCurrency: 'exec',
  };

const NODE_OPTIONS: Record<keyof TradingNodeConfig, true> = {
  traderId: true,
  dataClients: true,
  execClients: true,
  reconciliation: true,
  reconciliationLookbackMins: true,
  checkTradingPermission: true,
  logger: true,
};

const SIM_OPTIONS: Record<keyof KrakenSimulatorOptions, true> = {
  seed: true,
  port: true,
  host: true,
  clock: true,
  startTime: true,
  tier: true,
  tickMs: true,
  tradesPerMinute: true,
  bookLevels: true,
  historyMinutes: true,
  volatility: true,
  initialPrices: true,
  instruments: true,
  spotBalances: true,
  futuresBalances: true,
  credentials: true,
  heartbeatMs: true,
  replay: true,
  layers: true,
};

describe('docs/guide.md configuration tables', () => {
  it('list every client option, each one the client configs accept, with the default the code uses', () => {
    const rows = optionTable('## 9. Configuration');
    expect([...rows.keys()].sort()).toEqual(Object.keys(CLIENT_OPTIONS).sort());
    for (const [name, kind] of Object.entries(CLIENT_OPTIONS)) {
      // Known to the config class(es) it belongs to (an unknown option throws).
      if (kind !== 'exec') expect(() => new KrakenDataClientConfig({ [name]: undefined }, {})).not.toThrow();
      if (kind !== 'data') expect(() => new KrakenExecClientConfig({ [name]: undefined }, {})).not.toThrow();
      if (kind !== 'both') expect(rows.get(name)?.label).toContain(`(${kind})`);
    }
    for (const [name, value] of Object.entries(DEFAULTS))
      expect([name, rows.get(name)?.value]).toEqual([name, `\`${literal(value)}\``]);
    const urls = defaultBaseUrls('mainnet');
    expect(rows.get('baseUrlHttpSpot')?.value).toBe(`\`${urls.httpSpot}\``);
    expect(rows.get('baseUrlHttpFutures')?.value).toBe(`\`${urls.httpFutures}\``);
    expect(rows.get('baseUrlWsSpot')?.value).toBe(`\`${urls.wsSpot}\``);
    expect(rows.get('baseUrlWsSpotAuth')?.value).toBe(`\`${urls.wsSpotAuth}\``);
    expect(rows.get('baseUrlWsFutures')?.value).toBe(`\`${urls.wsFutures}\``);
  });

  it('list every TradingNode option with its default', () => {
    const rows = optionTable('## 2. TradingNode', '`TradingNodeConfig` options');
    expect([...rows.keys()].sort()).toEqual(Object.keys(NODE_OPTIONS).sort());
    for (const [name, value] of Object.entries(TRADING_NODE_DEFAULTS)) {
      expect([name, rows.get(name)?.value]).toEqual([name, `\`${literal(value)}\``]);
    }
  });

  it('list every simulator start option', () => {
    const rows = optionTable('## 11. The simulator', '| Start option |');
    expect([...rows.keys()].sort()).toEqual(Object.keys(SIM_OPTIONS).sort());
  });

  it('name the credential environment variables the config reads', () => {
    const text = fs.readFileSync(GUIDE, 'utf8');
    for (const { key, secret } of Object.values(CREDENTIAL_ENV_VARS)) {
      expect(text).toContain(`| \`${key}\`, \`${secret}\` |`);
    }
  });
});
