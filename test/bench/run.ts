/**
 * kraken-rx benchmarks: `npm run bench` (= `node --expose-gc -r ts-node/register/transpile-only test/bench/run.ts`).
 *
 * On the same generated Kraken Spot WS v2 frames (text, seeded, correct checksums; see frames.ts), measures
 *  (a) book updates/s through the full client pipeline with checksums, depth 10 and 100,
 *  (b) trades/s, (c) OHLC frames/s through bufferBars, (d) bare JSON.parse of the same frames (the floor),
 *  (e) heap after 1,000,000 book updates and after 10,000 subscribe/unsubscribe cycles,
 *  (f) a book capture replayed over a loopback WebSocket through KrakenDataClient.book(): frames/s and
 *      frame-sent → book-emitted latency.
 * Prints the tables and writes them into docs/performance.md (between the `bench:results` markers).
 *
 * Options: `--quick` (a tenth of the frames, 3 repetitions), `--reps N`, `--no-write`.
 * Not part of `npm test`.
 */
import { execSync } from 'child_process';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { cpus, loadavg, release, totalmem } from 'os';
import { join } from 'path';
import { asyncScheduler } from 'rxjs';
import type { KrakenDataClient } from '../../src/data/KrakenDataClient';
import { spotBookMessages } from '../../src/data/spotFeeds';
import type { Bar, OrderBook, TradeTick } from '../../src/model/data';
import { InstrumentId } from '../../src/model/identifiers';
import {
  BTC_USD,
  generateBookFrames,
  generateOhlcFrames,
  generateTradeFrames,
  type BookFrames,
  type OhlcCursor,
  type TradeCursor,
} from './frames';
import { InMemoryClient } from './inMemoryClient';
import { replayBook, subscribeCycles, type ReplayResult } from './loopback';
import {
  describeBook,
  parseAll,
  runBookPipeline,
  runOhlcPipeline,
  runTradePipeline,
  sessionDeliveries,
  type PipelineCounts,
} from './pipelines';
import { fmtInt, fmtMb, fullGc, heapUsedAfterGc, median, paired, seconds, type PairedSamples } from './timing';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const scale = quick ? 0.1 : 1;
const repsAt = args.indexOf('--reps');
const REPS = repsAt >= 0 ? Number(args[repsAt + 1]) : quick ? 3 : 5;
const WRITE = !args.includes('--no-write');

const BOOK_UPDATES = Math.round(200_000 * scale);
const TRADE_FRAMES = Math.round(200_000 * scale);
const OHLC_FRAMES = Math.round(100_000 * scale);
const HEAP_BOOK_UPDATES = 1_000_000;
const CYCLES = 10_000;
const CAPTURE_FRAMES = Math.round(50_000 * scale);

// ---------------------------------------------------------------------------------------------------------
// Results

interface Row {
  readonly label: string;
  readonly frames: number;
  /** Items per frame set (updates, trades, frames). */
  readonly items: number;
  readonly unit: string;
  readonly samples: PairedSamples;
  readonly target?: { readonly text: string; readonly met: boolean };
  /** Empty when the output was checked and right. */
  readonly problem?: string;
}

const rows: Row[] = [];
const notes: string[] = [];
let failed = false;

const perSecond = (row: Row) => row.items / median(row.samples.pipeline);
const nsPerFrame = (s: number[], frames: number) => (median(s) / frames) * 1e9;
/** Per pass, pipeline time over the JSON.parse time measured next to it. */
const passRatios = (row: Row) => row.samples.pipeline.map((t, i) => t / row.samples.floor[i]);
/** The median of the per-pass ratios (robust to the machine's speed drifting between passes). */
const ratio = (row: Row) => median(passRatios(row));
const ratioRange = (row: Row) => {
  const ratios = passRatios(row);
  return `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
};

function check(label: string, ok: boolean, detail: string): string | undefined {
  if (ok) return undefined;
  failed = true;
  console.error(`CHECK FAILED: ${label}: ${detail}`);
  return detail;
}

function addRow(row: Row): void {
  rows.push(row);
  const target = row.target ? `  target ${row.target.text}: ${row.target.met ? 'met' : 'MISSED'}` : '';
  console.log(
    `  ${row.label.padEnd(52)} ${fmtInt(perSecond(row)).padStart(11)} ${row.unit}/s  ` +
      `${nsPerFrame(row.samples.pipeline, row.frames).toFixed(0).padStart(6)} ns/frame  ` +
      `${ratio(row).toFixed(2)}× JSON.parse (${ratioRange(row)})${target}${row.problem ? `  [${row.problem}]` : ''}`,
  );
}

function sameBook(book: OrderBook | undefined, frames: BookFrames): boolean {
  if (book === undefined) return false;
  const shown = describeBook(book, frames.pair);
  return (
    JSON.stringify(shown.bids) === JSON.stringify(frames.finalBids) &&
    JSON.stringify(shown.asks) === JSON.stringify(frames.finalAsks)
  );
}

const problemOf = (problem: string | undefined) => (problem ? { problem } : {});
const describeFailure = (failure: unknown) =>
  failure === undefined ? '' : `; failed: ${failure instanceof Error ? failure.message : String(failure)}`;
const stageFailed = (err: unknown) => {
  failed = true;
  console.error('CHECK FAILED: a stage pipeline failed:', err);
};

const counts = (): PipelineCounts => ({ emitted: 0, resyncs: 0, decodeErrors: 0 });

// ---------------------------------------------------------------------------------------------------------
// (a) books

/** One frame set a client pass handles: the frames, the items they carry, what the subscriber should receive. */
interface PassFrames {
  readonly frames: readonly string[];
  readonly items: number;
  readonly expected: number;
}

/**
 * A `KrakenDataClient` stream in steady state: one client, subscribed once, handed `framesFor(pass)` pass after pass
 * (1 warm-up + REPS timed), each timed pass paired with JSON.parse of the same frames.
 */
async function clientRow<T>(
  label: string,
  unit: string,
  open: () => Promise<InMemoryClient<T>>,
  framesFor: (pass: number) => PassFrames,
  verify: (harness: InMemoryClient<T>, emitted: number, set: PassFrames) => string | undefined,
  target?: (row: Row) => Row['target'],
): Promise<void> {
  const harness = await open();
  let problem: string | undefined;
  const samples: PairedSamples = { pipeline: [], floor: [] };
  let frames = 0;
  let items = 0;
  for (let pass = 0; pass < 1 + REPS; pass++) {
    const set = framesFor(pass);
    fullGc();
    const floorSeconds = seconds(() => parseAll(set.frames));
    const before = harness.emitted;
    fullGc();
    const pipelineSeconds = seconds(() => harness.push(set.frames));
    problem ??= verify(harness, harness.emitted - before, set);
    if (pass === 0) continue;
    samples.floor.push(floorSeconds);
    samples.pipeline.push(pipelineSeconds);
    frames = set.frames.length;
    items = set.items;
  }
  await harness.close();
  const row: Row = { label, frames, items, unit, samples, ...(problem ? { problem } : {}) };
  addRow({ ...row, ...(target ? { target: target(row) } : {}) });
}

const openBook = (depth: number) => () =>
  InMemoryClient.open<OrderBook>(
    (client: KrakenDataClient) => client.book('BTC/USD.KRAKEN', { depth }),
    'book:BTC/USD',
  );

async function benchBooks(depth: number, seed: number): Promise<void> {
  const book = generateBookFrames({ depth, updates: BOOK_UPDATES, seed });
  const frames = book.frames;
  console.log(
    `\n(a) book, depth ${depth}: snapshot + ${fmtInt(BOOK_UPDATES)} updates (${book.levelsPerUpdate.toFixed(2)} levels each)`,
  );
  const floor = paired(
    () => parseAll(frames),
    () => parseAll(frames),
    REPS,
  );
  addRow({
    label: `(d) JSON.parse of the book frames, depth ${depth}`,
    frames: frames.length,
    items: frames.length,
    unit: 'frames',
    samples: { pipeline: floor.floor, floor: floor.floor },
  });

  await clientRow(
    `KrakenDataClient.book() depth ${depth}, checksums on`,
    'updates',
    openBook(depth),
    () => ({ frames, items: frames.length, expected: frames.length }),
    (harness, emitted) =>
      check(
        `book ${depth}`,
        emitted === frames.length && harness.errors === 0 && sameBook(harness.last, book),
        `${emitted} books for ${frames.length} frames, ${harness.errors} errors, final book ${sameBook(harness.last, book) ? 'right' : 'WRONG'}`,
      ),
    depth === 10
      ? (row) => ({
          text: '≤ 3× JSON.parse and ≥ 100,000/s',
          met: ratio(row) <= 3 && perSecond(row) >= 100_000,
        })
      : undefined,
  );

  // The same work without the client (session, envelope check, shared feed), stage by stage.
  const instrument = {
    id: BTC_USD_ID,
    pricePrecision: book.pair.pricePrecision,
    sizePrecision: book.pair.sizePrecision,
  };
  const context = { scheduler: asyncScheduler, reportDecodeError: () => undefined };
  if (depth === 10) {
    let sink = 0;
    addRow({
      label: '  stage: JSON.parse + envelope check + route',
      frames: frames.length,
      items: frames.length,
      unit: 'frames',
      samples: paired(
        () => parseAll(frames),
        () => sessionDeliveries(frames).subscribe({ next: () => sink++, error: stageFailed }),
        REPS,
      ),
    });
    addRow({
      label: '  stage: ... + decode (SpotWsBookMessage → BookMessage)',
      frames: frames.length,
      items: frames.length,
      unit: 'frames',
      samples: paired(
        () => parseAll(frames),
        () =>
          sessionDeliveries(frames)
            .pipe(spotBookMessages(instrument, context))
            .subscribe({ next: () => sink++, error: stageFailed }),
        REPS,
      ),
    });
  }
  let lastCounts = counts();
  let last: OrderBook | undefined;
  const samples = paired(
    () => parseAll(frames),
    () => {
      lastCounts = counts();
      last = runBookPipeline(book, lastCounts);
    },
    REPS,
  );
  addRow({
    label: `  stage: ... + orderBook(${depth}, checksum) → subscriber`,
    frames: frames.length,
    items: frames.length,
    unit: 'updates',
    samples,
    ...problemOf(
      check(
        `composed book ${depth}`,
        lastCounts.emitted === frames.length && lastCounts.resyncs === 0 && !lastCounts.failure && sameBook(last, book),
        `${lastCounts.emitted} books, ${lastCounts.resyncs} resyncs, ${lastCounts.decodeErrors} decode errors${describeFailure(lastCounts.failure)}`,
      ),
    ),
  });
}

const BTC_USD_ID = InstrumentId.of(BTC_USD.wsSymbol);

// ---------------------------------------------------------------------------------------------------------
// (b) trades, (c) OHLC

async function benchTrades(): Promise<void> {
  const { frames, trades } = generateTradeFrames(TRADE_FRAMES, 7);
  console.log(`\n(b) trades: ${fmtInt(frames.length)} frames, ${fmtInt(trades)} trades`);
  const floor = paired(
    () => parseAll(frames),
    () => parseAll(frames),
    REPS,
  );
  addRow({
    label: '(d) JSON.parse of the trade frames',
    frames: frames.length,
    items: frames.length,
    unit: 'frames',
    samples: { pipeline: floor.floor, floor: floor.floor },
  });
  // Each pass continues the trade numbering of the previous one (a repeated trade_id would be dropped).
  let cursor: TradeCursor | undefined;
  await clientRow(
    'KrakenDataClient.trades()',
    'trades',
    () => InMemoryClient.open<TradeTick>((client) => client.trades('BTC/USD.KRAKEN'), 'trade:BTC/USD'),
    (pass) => {
      const set = generateTradeFrames(TRADE_FRAMES, 70 + pass, cursor);
      cursor = set.end;
      return { frames: set.frames, items: set.trades, expected: set.trades };
    },
    (harness, emitted, set) =>
      check(
        'trades',
        emitted === set.expected && harness.errors === 0,
        `${emitted} of ${set.expected} trades, ${harness.errors} errors`,
      ),
    (row) => ({ text: '≥ 300,000 trades/s', met: perSecond(row) >= 300_000 }),
  );
  let c = counts();
  const samples = paired(
    () => parseAll(frames),
    () => {
      c = counts();
      runTradePipeline(frames, BTC_USD, c);
    },
    REPS,
  );
  addRow({
    label: '  stage: parse + route + decode + sequencer',
    frames: frames.length,
    items: trades,
    unit: 'trades',
    samples,
    ...problemOf(
      check(
        'composed trades',
        c.emitted === trades && !c.failure,
        `${c.emitted} of ${trades}${describeFailure(c.failure)}`,
      ),
    ),
  });
}

async function benchOhlc(): Promise<void> {
  const { frames, finalBars } = generateOhlcFrames(OHLC_FRAMES, 9);
  console.log(`\n(c) OHLC: ${fmtInt(frames.length)} frames (1 snapshot), ${fmtInt(finalBars)} final bars`);
  const floor = paired(
    () => parseAll(frames),
    () => parseAll(frames),
    REPS,
  );
  addRow({
    label: '(d) JSON.parse of the OHLC frames',
    frames: frames.length,
    items: frames.length,
    unit: 'frames',
    samples: { pipeline: floor.floor, floor: floor.floor },
  });
  // Each pass continues the candles of the previous one (an older candle would be dropped by bufferBars).
  let cursor: OhlcCursor | undefined;
  await clientRow(
    'KrakenDataClient.bars(1-MINUTE-LAST-EXTERNAL)',
    'frames',
    () => InMemoryClient.open<Bar>((client) => client.bars('BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL'), 'ohlc:BTC/USD'),
    (pass) => {
      const set = generateOhlcFrames(OHLC_FRAMES, 90 + pass, cursor);
      cursor = set.end;
      return { frames: set.frames, items: set.frames.length, expected: set.finalBars };
    },
    (harness, emitted, set) =>
      check('bars', emitted === set.expected && harness.errors === 0, `${emitted} of ${set.expected} bars`),
  );
  let c = counts();
  const samples = paired(
    () => parseAll(frames),
    () => {
      c = counts();
      runOhlcPipeline(frames, BTC_USD, c);
    },
    REPS,
  );
  addRow({
    label: '  stage: parse + route + decode + bufferBars',
    frames: frames.length,
    items: frames.length,
    unit: 'frames',
    samples,
    ...problemOf(
      check(
        'composed bars',
        c.emitted === finalBars && !c.failure,
        `${c.emitted} of ${finalBars}${describeFailure(c.failure)}`,
      ),
    ),
  });
}

// ---------------------------------------------------------------------------------------------------------
// (e) heap

interface HeapResult {
  readonly label: string;
  readonly before: number;
  readonly after: number;
  readonly detail: string;
}
const heaps: HeapResult[] = [];

async function benchHeap(): Promise<void> {
  console.log(`\n(e) heap`);
  const book = generateBookFrames({ depth: 10, updates: 200_000, seed: 11 });
  const harness = await InMemoryClient.open<OrderBook>(
    (client) => client.book('BTC/USD.KRAKEN', { depth: 10 }),
    'book:BTC/USD',
  );
  harness.push(book.frames); // warm-up pass
  const before = heapUsedAfterGc();
  const passes = Math.ceil(HEAP_BOOK_UPDATES / (book.frames.length - 1));
  for (let i = 0; i < passes; i++) harness.push(book.frames);
  const after = heapUsedAfterGc();
  const updates = passes * (book.frames.length - 1);
  const ok = harness.errors === 0 && sameBook(harness.last, book);
  heaps.push({
    label: `after ${fmtInt(updates)} book updates (KrakenDataClient.book(), depth 10, subscribed throughout)`,
    before,
    after,
    detail: ok ? `${passes} passes of a snapshot + 200,000 updates` : 'CHECK FAILED',
  });
  if (!ok) failed = true;
  await harness.close();

  const cycles = await subscribeCycles(book.frames[0], CYCLES);
  const subscribesOk = cycles.serverSubscribes >= CYCLES + 1 && cycles.serverUnsubscribes >= CYCLES;
  if (!subscribesOk) failed = true;
  heaps.push({
    label: `after ${fmtInt(CYCLES)} subscribe/unsubscribe cycles of book() on a loopback socket`,
    before: cycles.heapBefore,
    after: cycles.heapAfter,
    detail:
      `${cycles.msPerCycle.toFixed(2)} ms per cycle (subscribe, ack, snapshot, book, unsubscribe); server saw ` +
      `${fmtInt(cycles.serverSubscribes)} subscribes, ${fmtInt(cycles.serverUnsubscribes)} unsubscribes` +
      (subscribesOk ? '' : ' — CHECK FAILED'),
  });
  for (const h of heaps) {
    console.log(
      `  ${h.label}: ${fmtMb(h.before)} → ${fmtMb(h.after)} (${fmtMb(h.after - h.before)}; target < 10 MB) ${h.detail}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// (f) loopback replay

const replays: { label: string; result: ReplayResult }[] = [];

async function benchReplay(): Promise<void> {
  const capture = generateBookFrames({ depth: 10, updates: CAPTURE_FRAMES - 1, seed: 2023 });
  const slowCapture = generateBookFrames({ depth: 10, updates: Math.round(CAPTURE_FRAMES / 5) - 1, seed: 2023 });
  console.log(`\n(f) loopback replay: ${fmtInt(capture.frames.length)} book frames (depth 10) over ws://127.0.0.1`);
  const runs: [string, BookFrames, number | undefined][] = [
    ['as fast as the socket drains', capture, undefined],
    ['paced at 10,000 frames/s', capture, 10_000],
    ['paced at 1,000 frames/s', slowCapture, 1_000],
  ];
  for (const [label, frames, rate] of runs) {
    const result = await replayBook(frames, rate);
    if (!result.finalBookMatches || result.unmatched > 0) failed = true;
    replays.push({ label, result });
    console.log(
      `  ${label.padEnd(30)} ${fmtInt(result.framesPerSecond).padStart(8)} frames/s  latency p50 ${result.p50Ms.toFixed(3)} ms, ` +
        `p99 ${result.p99Ms.toFixed(3)} ms, max ${result.maxMs.toFixed(2)} ms` +
        (result.finalBookMatches && result.unmatched === 0 ? '' : `  CHECK FAILED (${result.unmatched} unmatched)`),
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Report

function machine(final: boolean): string[] {
  const git = (command: string) => {
    try {
      return execSync(command, { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    } catch {
      return '?';
    }
  };
  const dirty = git('git status --porcelain --untracked-files=no -- src') ? ' (with uncommitted changes in src/)' : '';
  // Run from an export of a commit (`git archive`), there is no repository: the caller says what it is.
  const source = process.env.BENCH_SOURCE ?? `commit ${git('git rev-parse --short HEAD')}${dirty}`;
  return [
    `- CPU: ${cpus()[0]?.model ?? '?'} × ${cpus().length} (nproc ${cpus().length}), RAM ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}`,
    `- Node ${process.version} (V8 ${process.versions.v8}), \`node --expose-gc -r ts-node/register/transpile-only\``,
    `- ${source}; ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `- load average (1 / 5 / 15 min) at start ${LOAD_AT_START}` +
      (final
        ? `, at end ${loadavg()
            .map((l) => l.toFixed(1))
            .join(' / ')}`
        : ''),
    `- ${REPS} timed repetitions after 1 warm-up, median; each repetition of a pipeline is paired with one of JSON.parse on the same frames (× JSON.parse = median of the per-pair ratios; range = lowest–highest), with a full GC before each${quick ? ' (--quick: a tenth of the frames)' : ''}`,
  ];
}

const LOAD_AT_START = loadavg()
  .map((l) => l.toFixed(1))
  .join(' / ');

function markdown(): string {
  const out: string[] = [];
  out.push('### Machine', '', ...machine(true), '');
  out.push('### Throughput (a)–(d)', '');
  out.push('| Pipeline | Frames | Items/s (median) | ns/frame | × JSON.parse (median, range) | Target |');
  out.push('|---|---:|---:|---:|---:|---|');
  for (const row of rows) {
    const target = row.target ? `${row.target.text}: **${row.target.met ? 'met' : 'missed'}**` : '';
    const label = row.label.startsWith('  ') ? `&nbsp;&nbsp;${row.label.trim()}` : row.label;
    out.push(
      `| ${label}${row.problem ? ` (CHECK FAILED: ${row.problem})` : ''} | ${fmtInt(row.frames)} | ` +
        `${fmtInt(perSecond(row))} ${row.unit}/s | ${nsPerFrame(row.samples.pipeline, row.frames).toFixed(0)} | ` +
        `${ratio(row).toFixed(2)} (${ratioRange(row)}) | ${target} |`,
    );
  }
  out.push('', '### Heap (e)', '');
  out.push('| Measurement | Heap before | Heap after | Growth | Target | Notes |');
  out.push('|---|---:|---:|---:|---|---|');
  for (const h of heaps) {
    const growth = h.after - h.before;
    out.push(
      `| ${h.label} | ${fmtMb(h.before)} | ${fmtMb(h.after)} | ${fmtMb(growth)} | < 10 MB: **${growth < 10 * 2 ** 20 ? 'met' : 'missed'}** | ${h.detail} |`,
    );
  }
  out.push('', '### Loopback replay (f)', '');
  out.push('| Replay of the capture | Frames | Frames/s | p50 | p99 | max | Final book |');
  out.push('|---|---:|---:|---:|---:|---:|---|');
  for (const { label, result } of replays) {
    out.push(
      `| ${label} | ${fmtInt(result.frames)} | ${fmtInt(result.framesPerSecond)} | ${result.p50Ms.toFixed(3)} ms | ` +
        `${result.p99Ms.toFixed(3)} ms | ${result.maxMs.toFixed(2)} ms | ${result.finalBookMatches && result.unmatched === 0 ? 'right' : 'WRONG'} |`,
    );
  }
  if (notes.length > 0) out.push('', ...notes);
  return out.join('\n');
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

function writeDoc(results: string): void {
  const path = join(__dirname, '..', '..', 'docs', 'performance.md');
  const block = `${START}\n<!-- Written by \`npm run bench\` (test/bench/run.ts); edit outside the markers. -->\n\n${results}\n\n${END}`;
  if (!existsSync(path)) {
    writeFileSync(path, `# Performance\n\n${block}\n`);
    return;
  }
  const text = readFileSync(path, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  writeFileSync(
    path,
    from >= 0 && to > from
      ? text.slice(0, from) + block + text.slice(to + END.length)
      : `${text.trimEnd()}\n\n${block}\n`,
  );
  console.log(`\nwrote ${path}`);
}

async function main(): Promise<void> {
  console.log(machine(false).join('\n'));
  await benchBooks(10, 10);
  await benchBooks(100, 100);
  await benchTrades();
  await benchOhlc();
  await benchHeap();
  await benchReplay();
  const results = markdown();
  if (WRITE) {
    if (failed) console.error('\nnot writing docs/performance.md: a check failed');
    else writeDoc(results);
  }
  if (failed) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
