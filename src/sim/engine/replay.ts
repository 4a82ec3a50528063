import type { SimContext } from '../context';

export interface ReplayOptions {
  /** NDJSON file of recorded WS v2 frames (one JSON frame per line, optionally `{ "t": epochMs, "frame": {...} }`). */
  readonly file: string;
  /** Playback speed multiplier. Default 1. */
  readonly speed?: number;
  /** Start over at the end. Default true. */
  readonly loop?: boolean;
}

export function attachReplay(_ctx: SimContext, _options: ReplayOptions): void {
  throw new Error('replay: not implemented yet');
}
