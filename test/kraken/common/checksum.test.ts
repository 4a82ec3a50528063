import fc from 'fast-check';
import {
  checksumLevelText,
  checksumToken,
  crc32,
  crc32Finish,
  crc32Shift,
  crc32Update,
  CRC32_START,
  formatFixed,
  levelCrc,
  levelTextLength,
  spotBookChecksum,
  spotLevel3Checksum,
} from '../../../src/kraken/common/checksum';

type Pair = readonly [number, number];

/** Levels as JSON.parse gives them (doubles, trailing zeros lost), formatted with the pair's precision. */
function formatted(levels: readonly Pair[], pricePrecision: number, sizePrecision: number) {
  return levels.map(([price, size]) => ({
    price: formatFixed(price, pricePrecision),
    size: formatFixed(size, sizePrecision),
  }));
}

// spot-wire.md §7.2, Kraken's published BTC/USD snapshot (price_precision 1, qty_precision 8).
const btcBids: Pair[] = [
  [45283.5, 0.1],
  [45283.4, 1.54582015],
  [45282.1, 0.1],
  [45281.0, 0.1],
  [45280.3, 1.54592586],
  [45279.0, 0.0799],
  [45277.6, 0.03310103],
  [45277.5, 0.3],
  [45277.3, 1.54602737],
  [45276.6, 0.15445238],
];
const btcAsks: Pair[] = [
  [45285.2, 0.001],
  [45286.4, 1.54571953],
  [45286.6, 1.54571109],
  [45289.6, 1.54560911],
  [45290.2, 0.1589066],
  [45291.8, 1.54553491],
  [45294.7, 0.04454749],
  [45296.1, 0.3538],
  [45297.5, 0.09945542],
  [45299.5, 0.18772827],
];
const btcInput =
  '45285210000045286415457195345286615457110945289615456091145290215890660452918154553491452947445474945296135380000' +
  '452975994554245299518772827452835100000004528341545820154528211000000045281010000000452803154592586452790799000045' +
  '277633101034527753000000045277315460273745276615445238';

// spot-wire.md §7.2 worked example 2, MATIC/USD (price_precision 4, qty_precision 8).
const maticBids: Pair[] = [
  [0.5666, 4831.75496356],
  [0.5665, 6658.22734739],
  [0.5664, 18724.91513344],
  [0.5663, 11563.92544914],
  [0.5662, 14006.65365711],
  [0.5661, 17454.85679807],
  [0.566, 18097.1547],
  [0.5659, 33644.89175666],
  [0.5658, 148.3464],
  [0.5657, 606.70854372],
];
const maticAsks: Pair[] = [
  [0.5668, 4410.79769741],
  [0.5669, 4655.40412487],
  [0.567, 49844.89424998],
  [0.5671, 24306.41678],
  [0.5672, 29783.25223475],
  [0.5673, 57234.71239278],
  [0.5674, 45065.04744],
  [0.5675, 5912.76380354],
  [0.5676, 42514.92434778],
  [0.5677, 36304.0847022],
];

describe('crc32', () => {
  it('matches the zlib CRC-32 check value', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
  });

  it('gives the same result when fed in pieces', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(crc32Finish(crc32Update(crc32Update(CRC32_START, a), b))).toBe(crc32(a + b));
      }),
    );
  });

  it('combines by linearity: hashing a + b = shifting the register past b, xor the CRC of b alone', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.string(), fc.string(), (register, a, b) => {
        const afterA = crc32Update(register, a);
        expect(crc32Shift(afterA, b.length) ^ crc32Update(0, b)).toBe(crc32Update(afterA, b));
      }),
    );
  });

  it('reproduces the 281-character BTC/USD checksum input of spot-wire.md §7.2', () => {
    expect(btcInput).toHaveLength(281);
    expect(crc32(btcInput)).toBe(3310070434);
  });
});

describe('checksumToken / checksumLevelText', () => {
  it('removes the decimal point and leading zeros', () => {
    expect(checksumToken('45285.2')).toBe('452852');
    expect(checksumToken('0.00100000')).toBe('100000');
    expect(checksumToken('0.0000')).toBe('');
    expect(checksumToken('120')).toBe('120');
    expect(checksumLevelText('45285.2', '0.00100000')).toBe('452852100000');
    expect(checksumLevelText('0.5657', '1098.39475580')).toBe('5657109839475580');
  });
});

describe('levelCrc / levelTextLength', () => {
  it('hash and measure the level text without building it', () => {
    const digits = fc.stringMatching(/^[0-9]{1,8}$/);
    const decimal = fc
      .tuple(digits, fc.option(digits, { nil: undefined }))
      .map(([integer, fraction]) => (fraction === undefined ? integer : `${integer}.${fraction}`));
    fc.assert(
      fc.property(decimal, decimal, (price, size) => {
        const text = checksumLevelText(price, size);
        expect(levelCrc(price, size)).toBe(crc32Update(0, text));
        expect(levelTextLength(price, size)).toBe(text.length);
      }),
    );
    expect(levelTextLength('0.00100000', '0.0')).toBe(6);
  });
});

describe('spotBookChecksum', () => {
  it('reproduces Kraken’s BTC/USD snapshot checksum 3310070434 from parsed JSON numbers', () => {
    const asks = formatted(btcAsks, 1, 8);
    const bids = formatted(btcBids, 1, 8);
    expect(
      asks.map((l) => checksumLevelText(l.price, l.size)).join('') +
        bids.map((l) => checksumLevelText(l.price, l.size)).join(''),
    ).toBe(btcInput);
    expect(spotBookChecksum(asks, bids)).toBe(3310070434);
  });

  it('reproduces the MATIC/USD snapshot checksum 2439117997 when values are padded to the pair precision', () => {
    expect(spotBookChecksum(formatted(maticAsks, 4, 8), formatted(maticBids, 4, 8))).toBe(2439117997);
  });

  it('gives the documented wrong value 3830085102 when the raw literals are used (negative case)', () => {
    const raw = (levels: Pair[]) => levels.map(([p, s]) => ({ price: String(p), size: String(s) }));
    expect(spotBookChecksum(raw(maticAsks), raw(maticBids))).toBe(3830085102);
  });

  it('reproduces the MATIC/USD update checksum 2114181697 (bid 0.5657 → 1098.3947558)', () => {
    const bids = maticBids.map(([p, s]): Pair => (p === 0.5657 ? [p, 1098.3947558] : [p, s]));
    expect(spotBookChecksum(formatted(maticAsks, 4, 8), formatted(bids, 4, 8))).toBe(2114181697);
  });

  it('only counts the top 10 levels of each side', () => {
    const asks = formatted([...btcAsks, [45300.1, 5]], 1, 8);
    const bids = formatted([...btcBids, [45270.1, 5]], 1, 8);
    expect(spotBookChecksum(asks, bids)).toBe(3310070434);
  });
});

describe('spotLevel3Checksum', () => {
  it('reproduces Kraken’s level3 example 1063832831 (spot-wire.md §7.6)', () => {
    const level = (price: string, ...sizes: string[]) => sizes.map((size) => ({ price, size }));
    const asks = [
      level('44939.5', '4.52308393', '0.00111261', '0.00100000', '0.01000000'),
      level('44950.0', '0.10334926'),
      level('44953.0', '0.00064537'),
      level('44955.0', '0.00250000'),
      level('44959.6', '0.35630000', '0.35630000'),
      level('44960.1', '0.00338072'),
      level('44960.2', '0.88967575'),
      level('44967.0', '3.14392283'),
      level('44978.5', '0.06778960'),
      level('44979.2', '0.35630000'),
    ];
    const bids = [
      level(
        '44939.4',
        '0.88968699',
        '0.45210000',
        '0.10000000',
        '0.14296323',
        '0.25000000',
        '0.10292988',
        '0.33880000',
        '1.28140860',
      ),
      level('44937.1', '0.03346877'),
      level('44934.7', '0.35630000'),
      level('44930.2', '0.22734299', '0.01000000', '0.05550000', '0.70000000', '0.15000000'),
      level('44928.0', '0.00105240'),
      level('44919.6', '0.33870000'),
      level('44919.5', '0.07610000'),
      level('44912.0', '0.35630000'),
      level('44909.7', '0.06690000'),
      level('44901.9', '0.00088982'),
    ];
    expect(checksumLevelText('44939.5', '4.52308393')).toBe('449395452308393');
    expect(spotLevel3Checksum(asks, bids)).toBe(1063832831);
  });
});

describe('formatFixed', () => {
  it('keeps trailing zeros and pads to the precision', () => {
    expect(formatFixed(45285.2, 1)).toBe('45285.2');
    expect(formatFixed(45281.0, 1)).toBe('45281.0');
    expect(formatFixed(0.001, 8)).toBe('0.00100000');
    expect(formatFixed(0.566, 4)).toBe('0.5660');
    expect(formatFixed(18097.1547, 8)).toBe('18097.15470000');
    expect(formatFixed(120, 0)).toBe('120');
    expect(formatFixed(0, 2)).toBe('0.00');
  });

  it('handles exponent forms from the wire', () => {
    expect(formatFixed(5.1e-5, 8)).toBe('0.00005100');
    expect(formatFixed(1.5e-7, 8)).toBe('0.00000015');
    expect(formatFixed(1e-8, 8)).toBe('0.00000001');
    expect(formatFixed(2e21, 2)).toBe('2000000000000000000000.00');
  });

  it('rounds values with more decimals than the precision', () => {
    expect(formatFixed(0.123456789, 4)).toBe('0.1235');
  });

  it('rejects non-finite values and bad precisions', () => {
    expect(() => formatFixed(Number.NaN, 2)).toThrow(RangeError);
    expect(() => formatFixed(Number.POSITIVE_INFINITY, 2)).toThrow(RangeError);
    expect(() => formatFixed(1, -1)).toThrow(RangeError);
    expect(() => formatFixed(1, 1.5)).toThrow(RangeError);
  });

  /** The exact decimal text of units / 10^precision, built from integers only. */
  function exactText(units: bigint, precision: number): string {
    const negative = units < 0n;
    const digits = (negative ? -units : units).toString().padStart(precision + 1, '0');
    const cut = digits.length - precision;
    const body = precision === 0 ? digits : `${digits.slice(0, cut)}.${digits.slice(cut)}`;
    return negative ? `-${body}` : body;
  }

  it('gives the exact decimal text of any number written with at most `precision` decimals', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n) + 1n, max: 10n ** 15n - 1n }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 4 }),
        (units, decimals, extra) => {
          // A JSON literal with `decimals` decimals and at most 15 significant digits, formatted with more or
          // exactly as many decimals: the result is the literal, zero-padded (negative zero prints as zero).
          const value = JSON.parse(exactText(units, decimals)) as number;
          const precision = decimals + extra;
          expect(formatFixed(value, precision)).toBe(exactText(units * 10n ** BigInt(extra), precision));
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('equals toFixed whenever the result has at most 15 digits, whatever the value', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -0.999e15, max: 0.999e15, noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: 0, max: 15 }),
        (scaled, precision) => {
          const value = scaled / 10 ** precision;
          expect(formatFixed(value, precision)).toBe(value.toFixed(precision));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('prints the literal, not binary noise, beyond 15 digits', () => {
    expect(formatFixed(79388659.719461, 8)).toBe('79388659.71946100');
    expect((79388659.719461).toFixed(8)).toBe('79388659.71946099');
  });

  it('agrees with the wire’s shortest text for typical prices and sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 0, max: 8 }), (units, precision) => {
        const literal = exactText(BigInt(units), precision);
        expect(formatFixed(Number(literal), precision)).toBe(literal);
      }),
      { numRuns: 5000 },
    );
  });
});
