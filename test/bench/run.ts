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
import type { KrakenDataClient } from '../../src/data/KrakenDataClient';
import type { Bar, OrderBook, TradeTick } from '../../src/model/data';
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
  bookStageSink,
  clientSink,
  describeBook,
  ohlcStageSink,
  parseRange,
  tradeStageSink,
  type FrameSink,
} from './pipelines';
import { fmtInt, fmtMb, fullGc, heapUsedAfterGc, median, seconds, type PairedSamples } from './timing';

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
/** Per pass, pipeline time over the JSON.parse time measured alongside it. */
const passRatios = (row: Row) => row.samples.pipeline.map((t, i) => t / row.samples.floor[i]);
/** The median of the per-pass ratios. */
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

// ---------------------------------------------------------------------------------------------------------
// Measurement

/** One pass's frames: the frames, the items they carry, what the subscriber should receive from them. */
interface PassFrames {
  readonly frames: readonly string[];
  readonly items: number;
  readonly expected: number;
}

/** Frames are handed over in chunks this long, each timed next to JSON.parse of the same chunk. */
const CHUNK = 10_000;

/**
 * A pipeline in steady state: opened once, handed `framesFor(pass)` pass after pass (1 warm-up + REPS timed). Each
 * pass alternates, chunk by chunk, `JSON.parse` of a chunk and the pipeline on the same chunk, so that both see the
 * same machine (a shared machine's speed drifts within seconds); a full GC precedes each pass. The row's samples
 * are the per-pass sums.
 */
async function measure<T>(
  label: string,
  unit: string,
  open: () => Promise<FrameSink<T>> | FrameSink<T>,
  framesFor: (pass: number) => PassFrames,
  verify: (sink: FrameSink<T>, emitted: number, set: PassFrames) => string | undefined,
  target?: (row: Row) => Row['target'],
): Promise<Row> {
  const sink = await open();
  let problem: string | undefined;
  const samples: PairedSamples = { pipeline: [], floor: [] };
  let frames = 0;
  let items = 0;
  for (let pass = 0; pass < 1 + REPS; pass++) {
    const set = framesFor(pass);
    const before = sink.emitted;
    let floorSeconds = 0;
    let pipelineSeconds = 0;
    fullGc();
    for (let from = 0; from < set.frames.length; from += CHUNK) {
      const to = Math.min(set.frames.length, from + CHUNK);
      floorSeconds += seconds(() => parseRange(set.frames, from, to));
      pipelineSeconds += seconds(() => sink.push(set.frames, from, to));
    }
    const emitted = sink.emitted - before;
    problem ??=
      sink.problems.length > 0 ? check(label, false, sink.problems.slice(0, 3).join('; ')) : verify(sink, emitted, set);
    if (pass === 0) continue;
    samples.floor.push(floorSeconds);
    samples.pipeline.push(pipelineSeconds);
    frames = set.frames.length;
    items = set.items;
  }
  await sink.close();
  const row: Row = { label, frames, items, unit, samples, ...(problem ? { problem } : {}) };
  const withTarget = { ...row, ...(target ? { target: target(row) } : {}) };
  addRow(withTarget);
  return withTarget;
}

/** The floor row of a frame set: the JSON.parse samples measured next to `of`. */
function floorRow(label: string, of: Row): void {
  addRow({
    label,
    frames: of.frames,
    items: of.frames,
    unit: 'frames',
    samples: { pipeline: of.samples.floor, floor: of.samples.floor },
  });
}

const expectCount = (label: string) => (_sink: FrameSink<unknown>, emitted: number, set: PassFrames) =>
  check(label, emitted === set.expected, `${emitted} emitted, ${set.expected} expected`);

// ---------------------------------------------------------------------------------------------------------
// (a) books

async function benchBooks(depth: number, seed: number): Promise<void> {
  const book = generateBookFrames({ depth, updates: BOOK_UPDATES, seed });
  const frames = book.frames;
  const set: PassFrames = { frames, items: frames.length, expected: frames.length };
  console.log(
    `\n(a) book, depth ${depth}: snapshot + ${fmtInt(BOOK_UPDATES)} updates (${book.levelsPerUpdate.toFixed(2)} levels each)`,
  );
  const verifyBook = (label: string) => (sink: FrameSink<unknown>, emitted: number) =>
    check(
      label,
      emitted === frames.length && sameBook(sink.last as OrderBook | undefined, book),
      `${emitted} books for ${frames.length} frames, final book ${sameBook(sink.last as OrderBook | undefined, book) ? 'right' : 'WRONG'}`,
    );
  const client = await measure(
    `KrakenDataClient.book() depth ${depth}, checksums on`,
    'updates',
    () => clientSink((c: KrakenDataClient) => c.book('BTC/USD.KRAKEN', { depth }), 'book:BTC/USD'),
    () => set,
    verifyBook(`book ${depth}`),
    depth === 10
      ? (row) => ({ text: '≤ 3× JSON.parse and ≥ 100,000/s', met: ratio(row) <= 3 && perSecond(row) >= 100_000 })
      : undefined,
  );
  floorRow(`(d) JSON.parse of the book frames, depth ${depth}`, client);
  // The same work without the client (session, shared feed), stage by stage.
  if (depth === 10) {
    await measure(
      '  stage: JSON.parse + envelope check + route',
      'frames',
      () => bookStageSink('route', book.pair, depth),
      () => set,
      expectCount('route stage'),
    );
    await measure(
      '  stage: ... + decode (SpotWsBookMessage → BookMessage)',
      'frames',
      () => bookStageSink('decode', book.pair, depth),
      () => set,
      expectCount('decode stage'),
    );
  }
  await measure(
    `  stage: ... + orderBook(${depth}, checksum) → subscriber`,
    'updates',
    () => bookStageSink('book', book.pair, depth),
    () => set,
    verifyBook(`composed book ${depth}`),
  );
}

// ---------------------------------------------------------------------------------------------------------
// (b) trades, (c) OHLC

/** Trade frame sets, each continuing the trade numbering of the one before (a repeated trade_id is dropped). */
function tradePasses(): (pass: number) => PassFrames {
  let cursor: TradeCursor | undefined;
  return (pass) => {
    const set = generateTradeFrames(TRADE_FRAMES, 70 + pass, cursor);
    cursor = set.end;
    return { frames: set.frames, items: set.trades, expected: set.trades };
  };
}

/** OHLC frame sets, each continuing the candles of the one before (an older candle is dropped by bufferBars). */
function ohlcPasses(): (pass: number) => PassFrames {
  let cursor: OhlcCursor | undefined;
  return (pass) => {
    const set = generateOhlcFrames(OHLC_FRAMES, 90 + pass, cursor);
    cursor = set.end;
    return { frames: set.frames, items: set.frames.length, expected: set.finalBars };
  };
}

async function benchTrades(): Promise<void> {
  console.log(`\n(b) trades: ${fmtInt(TRADE_FRAMES)} frames per pass, 1–3 trades each`);
  const client = await measure(
    'KrakenDataClient.trades()',
    'trades',
    () => clientSink<TradeTick>((c) => c.trades('BTC/USD.KRAKEN'), 'trade:BTC/USD'),
    tradePasses(),
    expectCount('trades'),
    (row) => ({ text: '≥ 300,000 trades/s', met: perSecond(row) >= 300_000 }),
  );
  floorRow('(d) JSON.parse of the trade frames', client);
  await measure(
    '  stage: parse + route + decode + sequencer',
    'trades',
    () => tradeStageSink(BTC_USD),
    tradePasses(),
    expectCount('composed trades'),
  );
}

async function benchOhlc(): Promise<void> {
  console.log(`\n(c) OHLC: ${fmtInt(OHLC_FRAMES)} frames per pass (the first pass starts with a snapshot)`);
  const client = await measure(
    'KrakenDataClient.bars(1-MINUTE-LAST-EXTERNAL)',
    'frames',
    () => clientSink<Bar>((c) => c.bars('BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL'), 'ohlc:BTC/USD'),
    ohlcPasses(),
    expectCount('bars'),
  );
  floorRow('(d) JSON.parse of the OHLC frames', client);
  await measure(
    '  stage: parse + route + decode + bufferBars',
    'frames',
    () => ohlcStageSink(BTC_USD),
    ohlcPasses(),
    expectCount('composed bars'),
  );
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
    `- each pipeline opened once, then 1 warm-up pass and ${REPS} timed passes over the frames (median reported); ` +
      `within a pass the frames go in chunks of ${fmtInt(CHUNK)}, each chunk timed through JSON.parse and then ` +
      `through the pipeline; × JSON.parse = the median over passes of pipeline time / JSON.parse time (range: ` +
      `lowest–highest); a full GC before each pass${quick ? ' (--quick: a tenth of the frames)' : ''}`,
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
