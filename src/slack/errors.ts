import { randomBytes } from 'node:crypto';
import { AppError } from '../domain/errors.ts';
import type { Logger } from '../logger.ts';

/**
 * The one place an error becomes words for the user: an AppError says its own message; anything
 * else is logged under a fresh id that the user is shown, so a report can be matched to the log.
 */
export function userMessageFor(err: unknown, logger: Logger, context: Record<string, unknown> = {}): string {
  if (err instanceof AppError) return err.userMessage;
  const errorId = randomBytes(4).toString('hex');
  logger.error({ err, errorId, ...context }, 'unexpected error');
  return `:x: Something went wrong on our side (error id \`${errorId}\`). Please try again; if it keeps failing, give this id to the incident bot's maintainers.`;
}
