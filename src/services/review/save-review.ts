import { AppError } from '../../domain/errors.ts';
import { reviewInputErrors, reviewInputSchema, type ReviewInputDraft } from '../../domain/review.ts';
import type { ServiceDeps } from '../deps.ts';
import { calendarDate } from '../../domain/action-items.ts';
import { prepareActionItem } from './add-action-item.ts';
import { publishReviewAfterSave } from './publish-review.ts';
import { incidentInChannel } from '../access.ts';
import { outboundNotice } from '../outbound-text.ts';
import { redactDeep, redactionWarning } from '../../domain/redaction.ts';

export interface SaveReviewInput {
  channelId: string;
  userId: string;
  /** The review form's answers (action items are added one by one, below). */
  input: ReviewInputDraft;
  /** An action item added from the form, if its text was filled in. */
  action: { text: string; ownerId?: string; due?: string; category: string; priority: string } | null;
  /** When the stored review the form showed was saved (null: none); undefined saves regardless. */
  basedOn?: Date | null;
}

/**
 * Saves what people added to the review (anyone in the incident's channel may), adds the form's
 * action item, and posts the review again. Invalid input changes nothing and says what is wrong.
 */
export async function saveReview(deps: ServiceDeps, req: SaveReviewInput) {
  const incident = await incidentInChannel(deps, req.channelId, req.userId);
  const { actionItems: _ignored, ...input } = req.input;
  const parsed = reviewInputSchema.safeParse(input);
  if (!parsed.success)
    throw new AppError(`The review was not saved. ${reviewInputErrors(parsed.error).join(' ')}`, 'invalid_input');
  // The action item is checked before anything is written, so a bad one saves nothing.
  const actionCheck = req.action ? reviewInputSchema.shape.actionItems.safeParse([req.action]) : null;
  if (actionCheck && !actionCheck.success) {
    throw new AppError(`The review was not saved. ${reviewInputErrors(actionCheck.error).join(' ')}`, 'invalid_input');
  }
  const now = deps.clock.now();
  const checked = actionCheck?.data?.[0];
  const newItem = checked
    ? prepareActionItem(
        {
          text: checked.text,
          ownerId: checked.ownerId ?? null,
          due: checked.due ?? null,
          category: checked.category,
          priority: checked.priority,
        },
        req.userId,
        calendarDate(now, deps.settings.defaultTimeZone),
      )
    : null;
  const { actionItems: _none, ...toStore } = parsed.data;
  const change = { by: req.userId, at: now };
  const saved = await deps.reviews.saveReviewInput(incident.id, toStore, change, newItem, req.basedOn);
  if (!saved) {
    throw new AppError(
      'Someone else saved this review after you opened the form, so yours was not saved (nothing of theirs was overwritten). ' +
        'Open it again with `/incident review`, then add your part. What you wrote:\n' +
        reviewDraftText(toStore, req.action),
      'conflict',
    );
  }
  const { item } = saved;
  // A new item's tracker issue is opened soon (the background sweep would get to it anyway).
  if (item) deps.trackerSync?.kick();
  if (item?.ownerId && item.ownerId !== req.userId) {
    await deps.chat
      .notify(item.ownerId, outboundNotice({ kind: 'action-item-assigned', incident, by: req.userId, item }).notice)
      .catch((err: unknown) => deps.logger.error({ err, incidentId: incident.id }, 'telling the owner failed'));
  }
  // Saved: a failure to post from here on is reported, never a reason to submit again.
  const publishFailed = await publishReviewAfterSave(deps, incident);
  // The review is read beyond the responders: what this person wrote is posted redacted, and they are told.
  const redacted = redactionWarning(
    redactDeep({ ...toStore, action: req.action?.text ?? null }).findings,
    'Your review input is posted in the review message and its Markdown file, which are read beyond the responders.',
  );
  return { item, publishFailed, redacted };
}

/** What a person wrote in the form, as plain lines, so a refused save loses nothing. */
function reviewDraftText(input: ReviewInputDraft, action: SaveReviewInput['action']): string {
  const lines = [
    input.impact?.usersAffected && `Users affected: ${input.impact.usersAffected}`,
    input.impact?.clinicalImpact && `Clinical impact: ${input.impact.clinicalImpact}`,
    input.impact?.dataImpact && `Data impact: ${input.impact.dataImpact}`,
    input.detection?.how &&
      `Detected by: ${input.detection.how}${input.detection.note ? ` (${input.detection.note})` : ''}`,
    input.contributingFactors?.length &&
      `Contributing factors: ${input.contributingFactors.map((f) => f.factor).join(', ')}`,
    input.otherFactors && `Other factors: ${input.otherFactors}`,
    input.wentWell && `Went well: ${input.wentWell}`,
    input.wasHard && `Was hard: ${input.wasHard}`,
    action?.text && `Action item: ${action.text}`,
  ].filter((l): l is string => typeof l === 'string' && l !== '');
  const text = lines.map((l) => `> ${l.replace(/\n/g, '\n> ')}`).join('\n');
  return text.length > 2500 ? `${text.slice(0, 2500)}…` : text;
}
