import { inspect } from 'node:util';

const REDACTED = '***';

/**
 * A credential that never prints itself: `toString`, `JSON.stringify` and `util.inspect` all give `***`.
 * Only `reveal()` returns the value, for signing.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Secret(${REDACTED})`;
  }
}

/** Replaces every occurrence of the given secrets in a text with `***`. */
export function redactText(text: string, secrets: readonly (Secret | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    const value = secret?.reveal();
    if (value && value.length >= 4) out = out.split(value).join(REDACTED);
  }
  return out;
}

/** An API key shown only by its first four characters. */
export function maskApiKey(apiKey: string): string {
  return apiKey.length <= 4 ? REDACTED : `${apiKey.slice(0, 4)}${REDACTED}`;
}

/**
 * A URL with the password of its user info masked: `http://alice:pw@proxy:3128` → `http://alice:***@proxy:3128`.
 * Works on text that is not a valid URL too (for error messages about a rejected value).
 */
export function redactUrlCredentials(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#@:]*):[^/?#@]*@/, `$1:${REDACTED}@`);
}

/** The password of a URL's user info as a `Secret` (for log redaction), or undefined when there is none. */
export function urlPassword(url: string | undefined): Secret | undefined {
  if (url === undefined) return undefined;
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password === '' ? undefined : new Secret(password);
  } catch {
    return undefined;
  }
}
