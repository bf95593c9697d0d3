import type { ModalView } from '@slack/types';
import { publishReviewAfterSave } from '../../services/review/publish-review.ts';
import { showReviewDraft } from '../../services/review/show-review-draft.ts';
import { incidentRef } from '../../domain/incident.ts';
import { afterAck, type ListenerContext } from '../context.ts';
import { reviewModal } from '../views/review-modal.ts';

/** What opens forms: Slack's Web API client (its `views.open`). */
export interface ViewOpener {
  views: { open(args: { trigger_id: string; view: ModalView }): Promise<unknown> };
}

/**
 * Opens the review form for the incident of `channelId` (prefilled with what was saved), first,
 * while the trigger is fresh; with `publish` the review is then posted in the channel too.
 */
export function openReviewForm(
  ctx: ListenerContext,
  client: ViewOpener,
  req: { triggerId: string; channelId: string; userId: string; responseUrl: string | null; publish: boolean },
): Promise<void> {
  return afterAck(
    ctx,
    { responseUrl: req.responseUrl, userId: req.userId },
    async () => {
      const { incident, stored } = await showReviewDraft(ctx.deps, { channelId: req.channelId, userId: req.userId });
      await client.views.open({
        trigger_id: req.triggerId,
        view: reviewModal({
          incidentRef: incidentRef(incident),
          title: incident.title,
          prefill: stored?.input ?? null,
          metadata: {
            incidentId: incident.id,
            channelId: req.channelId,
            // The version shown, so a save never overwrites someone else's newer one.
            basedOn: stored && Object.keys(stored.input).length ? stored.updatedAt.toISOString() : null,
          },
        }),
      });
      if (!req.publish) return null;
      const failed = await publishReviewAfterSave(ctx.deps, incident);
      return failed ? `:warning: The form is open, but ${failed}.` : null;
    },
    { command: 'review', user: req.userId, channel: req.channelId },
  );
}
