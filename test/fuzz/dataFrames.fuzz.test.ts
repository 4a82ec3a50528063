/**
 * Random mutations of recorded Kraken frames (the spot-wire.md / futures-wire.md fixtures) pushed into a running
 * KrakenDataClient: whatever arrives, nothing throws, every problem is reported on `errors$` as a typed error, no
 * stream dies of it, and valid frames that follow are still delivered.
 */
import fc from 'fast-check';
import { config as rxConfig, type Subscription } from 'rxjs';
import { KrakenDataClient } from '../../src/data/KrakenDataClient';
import { KrakenApiError, KrakenDecodeError } from '../../src/errors';
import type { KrakenHttpClient } from '../../src/http/KrakenHttpClient';
import { InstrumentId } from '../../src/model/identifiers';
import { BTC_USD, fakeOptions, fakeProvider, FakeHttp, FakeVenue, type Endpoint } from '../data/fakeVenue';
import { fixtureText } from '../kraken/fixtures';

type Json = unknown;

interface Recorded {
  readonly endpoint: Endpoint;
  readonly text: string;
}

const RECORDED: readonly Recorded[] = [
  { endpoint: 'spot', text: fixtureText('spot', '7.3-trade-2') },
  { endpoint: 'spot', text: fixtureText('spot', '7.1-ticker-level-1-2') },
  { endpoint: 'spot', text: fixtureText('spot', '7.2-book-level-2-aggregated-3') },
  { endpoint: 'spot', text: fixtureText('spot', '7.2-book-level-2-aggregated-4').replace('MATIC/USD', 'BTC/USD') },
  { endpoint: 'spot', text: fixtureText('spot', '7.4-ohlc-2') },
  { endpoint: 'spot', text: fixtureText('spot', '6.2-heartbeat-1') },
  { endpoint: 'spot', text: fixtureText('spot', '6.3-status-1') },
  { endpoint: 'spot', text: fixtureText('spot', '5.4-server-client-response-frame-2') },
  { endpoint: 'futures', text: fixtureText('futures', '12.4-trade-snapshot-last-100-2') },
  { endpoint: 'futures', text: fixtureText('futures', '12.4-trade-snapshot-last-100-1') },
  { endpoint: 'futures', text: fixtureText('futures', '12.4-ticker-throttled-to-1-1') },
  { endpoint: 'futures', text: fixtureText('futures', '12.4-book-snapshot-per-level-1') },
  { endpoint: 'futures', text: fixtureText('futures', '12.4-book-snapshot-per-level-2') },
  { endpoint: 'futures', text: fixtureText('futures', '12.4-heartbeat-no-product-ids-2') },
  { endpoint: 'futures', text: fixtureText('futures', '12.2-generic-messages-3') },
];

/** One edit of a parsed frame, addressed by a path of random indices (taken modulo what is there). */
type Edit =
  | { kind: 'delete'; path: number[] }
  | { kind: 'replace'; path: number[]; value: Json }
  | { kind: 'retype'; path: number[] };

/** One edit of the frame's text. */
type TextEdit =
  { kind: 'truncate'; at: number } | { kind: 'insert'; at: number; text: string } | { kind: 'flip'; at: number };

function children(node: Json): (string | number)[] {
  if (Array.isArray(node)) return node.map((_, i) => i);
  if (node !== null && typeof node === 'object') return Object.keys(node);
  return [];
}

/** Walks `path` (indices modulo the children at each level) and edits the node reached. */
function applyEdit(root: Json, edit: Edit): Json {
  const copy = JSON.parse(JSON.stringify(root)) as Json;
  let parent: Json = undefined;
  let key: string | number | undefined;
  let node: Json = copy;
  for (const step of edit.path) {
    const keys = children(node);
    if (keys.length === 0) break;
    key = keys[step % keys.length];
    parent = node;
    node = (node as Record<string | number, Json>)[key];
  }
  if (parent === undefined || key === undefined) return edit.kind === 'replace' ? edit.value : copy;
  const container = parent as Record<string | number, Json>;
  switch (edit.kind) {
    case 'delete':
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete container[key];
      break;
    case 'replace':
      container[key] = edit.value;
      break;
    case 'retype':
      container[key] =
        typeof node === 'number'
          ? String(node)
          : typeof node === 'string'
            ? Number(node) || node.length
            : node === null
              ? 0
              : Array.isArray(node)
                ? {}
                : typeof node === 'object'
                  ? []
                  : null;
      break;
  }
  return copy;
}

function applyTextEdit(text: string, edit: TextEdit): string {
  const at = text.length === 0 ? 0 : edit.at % text.length;
  switch (edit.kind) {
    case 'truncate':
      return text.slice(0, at);
    case 'insert':
      return text.slice(0, at) + edit.text + text.slice(at);
    case 'flip':
      return text.slice(0, at) + String.fromCharCode((text.charCodeAt(at) + 1) % 128) + text.slice(at + 1);
  }
}

const path = fc.array(fc.nat(50), { minLength: 1, maxLength: 5 });
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), path }),
  fc.record({ kind: fc.constant('replace' as const), path, value: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ kind: fc.constant('retype' as const), path }),
);
const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    // Random text, or an exponent that turns a number literal into ±Infinity or 0 when parsed.
    text: fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('e400', 'e-400', '9e999')),
  }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat() }),
);
/** A recorded frame, sent as recorded, or with structural edits, or with text edits. */
const frame = fc.record({
  recorded: fc.nat(RECORDED.length - 1),
  edits: fc.array(edit, { maxLength: 3 }),
  textEdits: fc.array(textEdit, { maxLength: 2 }),
});

function render(spec: { recorded: number; edits: Edit[]; textEdits: TextEdit[] }): Recorded {
  const recorded = RECORDED[spec.recorded];
  let text = recorded.text;
  if (spec.edits.length > 0) {
    let value = JSON.parse(text) as Json;
    for (const e of spec.edits) value = applyEdit(value, e);
    text = JSON.stringify(value) ?? 'undefined';
  }
  for (const e of spec.textEdits) text = applyTextEdit(text, e);
  return { endpoint: recorded.endpoint, text };
}

const ALGO_TICKER = JSON.parse(fixtureText('spot', '7.1-ticker-level-1-2')) as Record<string, unknown>;
const ETH_TICKER = JSON.parse(fixtureText('futures', '12.4-ticker-throttled-to-1-1')) as Record<string, unknown>;

describe('KrakenDataClient under random mutations of recorded frames', () => {
  let unhandled: unknown[] = [];
  const previous = rxConfig.onUnhandledError;

  beforeAll(() => {
    rxConfig.onUnhandledError = (err) => unhandled.push(err);
  });

  afterAll(() => {
    rxConfig.onUnhandledError = previous;
  });

  it('reports bad frames as typed errors, never throws, and keeps every stream going', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 12 }), async (frames) => {
        unhandled = [];
        const venue = new FakeVenue();
        const http = new FakeHttp();
        http.instruments = [BTC_USD];
        const bookSnapshot = fixtureText('spot', '7.2-book-level-2-aggregated-3');
        venue.onSubscribe = (endpoint, request, socket) => {
          if (endpoint === 'spot' && (request.params as { channel?: string }).channel === 'book') {
            socket.reply(bookSnapshot);
          }
        };
        const client = new KrakenDataClient(fakeOptions(venue), {
          httpClient: http as unknown as KrakenHttpClient,
          instrumentProvider: fakeProvider(http),
        });
        const errors: Error[] = [];
        const died: { stream: string; error: unknown }[] = [];
        const counts: Record<string, number> = {};
        const subs: Subscription[] = [client.errors$.subscribe((e) => errors.push(e))];
        const watch = (name: string, source: { subscribe: (o: object) => Subscription }) =>
          subs.push(
            source.subscribe({
              next: () => (counts[name] = (counts[name] ?? 0) + 1),
              error: (error: unknown) => died.push({ stream: name, error }),
              complete: () => died.push({ stream: name, error: 'completed' }),
            }),
          );
        watch('spot trades', client.trades('MATIC/USD.KRAKEN'));
        watch('spot quotes', client.quotes('ALGO/USD.KRAKEN'));
        watch('spot book', client.book(BTC_USD.id, { depth: 10 }));
        watch('spot bars', client.bars('MATIC/USD.KRAKEN-5-MINUTE-LAST-EXTERNAL'));
        watch('futures trades', client.trades('PI_XBTUSD.KRAKEN'));
        watch('futures book', client.book('PF_XBTUSD.KRAKEN'));
        watch('futures marks', client.markPrices('PF_ETHUSD.KRAKEN'));
        venue.advance(0);

        for (const spec of frames) {
          const { endpoint, text } = render(spec);
          venue.push(endpoint, text);
          venue.advance(0);
        }

        // Liveness: valid frames after the junk are still delivered.
        const quotesBefore = counts['spot quotes'] ?? 0;
        const marksBefore = counts['futures marks'] ?? 0;
        venue.push('spot', ALGO_TICKER);
        venue.push('futures', { ...ETH_TICKER, time: 1783587649112 });
        expect(counts['spot quotes'] ?? 0).toBe(quotesBefore + 1);
        expect(counts['futures marks'] ?? 0).toBe(marksBefore + 1);

        // A book that never verifies may be given up on (a typed decode error); no other stream dies.
        for (const { stream, error } of died) {
          expect(stream).toMatch(/book$/);
          expect(error).toBeInstanceOf(KrakenDecodeError);
        }
        for (const error of errors)
          expect(error instanceof KrakenDecodeError || error instanceof KrakenApiError).toBe(true);
        expect(unhandled).toEqual([]);

        for (const s of subs) s.unsubscribe();
        const closing = client.close();
        venue.advance(5_000);
        await closing;
      }),
      { numRuns: 300 },
    );
  });

  it('a corrupted byte anywhere in a trade frame is reported or harmless, and the next trade still arrives', async () => {
    const base = JSON.parse(fixtureText('spot', '7.3-trade-2')) as { data: { trade_id: number }[] };
    await fc.assert(
      fc.asyncProperty(fc.array(textEdit, { minLength: 1, maxLength: 3 }), async (edits) => {
        const venue = new FakeVenue();
        const http = new FakeHttp();
        const client = new KrakenDataClient(fakeOptions(venue), {
          httpClient: http as unknown as KrakenHttpClient,
          instrumentProvider: fakeProvider(http),
        });
        const ids: string[] = [];
        const errors: Error[] = [];
        const subs = [
          client.errors$.subscribe((e) => errors.push(e)),
          client.trades(InstrumentId.from('MATIC/USD.KRAKEN')).subscribe((t) => ids.push(t.tradeId)),
        ];
        venue.advance(0);
        let text = JSON.stringify(base);
        for (const e of edits) text = applyTextEdit(text, e);
        venue.push('spot', text);
        const next = { ...base, data: [{ ...base.data[0], trade_id: 9_000_000_000 }] };
        venue.push('spot', next);
        expect(ids[ids.length - 1]).toBe('9000000000');
        for (const error of errors) expect(error).toBeInstanceOf(KrakenDecodeError);
        for (const s of subs) s.unsubscribe();
        const closing = client.close();
        venue.advance(5_000);
        await closing;
      }),
      { numRuns: 300 },
    );
  });
});
