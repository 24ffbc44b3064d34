/**
 * Where the runtime reports what it cannot hand to a caller: a handler that threw, a connection
 * closed for an oversized record, a reply too big to send. Servers and transports take one in
 * their options; the default writes to `console.error`.
 */

/** A minimal structured logger. */
export interface Logger {
  /** Something failed and was handled (the server stays up). */
  error(message: string, error?: unknown): void;
  /** Something unusual was dropped or refused. */
  warn(message: string): void;
}

/** Writes to `console.error`. */
export const consoleLogger: Logger = {
  error: (message, error) =>
    error === undefined
      ? console.error(`lupine: ${message}`)
      : console.error(`lupine: ${message}`, error),
  warn: (message) => console.error(`lupine: ${message}`),
};

/** Discards everything (tests, benchmarks). */
export const silentLogger: Logger = { error: () => {}, warn: () => {} };
