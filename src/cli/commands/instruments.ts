/** `kraken-rx instruments`: the instruments Kraken (or the simulator) lists. */
import type { Instrument } from '../../model/instruments';
import { COMMON_OPTIONS, noPositionals, parseCommand, positiveInt, UsageError } from '../args';
import type { Command } from '../context';
import { cell, cliLogger, ndjson, num } from '../io';
import { openTarget, productTypesOf } from '../target';

export const INSTRUMENTS_HELP = `Usage: kraken-rx instruments [options]

Lists the instruments (Spot pairs, Futures perpetuals and dated futures) with their precision, minimum size and
fees. Against the embedded KrakenSimulator unless --live.

Options:
  --product <spot|futures|all>  which product types (default all)
  --json                        one JSON object per line (NDJSON), for piping
  --live                        ask Kraken itself (public endpoints; no credentials needed)
  --seed <n>                    simulator seed (default 7)
  -h, --help                    this help

Examples:
  kraken-rx instruments
  kraken-rx instruments --product futures --json | jq -r .id`;

const OPTIONS = { ...COMMON_OPTIONS, product: { type: 'string' } } as const;

function kindOf(instrument: Instrument): string {
  if (instrument.kind === 'CurrencyPair') return 'spot';
  if (instrument.kind === 'CryptoPerpetual') return instrument.isInverse ? 'perpetual (inverse)' : 'perpetual';
  return `future ${new Date(instrument.expiry).toISOString().slice(0, 10)}`;
}

export const instrumentsCommand: Command = async (args, { io }) => {
  const { values, positionals } = parseCommand('instruments', args, OPTIONS);
  if (values.help) {
    io.out(INSTRUMENTS_HELP);
    return 0;
  }
  noPositionals('instruments', positionals);
  const productTypes = productTypesOf(values.product);
  if (productTypes === undefined) {
    throw new UsageError(`--product expects spot, futures or all, got '${values.product}'`, 'instruments');
  }
  const seed = positiveInt('instruments', 'seed', values.seed) ?? 7;
  const logger = cliLogger(io);
  const target = await openTarget({ live: values.live === true, seed, productTypes, logger });
  try {
    const instruments = target.node.instruments();
    if (values.json) {
      for (const instrument of instruments) io.out(ndjson(instrument));
      return 0;
    }
    io.out(`${instruments.length} instruments from ${target.label}`);
    const header = [
      cell('ID', 22),
      cell('KIND', 20),
      cell('RAW SYMBOL', 12),
      cell('TICK', 10),
      cell('SIZE STEP', 10),
      cell('MIN SIZE', 10),
      'MAKER/TAKER',
    ];
    io.out(header.join(' '));
    for (const i of instruments) {
      io.out(
        [
          cell(i.id.toString(), 22),
          cell(kindOf(i), 20),
          cell(i.rawSymbol, 12),
          cell(num(i.priceIncrement), 10),
          cell(num(i.sizeIncrement), 10),
          cell(num(i.minQuantity), 10),
          `${num(i.makerFee)}/${num(i.takerFee)}`,
        ].join(' '),
      );
    }
    return 0;
  } finally {
    await target.close();
  }
};
