/**
 * CPU profile of one client pipeline in steady state, frames generated beforehand and outside the profile:
 *
 *   node -r ts-node/register/transpile-only test/bench/profile.ts <book10|book100|trades|bars> [passes] [out.cpuprofile]
 *
 * Writes a `.cpuprofile` (open it in Chrome DevTools or VS Code; same format as `node --cpu-prof`) and prints the
 * functions with the most self time.
 */
import { writeFileSync } from 'fs';
import { Session, type Profiler } from 'inspector';
import type { KrakenDataClient } from '../../src/data/KrakenDataClient';
import {
  generateBookFrames,
  generateOhlcFrames,
  generateTradeFrames,
  type OhlcCursor,
  type TradeCursor,
} from './frames';
import { InMemoryClient } from './inMemoryClient';

const [which = 'book10', passesText = '5', out = `/tmp/kraken-rx-${which}.cpuprofile`] = process.argv.slice(2);
const passes = Number(passesText);

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result as T))),
  );
}

/** Self time by function (`name file:line`), in ms, most first. */
function selfTimes(profile: Profiler.Profile): [string, number][] {
  const byNode = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) byNode.set(samples[i], (byNode.get(samples[i]) ?? 0) + (deltas[i] ?? 0));
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const frame = node.callFrame;
    const where = frame.url.replace(/^.*\/(src|test|node_modules)\//, '$1/');
    const key = `${frame.functionName || '(anonymous)'} ${where}${where ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + (byNode.get(node.id) ?? 0) / 1000);
  }
  return [...byFunction].sort((a, b) => b[1] - a[1]);
}

type Setup = { open: (client: KrakenDataClient) => unknown; route: string; frames: (pass: number) => string[] };

function setup(): Setup {
  switch (which) {
    case 'book10':
    case 'book100': {
      const depth = which === 'book10' ? 10 : 100;
      const { frames } = generateBookFrames({ depth, updates: 200_000, seed: depth });
      return { open: (c) => c.book('BTC/USD.KRAKEN', { depth }), route: 'book:BTC/USD', frames: () => frames };
    }
    case 'trades': {
      let cursor: TradeCursor | undefined;
      const sets = Array.from({ length: passes + 1 }, (_, pass) => {
        const set = generateTradeFrames(200_000, 70 + pass, cursor);
        cursor = set.end;
        return set.frames;
      });
      return { open: (c) => c.trades('BTC/USD.KRAKEN'), route: 'trade:BTC/USD', frames: (pass) => sets[pass] };
    }
    case 'bars': {
      let cursor: OhlcCursor | undefined;
      const sets = Array.from({ length: passes + 1 }, (_, pass) => {
        const set = generateOhlcFrames(100_000, 90 + pass, cursor);
        cursor = set.end;
        return set.frames;
      });
      return {
        open: (c) => c.bars('BTC/USD.KRAKEN-1-MINUTE-LAST-EXTERNAL'),
        route: 'ohlc:BTC/USD',
        frames: (pass) => sets[pass],
      };
    }
    default:
      throw new Error(`unknown pipeline ${which}: book10, book100, trades or bars`);
  }
}

async function main(): Promise<void> {
  const { open, route, frames } = setup();
  const harness = await InMemoryClient.open((client) => open(client) as never, route);
  harness.push(frames(0)); // warm-up, not profiled
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
  await post(session, 'Profiler.start');
  const start = process.hrtime.bigint();
  let count = 0;
  for (let pass = 1; pass <= passes; pass++) {
    const set = frames(pass);
    harness.push(set);
    count += set.length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const { profile } = await post<{ profile: Profiler.Profile }>(session, 'Profiler.stop');
  session.disconnect();
  await harness.close();
  writeFileSync(out, JSON.stringify(profile));
  // The in-process inspector's own message `dispatch` and idle time are not the pipeline's.
  const times = selfTimes(profile).filter(([name]) => name !== 'dispatch ' && name !== '(idle) ');
  const total = times.reduce((sum, [, ms]) => sum + ms, 0);
  console.log(`${which}: ${count} frames in ${seconds.toFixed(2)} s (${Math.round(count / seconds)} frames/s); ${out}`);
  for (const [name, ms] of times.slice(0, 30)) {
    console.log(`${((ms / total) * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${name}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
