/**
 * `kraken-rx demo` end to end, as `npm start` runs it (but from source): a child process that must exit 0 on its
 * own and print the summary.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '../..');

function runDemo(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'src/cli/main.ts', 'demo', ...args],
      { cwd: ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 55_000);
    child.on('error', (err) => {
      clearTimeout(killer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe('kraken-rx demo', () => {
  it('streams, trades, reconciles, prints the summary and exits 0 on its own', async () => {
    const { code, stdout, stderr } = await runDemo(['--seconds', '8']);
    if (code !== 0) throw new Error(`demo exited ${code}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
    expect(stderr).not.toMatch(/handle still open/);

    const summary = stdout.slice(stdout.indexOf('\nSummary'));
    expect(summary).toMatch(/^\s*trades seen\s+BTC\/USD [1-9]\d*, PF_XBTUSD [1-9]\d*$/m);
    expect(summary).toMatch(/^\s*quotes seen\s+BTC\/USD [1-9]\d*, PF_XBTUSD [1-9]\d*$/m);
    expect(summary).toMatch(/^\s*book top\s+BTC\/USD [\d.]+ \/ [\d.]+ \(spread [\d.]+\), PF_XBTUSD [\d.]+ \/ [\d.]+/m);
    expect(summary).toMatch(
      /^\s*bars\s+BTC\/USD [1-9]\d* live 1-minute bars .*PF_XBTUSD [1-9]\d* from the charts API/m,
    );
    expect(summary).toMatch(/^\s*orders\s+placed 4, amended 2, canceled 2, filled 2$/m);
    expect(summary).toMatch(/^\s*reconciliation\s+OK: /m);

    // The live view showed each step of the order round trips.
    for (const step of ['OrderAccepted', 'OrderUpdated', 'OrderCanceled', 'OrderFilled']) {
      expect(stdout).toMatch(new RegExp(`order BTC/USD\\s+${step}`));
      expect(stdout).toMatch(new RegExp(`order PF_XBTUSD\\s+${step}`));
    }
  });
});
