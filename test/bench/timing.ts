/** Timing and heap helpers for the benchmarks: warm-up, interleaved repetitions, medians, forced GC. */
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';

/** `global.gc` (run under `node --expose-gc`); exposed on the fly when the flag was not given. */
export const collectGarbage: () => void = (() => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** Full collection, twice (the second one frees what finalizers of the first released). */
export function fullGc(): void {
  collectGarbage();
  collectGarbage();
}

/** Heap in use after a full collection, bytes. */
export function heapUsedAfterGc(): number {
  fullGc();
  return process.memoryUsage().heapUsed;
}

export function seconds(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/** Seconds per timed pass of a pipeline and of JSON.parse over the same frames. */
export interface PairedSamples {
  readonly pipeline: number[];
  readonly floor: number[];
}

export const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
export const fmtMb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
