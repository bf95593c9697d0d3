import type { ServiceDeps } from '../services/deps.ts';
import { userMessageFor } from './errors.ts';

/** What listeners get: the use cases' dependencies (the chat platform replies to users too). */
export interface ListenerContext {
  deps: ServiceDeps;
}

/**
 * Runs the slow part of a request after Slack has been answered, telling the user privately about
 * the outcome or the error. Never throws: an error is shown to the user and logged.
 */
export async function afterAck(
  ctx: ListenerContext,
  responseUrl: string | null,
  /** Returns the message for the user, or null when there is nothing to say. */
  work: () => Promise<string | null>,
  context: Record<string, unknown>,
): Promise<void> {
  let text: string | null;
  try {
    text = await work();
  } catch (err) {
    text = userMessageFor(err, ctx.deps.logger, context);
  }
  if (text === null) return;
  if (!responseUrl) {
    ctx.deps.logger.warn({ ...context, text }, 'no response_url to reply to');
    return;
  }
  await ctx.deps.chat
    .replyPrivately(responseUrl, text)
    .catch((err) => ctx.deps.logger.error({ err, ...context }, 'could not reply to the user'));
}
