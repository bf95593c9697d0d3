import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { ListenerContext } from '../../context.ts';
import { REVIEW_ACTIONS, SUMMARY_ACTIONS } from '../../ids.ts';
import { openReviewForm } from '../review-form.ts';

const editPressed = z.object({
  user: z.object({ id: z.string().min(1) }),
  channel: z.object({ id: z.string().min(1) }),
  trigger_id: z.string().min(1),
  response_url: z.url().optional(),
});

/** "Fill in the review" on a posted review, and "Review" on a resolved incident's summary: the form. */
export function registerReviewActions(app: App, ctx: ListenerContext): void {
  const blocks = new RegExp(`^(${REVIEW_ACTIONS.blockId}|${SUMMARY_ACTIONS.blockId})$`);
  app.action({ block_id: blocks, action_id: REVIEW_ACTIONS.edit }, async ({ ack, body, client }) => {
    await ack();
    const parsed = editPressed.safeParse(body);
    if (!parsed.success)
      return ctx.deps.logger.warn({ issues: parsed.error.issues }, 'ignored an unexpected review button');
    const { user, channel, trigger_id, response_url } = parsed.data;
    await openReviewForm(ctx, client, {
      triggerId: trigger_id,
      channelId: channel.id,
      userId: user.id,
      responseUrl: response_url ?? null,
      publish: false,
    });
  });
}
