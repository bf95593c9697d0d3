import { openReviewForm } from '../../review-form.ts';
import type { ArgsOf } from './handler.ts';

/** `/incident review`: the review form, then the review posted in the channel. */
export async function handleReview({ command: cmd, ctx, ack, client }: ArgsOf<'review'>): Promise<void> {
  await ack();
  await openReviewForm(ctx, client, {
    triggerId: cmd.trigger_id,
    channelId: cmd.channel_id,
    userId: cmd.user_id,
    responseUrl: cmd.response_url,
    publish: true,
  });
}
