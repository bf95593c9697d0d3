import { AppError } from '../../domain/errors.ts';
import { ChatError } from '../../ports/chat-platform.ts';
import { incidentRef, type Incident } from '../../domain/incident.ts';
import type { PostIncidentReview } from '../../domain/review.ts';
import type { ServiceDeps } from '../deps.ts';
import { publicReviewOf, reviewMarkdownStream } from './review-of.ts';

/**
 * Posts the incident's review in its channel (or redraws the one posted before) and shares it as a
 * Markdown file. Built from the record each time, so it always shows the latest state. Reviews are
 * read beyond the responders: both carry PHI redacted (the timeline and the record keep it).
 */
export async function publishReview(
  deps: ServiceDeps,
  incident: Incident,
  /** file false: only redraw the message (an action item changed); the Markdown is shared when the review is. */
  opts: { file?: boolean } = {},
): Promise<PostIncidentReview> {
  if (!incident.channelId) {
    throw new AppError(
      `${incidentRef(incident)} has no channel yet, so its review cannot be posted. Try again in a minute.`,
      'not_ready',
    );
  }
  const review = await publicReviewOf(deps, incident);
  const stored = await deps.reviews.findReview(incident.id);
  const ts = await deps.chat.postReview(incident.channelId, review, stored?.postedTs ?? null);
  if (ts !== stored?.postedTs) await deps.reviews.setReviewPosted(incident.id, ts, deps.clock.now());
  if (opts.file === false) return review;
  const ref = incidentRef(incident).toLowerCase();
  // Slack wants the file's length before its bytes: the Markdown is written chunk by chunk into
  // bytes (never one string), then sent.
  const parts: Buffer[] = [];
  for await (const chunk of reviewMarkdownStream(review)) parts.push(Buffer.from(chunk, 'utf8'));
  await deps.chat.uploadFile(incident.channelId, {
    filename: `${ref}-review.md`,
    title: `${incidentRef(incident)} post-incident review`,
    content: Buffer.concat(parts),
    comment: review.missing.length
      ? `The review as Markdown. Still to fill in: ${review.missing.length} section${review.missing.length === 1 ? '' : 's'}.`
      : 'The review as Markdown.',
  });
  return review;
}

/** Publishes after another change (resolve, near miss): a failure is logged, never undoes that change. */
export async function publishReviewQuietly(
  deps: ServiceDeps,
  incidentId: string,
  opts: { file?: boolean } = {},
): Promise<void> {
  try {
    const incident = await deps.store.findById(incidentId);
    if (incident) await publishReview(deps, incident, opts);
  } catch (err) {
    deps.logger.error({ err, incidentId }, 'posting the review failed');
  }
}

/**
 * Publishes after a change that is already saved: a failure must not read as "try again" (that
 * would save it twice), so it becomes a sentence saying what was saved and what was not posted.
 */
export async function publishReviewAfterSave(deps: ServiceDeps, incident: Incident): Promise<string | null> {
  try {
    await publishReview(deps, incident);
    return null;
  } catch (err) {
    deps.logger.error({ err, incidentId: incident.id }, 'posting the review failed after saving');
    const why =
      err instanceof ChatError
        ? `Slack said \`${err.code}\``
        : err instanceof AppError
          ? err.userMessage
          : 'an unexpected error';
    return `posting the review in the channel failed (${why}); it will be posted again on the next change, or with \`/incident review\``;
  }
}
