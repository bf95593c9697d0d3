import type { App } from '@slack/bolt';
import { z } from 'zod';
import { actionRef, calendarDate } from '../../../domain/action-items.ts';
import { AppError } from '../../../domain/errors.ts';
import { reviewInputSchema } from '../../../domain/review.ts';
import { prepareActionItem } from '../../../services/review/add-action-item.ts';
import { saveReview } from '../../../services/review/save-review.ts';
import { afterAck, type ListenerContext } from '../../context.ts';
import { REVIEW_MODAL } from '../../ids.ts';
import { parseJsonOrNull } from '../../payloads.ts';
import { reviewFromModal } from '../../views/review-modal.ts';

const submission = z.object({
  user: z.object({ id: z.string().min(1) }),
  view: z.object({
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }),
  }),
});
const metadata = z.object({ incidentId: z.guid(), channelId: z.string().min(1), basedOn: z.iso.datetime().nullish() });

const B = REVIEW_MODAL.blocks;
/** Where each input's problem shows in the form. */
const BLOCK_OF: Record<string, string> = {
  'impact.usersAffected': B.usersAffected,
  'impact.clinicalImpact': B.clinicalImpact,
  'impact.dataImpact': B.dataImpact,
  'detection.how': B.detection,
  'detection.note': B.detectionNote,
  contributingFactors: B.factors,
  otherFactors: B.otherFactors,
  wentWell: B.wentWell,
  wasHard: B.wasHard,
  'actionItems.0.text': B.actionText,
  'actionItems.0.ownerId': B.actionOwner,
  'actionItems.0.due': B.actionDue,
  'actionItems.0.category': B.actionCategory,
  'actionItems.0.priority': B.actionPriority,
};

function blockFor(path: readonly PropertyKey[]): string {
  for (let n = path.length; n > 0; n--) {
    const block = BLOCK_OF[path.slice(0, n).join('.')];
    if (block) return block;
  }
  return B.wentWell;
}

/**
 * The review form: problems show beside their fields and nothing is saved; otherwise the form
 * closes, the review is saved with its new action item, and posted again in the channel.
 */
export function registerReviewForm(app: App, ctx: ListenerContext): void {
  app.view(REVIEW_MODAL.callbackId, async ({ ack, body }) => {
    const parsed = submission.safeParse(body);
    const meta = parsed.success ? metadata.safeParse(parseJsonOrNull(parsed.data.view.private_metadata)) : null;
    if (!parsed.success || !meta?.success) {
      await ack({
        response_action: 'errors',
        errors: { [B.wentWell]: 'Slack sent an incomplete form. Please try again.' },
      });
      return;
    }
    const userId = parsed.data.user.id;
    const { input, action } = reviewFromModal(parsed.data.view.state.values);
    const errors: Record<string, string> = {};
    const check = reviewInputSchema.safeParse({ ...input, ...(action ? { actionItems: [action] } : {}) });
    if (!check.success) {
      for (const issue of check.error.issues) errors[blockFor(issue.path)] ??= issue.message;
    } else if (action) {
      try {
        const item = check.data.actionItems![0]!;
        prepareActionItem(
          { ...item, ownerId: item.ownerId ?? null, due: item.due ?? null },
          userId,
          calendarDate(ctx.deps.clock.now(), ctx.deps.settings.defaultTimeZone),
        );
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        errors[B.actionDue] = err.userMessage;
      }
    }
    if (Object.keys(errors).length) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    await afterAck(
      ctx,
      { responseUrl: null, userId },
      async () => {
        const basedOn =
          meta.data.basedOn === undefined ? undefined : meta.data.basedOn === null ? null : new Date(meta.data.basedOn);
        const { item, publishFailed, redacted } = await saveReview(ctx.deps, {
          channelId: meta.data.channelId,
          userId,
          input,
          action,
          basedOn,
        });
        const saved = item ? `Saved the review and added ${actionRef(item)}` : 'Saved the review';
        const said = publishFailed
          ? `:warning: ${saved}, but ${publishFailed}.`
          : item || redacted
            ? `${saved}.`
            : null;
        return said && redacted ? `${said}\n${redacted}` : said;
      },
      { view: REVIEW_MODAL.callbackId, user: userId },
    );
  });
}
