/**
 * End-to-end runs of `KrakenDataClient` against the loopback server of `loopbackServer.ts` (a worker thread):
 * a book capture replayed over a real WebSocket on 127.0.0.1, and subscribe / unsubscribe cycles.
 */
import { join } from 'path';
import { Worker } from 'worker_threads';
import { KrakenDataClient } from '../../src/data/KrakenDataClient';
import type { OrderBook } from '../../src/model/data';
import type { BookFrames } from './frames';
import { ASSET_PAIRS_BODY } from './inMemoryClient';
import type { LoopbackServerData, LoopbackServerEvent } from './loopbackServer';
import { describeBook } from './pipelines';
import { fmtInt, heapUsedAfterGc, percentile } from './timing';

const clockBase = process.hrtime.bigint();
const nowMs = () => Number(process.hrtime.bigint() - clockBase) / 1e6;

class LoopbackServer {
  private readonly listeners = new Set<(event: LoopbackServerEvent) => void>();

  private constructor(
    private readonly worker: Worker,
    readonly port: number,
  ) {
    worker.on('message', (event: LoopbackServerEvent) => {
      for (const listener of [...this.listeners]) listener(event);
    });
  }

  static start(data: Omit<LoopbackServerData, 'clockBase' | 'assetPairsBody'>): Promise<LoopbackServer> {
    const workerData: LoopbackServerData = { ...data, clockBase: String(clockBase), assetPairsBody: ASSET_PAIRS_BODY };
    // The worker loads the TypeScript module through ts-node, like the main thread.
    const worker = new Worker(
      `require('ts-node/register/transpile-only'); require(${JSON.stringify(join(__dirname, 'loopbackServer.ts'))});`,
      { eval: true, workerData },
    );
    return new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (event: LoopbackServerEvent) => {
        if (event.type === 'listening') resolve(new LoopbackServer(worker, event.port));
      });
    });
  }

  next<T extends LoopbackServerEvent['type']>(type: T): Promise<Extract<LoopbackServerEvent, { type: T }>> {
    return new Promise((resolve) => {
      const listener = (event: LoopbackServerEvent) => {
        if (event.type !== type) return;
        this.listeners.delete(listener);
        resolve(event as Extract<LoopbackServerEvent, { type: T }>);
      };
      this.listeners.add(listener);
    });
  }

  async stats(): Promise<{ subscribes: number; unsubscribes: number }> {
    const stats = this.next('stats');
    this.worker.postMessage('stats');
    return stats;
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage('stop');
    await exited;
  }

  clientConfig() {
    return {
      baseUrlHttpSpot: `http://127.0.0.1:${this.port}`,
      baseUrlWsSpot: `ws://127.0.0.1:${this.port}/v2`,
      updateInstrumentsIntervalMins: null,
    };
  }
}

export interface ReplayResult {
  readonly frames: number;
  readonly ratePerSecond: number | undefined;
  /** Frames per second from the first send to the last book emitted. */
  readonly framesPerSecond: number;
  /** Frame sent by the server → book emitted by `KrakenDataClient.book()`, ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly unmatched: number;
  readonly finalBookMatches: boolean;
}

/**
 * Replays `capture` from the loopback server to `KrakenDataClient.book(BTC/USD, depth)`; each emitted book is matched
 * to its frame by `tsEvent` (the capture's timestamps are unique).
 */
export async function replayBook(capture: BookFrames, ratePerSecond?: number): Promise<ReplayResult> {
  const count = capture.frames.length;
  const sendBuffer = new SharedArrayBuffer(8 * count);
  const sendTimes = new Float64Array(sendBuffer);
  const receiveTimes = new Float64Array(count).fill(NaN);
  const indexOf = new Map<number, number>();
  capture.timestamps.forEach((ts, i) => indexOf.set(ts, i));
  const server = await LoopbackServer.start({
    mode: 'replay',
    frames: capture.frames,
    sendTimes: sendBuffer,
    ...(ratePerSecond !== undefined ? { ratePerSecond } : {}),
  });
  const client = new KrakenDataClient(server.clientConfig());
  let unmatched = 0;
  let last: OrderBook | undefined;
  let failure: unknown;
  await new Promise<void>((resolve) => {
    const subscription = client.book('BTC/USD.KRAKEN', { depth: capture.depth }).subscribe({
      next: (book) => {
        const at = nowMs();
        last = book;
        const index = indexOf.get(book.tsEvent);
        if (index === undefined) unmatched++;
        else receiveTimes[index] = at;
        if (index === count - 1) {
          subscription.unsubscribe();
          resolve();
        }
      },
      error: (err: unknown) => {
        failure = err;
        resolve();
      },
    });
  });
  await client.close();
  await server.stop();
  if (failure !== undefined) throw failure;

  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    if (!Number.isNaN(receiveTimes[i])) latencies.push(receiveTimes[i] - sendTimes[i]);
  }
  latencies.sort((a, b) => a - b);
  const shown = last ? describeBook(last, capture.pair) : { bids: [], asks: [] };
  return {
    frames: count,
    ratePerSecond,
    framesPerSecond: count / ((receiveTimes[count - 1] - sendTimes[0]) / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies[latencies.length - 1],
    unmatched: unmatched + (count - latencies.length),
    finalBookMatches:
      JSON.stringify(shown.bids) === JSON.stringify(capture.finalBids) &&
      JSON.stringify(shown.asks) === JSON.stringify(capture.finalAsks),
  };
}

export interface CycleResult {
  readonly cycles: number;
  readonly heapBefore: number;
  readonly heapAfter: number;
  readonly msPerCycle: number;
  readonly serverSubscribes: number;
  readonly serverUnsubscribes: number;
}

/**
 * `cycles` times: subscribe to `book(BTC/USD, 10)`, wait for the first book, unsubscribe. A `trades()` subscription
 * holds the connection open throughout, so each cycle is a Kraken subscribe + unsubscribe on a live socket. Heap is
 * read after `warmup` cycles and after the rest.
 */
export async function subscribeCycles(snapshot: string, cycles: number, warmup = 200): Promise<CycleResult> {
  const server = await LoopbackServer.start({ mode: 'cycles', frames: [snapshot] });
  const client = new KrakenDataClient(server.clientConfig());
  const keepOpen = client.trades('BTC/USD.KRAKEN').subscribe({ error: () => undefined });
  const cycle = () =>
    new Promise<void>((resolve, reject) => {
      const subscription = client.book('BTC/USD.KRAKEN', { depth: 10 }).subscribe({
        next: () => {
          // The first book arrives on a later turn than subscribe(): `subscription` is assigned by then.
          subscription.unsubscribe();
          resolve();
        },
        error: reject,
      });
    });
  for (let i = 0; i < warmup; i++) await cycle();
  const heapBefore = heapUsedAfterGc();
  const start = nowMs();
  for (let i = 0; i < cycles; i++) {
    await cycle();
    if ((i + 1) % 2500 === 0) process.stdout.write(`  ... ${fmtInt(i + 1)} cycles\n`);
  }
  const elapsed = nowMs() - start;
  const heapAfter = heapUsedAfterGc();
  const stats = await server.stats();
  keepOpen.unsubscribe();
  await client.close();
  await server.stop();
  return {
    cycles,
    heapBefore,
    heapAfter,
    msPerCycle: elapsed / cycles,
    serverSubscribes: stats.subscribes,
    serverUnsubscribes: stats.unsubscribes,
  };
}
