/**
 * The published shape of the package: the `exports` map, the `typesVersions` fallback that lets TypeScript's
 * `node10` resolution (the default with `module: commonjs`) find the subpath types, and `"sideEffects": false`
 * being true of the entry points (no timer, socket or environment read at import).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>;
  typesVersions: Record<string, Record<string, string[]>>;
  main: string;
  types: string;
  sideEffects: boolean;
};

/** `./dist/operators/index.js` → `src/operators/index.ts`. */
function sourceOf(distPath: string): string {
  return join(
    root,
    distPath
      .replace(/^\.\//, '')
      .replace(/^dist\//, 'src/')
      .replace(/\.(d\.ts|js)$/, '.ts'),
  );
}

const entries = Object.entries(pkg.exports).filter(([subpath]) => subpath !== './package.json') as [
  string,
  { types: string; default: string },
][];

describe('package.json', () => {
  it('exports ., ./operators and ./sim, each built from a source barrel', () => {
    expect(entries.map(([subpath]) => subpath)).toEqual(['.', './operators', './sim']);
    for (const [, target] of entries) {
      expect(target.types.replace(/\.d\.ts$/, '')).toBe(target.default.replace(/\.js$/, ''));
      expect(existsSync(sourceOf(target.default))).toBe(true);
    }
    const [, main] = entries[0];
    expect(`./${pkg.main}`).toBe(main.default);
    expect(`./${pkg.types}`).toBe(main.types);
  });

  it('maps every subpath export in typesVersions to the same declarations (node10 resolution)', () => {
    const mapped = pkg.typesVersions['*'];
    for (const [subpath, target] of entries.filter(([s]) => s !== '.')) {
      expect(mapped[subpath.slice(2)]).toEqual([target.types.replace(/^\.\//, '')]);
    }
    expect(Object.keys(mapped).sort()).toEqual(['operators', 'sim']);
  });

  it('declares sideEffects false, and importing the entry points starts nothing and reads no environment', () => {
    expect(pkg.sideEffects).toBe(false);
    const realEnv = process.env;
    const reads = new Set<string>();
    const resourcesBefore = process.getActiveResourcesInfo().length;
    process.env = new Proxy(realEnv, {
      get(target, key) {
        if (typeof key === 'string') reads.add(key);
        return target[key as string];
      },
    });
    try {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        for (const [, target] of entries) require(sourceOf(target.default));
      });
    } finally {
      process.env = realEnv;
    }
    // `ws` itself reads WS_NO_BUFFER_UTIL when loaded; the module loader reads NODE_V8_COVERAGE.
    const ours = [...reads].filter(
      (k) => !['WS_NO_BUFFER_UTIL', 'NODE_V8_COVERAGE'].includes(k) && !/^JEST|^TS_/.test(k),
    );
    expect(reads.has('WS_NO_BUFFER_UTIL')).toBe(true); // the probe works: it saw ws read its variable
    expect(ours).toEqual([]);
    expect(process.getActiveResourcesInfo().length).toBe(resourcesBefore);
  });
});

describe('public entry points', () => {
  it('kraken-rx/operators carries the operators and Kraken rate-limit presets of DESIGN.md §3.4', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const operators = require('../src/operators') as Record<string, unknown>;
    for (const name of [
      'bufferBars',
      'aggregateBars',
      'orderBook',
      'TokenBucket',
      'rateLimit',
      'retryBackoff',
      'paginate',
    ]) {
      expect(typeof operators[name]).toBe('function');
    }
    const spot = (operators.spotRestCounter as (tier: string) => { capacity: number; refillPerSecond: number })(
      'starter',
    );
    expect([spot.capacity, spot.refillPerSecond]).toEqual([15, 0.33]);
    const futures = (operators.futuresDerivativesBudget as () => { capacity: number })();
    expect(futures.capacity).toBe(500);
  });
});
