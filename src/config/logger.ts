import { redactText, type Secret } from './secret';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The logging interface kraken-rx writes to. `context` is structured data (never secrets). */
export interface KrakenLogger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A logger writing to the console from `level` up (default `warn`). */
export function consoleLogger(level: LogLevel = 'warn'): KrakenLogger {
  const at = (l: LogLevel) => (message: string, context?: Record<string, unknown>) => {
    if (LEVELS[l] < LEVELS[level]) return;
    // eslint-disable-next-line no-console
    (l === 'debug' ? console.debug : console[l])(`[kraken-rx] ${message}`, ...(context ? [context] : []));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A logger that drops everything. */
export const silentLogger: KrakenLogger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});

/**
 * Wraps a logger so that no secret reaches it, even inside an error message or a context value
 * that quoted a request. Applied by every client to the configured logger.
 */
export function redactingLogger(logger: KrakenLogger, secrets: readonly (Secret | undefined)[]): KrakenLogger {
  const clean = (value: unknown): unknown => {
    if (typeof value === 'string') return redactText(value, secrets);
    if (value instanceof Error) return redactText(`${value.name}: ${value.message}`, secrets);
    if (value && typeof value === 'object') {
      try {
        // An Error inside the context would stringify as `{}`: keep its name and message instead.
        const errorsAsText = (_key: string, v: unknown): unknown =>
          v instanceof Error ? `${v.name}: ${v.message}` : v;
        return JSON.parse(redactText(JSON.stringify(value, errorsAsText), secrets));
      } catch {
        return '[unserialisable]';
      }
    }
    return value;
  };
  const at =
    (l: LogLevel) =>
    (message: string, context?: Record<string, unknown>): void =>
      logger[l](redactText(message, secrets), context ? (clean(context) as Record<string, unknown>) : undefined);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
