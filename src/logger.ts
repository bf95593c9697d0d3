import { pino } from 'pino';

/** The logging the app needs; pino in production, anything with these methods in tests. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export function createLogger(level: string): Logger {
  return pino({
    level,
    // Tokens and signing secrets never reach the logs.
    redact: { paths: ['token', '*.token', 'headers.authorization', '*.headers.authorization'], censor: '[redacted]' },
  });
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
