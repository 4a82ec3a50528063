/**
 * The edge between untyped wire input and typed values: io-ts failures become a `KrakenDecodeError`
 * that names the failing paths (`result.XXBTZUSD.pair_decimals`) and carries a short, redacted excerpt
 * of the input.
 */
import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import { KrakenDecodeError } from '../../errors';

const MAX_EXCERPT = 300;
const MAX_PATHS = 8;
/** Keys whose values are credentials or session material: never copied into an error. */
const SECRET_KEY = /token|secret|api_?key|challenge|signature|signed|otp|password/i;

/** Container codecs whose context keys are member indices, not field names. */
function isCombinator(type: t.Decoder<unknown, unknown>): boolean {
  const tag = (type as { _tag?: string })._tag;
  return tag === 'UnionType' || tag === 'IntersectionType';
}

/**
 * `result.XXBTZUSD.pair_decimals`, `data.0.bids.3.price`; empty string for the root. Keys that a union or
 * intersection added (member indices) and empty keys (a dispatcher handing over to a member codec) are skipped.
 */
export function contextPath(context: t.Context): string {
  const keys: string[] = [];
  for (let i = 1; i < context.length; i++) {
    const key = context[i].key;
    if (key === '' || isCombinator(context[i - 1].type)) continue;
    keys.push(key);
  }
  return keys.join('.');
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** A JSON excerpt of the input with credential-like fields masked, cut to a few hundred characters. */
export function inputExcerpt(input: unknown, max = MAX_EXCERPT): string {
  let text: string;
  try {
    text =
      typeof input === 'string'
        ? input
        : (JSON.stringify(input, (key, value: unknown) => (key !== '' && SECRET_KEY.test(key) ? '***' : value)) ??
          String(input));
  } catch {
    text = String(input);
  }
  if (typeof input === 'string') {
    text = text.replace(
      /("[^"]*(?:token|secret|api_?key|challenge|signature|signed|otp|password)[^"]*"\s*:\s*)"[^"]*"/gi,
      '$1"***"',
    );
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Turns io-ts validation errors into one `KrakenDecodeError`. */
export function toDecodeError(errors: t.Errors, input: unknown, what: string, pathPrefix?: string): KrakenDecodeError {
  const paths: string[] = [];
  const details: string[] = [];
  for (const error of errors) {
    const relative = contextPath(error.context);
    const path = pathPrefix ? (relative ? `${pathPrefix}.${relative}` : pathPrefix) : relative;
    if (paths.includes(path)) continue;
    paths.push(path);
    if (details.length < MAX_PATHS) {
      const expected = error.message ?? error.context[error.context.length - 1]?.type.name ?? 'a valid value';
      details.push(`${path || '(root)'}: expected ${expected}, got ${describeValue(error.value)}`);
    }
  }
  const more = paths.length > MAX_PATHS ? ` (+${paths.length - MAX_PATHS} more)` : '';
  return new KrakenDecodeError(
    `${what}: unexpected message shape (${details.join('; ')}${more})`,
    paths,
    inputExcerpt(input),
  );
}

/**
 * Decodes `input` with `codec`; a mismatch becomes a `KrakenDecodeError` naming the failing paths.
 * `pathPrefix` says where `input` sits in the whole message (`'result'` for a Spot REST result), so the
 * paths read `result.XXBTZUSD.pair_decimals`.
 */
export function decodeOrError<A>(
  codec: t.Decoder<unknown, A>,
  input: unknown,
  what: string,
  pathPrefix?: string,
): E.Either<KrakenDecodeError, A> {
  const result = codec.decode(input);
  return E.isRight(result) ? result : E.left(toDecodeError(result.left, input, what, pathPrefix));
}

/** Like `decodeOrError`, for places that want an exception: throws the `KrakenDecodeError`. */
export function decodeOrThrow<A>(codec: t.Decoder<unknown, A>, input: unknown, what: string, pathPrefix?: string): A {
  const result = codec.decode(input);
  if (E.isRight(result)) return result.right;
  throw toDecodeError(result.left, input, what, pathPrefix);
}

/** `JSON.parse` at the edge: text that is not JSON becomes a `KrakenDecodeError`, never a throw. */
export function parseJsonOrError(text: string, what: string): E.Either<KrakenDecodeError, unknown> {
  try {
    return E.right(JSON.parse(text) as unknown);
  } catch (err) {
    return E.left(
      new KrakenDecodeError(`${what}: not JSON (${(err as Error).message})`, [], inputExcerpt(text), { cause: err }),
    );
  }
}

/** Parses JSON text and decodes it in one step. */
export function decodeJsonOrError<A>(
  codec: t.Decoder<unknown, A>,
  text: string,
  what: string,
): E.Either<KrakenDecodeError, A> {
  const parsed = parseJsonOrError(text, what);
  return E.isRight(parsed) ? decodeOrError(codec, parsed.right, what) : parsed;
}
