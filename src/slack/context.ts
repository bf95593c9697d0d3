import type { KnownBlock } from '@slack/types';
import type { ServiceDeps } from '../services/deps.ts';
import { tellUser } from '../services/tell-user.ts';
import type { DeclarationIntake } from '../ports/declaration-intake.ts';
import type { WorkLimit } from '../work-limit.ts';
import { userMessageFor } from './errors.ts';

/** What listeners get: the use cases' dependencies (the chat platform replies to users too). */
export interface ListenerContext {
  deps: ServiceDeps;
  /** How much work after acks runs at once (WORK_CONCURRENCY). */
  work: WorkLimit;
  /** Where declarations are held from before their ack until their incident is recorded. */
  intake: DeclarationIntake;
}

/**
 * Runs the slow part of a request after Slack has been answered, when the work limit has room,
 * telling the user privately about the outcome or the error. Never throws: an error is shown to
 * the user and logged.
 */
export async function afterAck(
  ctx: ListenerContext,
  to: { responseUrl: string | null; userId: string },
  /** Returns the message for the user, or null when there is nothing to say. */
  work: () => Promise<string | null>,
  context: Record<string, unknown>,
): Promise<void> {
  await ctx.work.run(async () => {
    let text: string | null;
    try {
      text = await work();
    } catch (err) {
      text = userMessageFor(err, ctx.deps.logger, context);
    }
    if (text !== null) await tellUser(ctx.deps, to, text);
  });
}

/** A private answer with blocks: through the response URL, else (none, or not Slack's) by direct message, text only. */
export async function answerPrivately(
  ctx: ListenerContext,
  to: { responseUrl: string | null; userId: string },
  msg: { text: string; blocks?: KnownBlock[] },
): Promise<void> {
  if (to.responseUrl) await ctx.deps.chat.replyPrivately(to.responseUrl, msg.text, msg.blocks);
  else await ctx.deps.chat.directMessage(to.userId, msg.text);
}
