import { AppError } from '../../domain/errors.ts';
import { incidentRef, type Incident } from '../../domain/incident.ts';
import {
  reviewInputSchema,
  reviewSteps,
  WHAT_CHANGED_HOURS,
  WHAT_CHANGED_MAX,
  type PostIncidentReview,
  type ReviewInput,
} from '../../domain/review.ts';
import { serviceNamed, systemOf } from '../../domain/catalog.ts';
import type { ChangeEvent } from '../../domain/changes.ts';
import { outboundReviewInSlices } from '../outbound-text.ts';
import type { ServiceDeps } from '../deps.ts';
import { actionRef, type ActionItem } from '../../domain/action-items.ts';
import { reviewMarkdownChunks } from '../../domain/review-markdown.ts';
import { clinicalSafetySection, type ClinicalRecord } from '../../domain/clinical-safety.ts';
import { formatInZone } from '../../domain/time.ts';
import { breachReviewSection } from '../../domain/breach-review.ts';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { inReadingOrder, type TimelineEntry } from '../../domain/timeline.ts';
import type { TimelineCursor } from '../../ports/incident-store.ts';

/**
 * The review of an incident as the record has it now: the timeline, what people added, and every
 * action item (with its state). The same record always gives the same review. Built in steps of
 * REVIEW_STEP_ENTRIES entries with other work let in between (a 20,000-entry review never holds the event
 * loop for its whole build).
 */
export async function reviewOf(
  deps: Pick<ServiceDeps, 'store' | 'reviews' | 'changes' | 'catalog'> & {
    settings: Pick<ServiceDeps['settings'], 'defaultTimeZone'> &
      Partial<Pick<ServiceDeps['settings'], 'breachRegimes'>>;
  },
  incident: Incident,
  /** Entries read per statement (REVIEW_READ_PAGE). */
  opts: { readPage?: number } = {},
): Promise<PostIncidentReview> {
  const [entries, stored, items, changes, clinical, breach] = await Promise.all([
    timelineInPages(deps, incident.id, opts.readPage ?? REVIEW_READ_PAGE),
    deps.reviews.findReview(incident.id),
    deps.reviews.actionItemsOf(incident.id),
    changesBefore(deps, incident),
    deps.store.clinicalRecord(incident.id),
    incident.dataBreach
      ? Promise.all([deps.store.breachAssessment(incident.id), deps.store.breachNotices(incident.id)])
      : null,
  ]);
  // Stored input was validated when saved; parsing again keeps a hand-edited row from breaking the review.
  const parsed = reviewInputSchema.safeParse(stored?.input ?? {});
  const input: ReviewInput = parsed.success ? parsed.data : {};
  const withItems: ReviewInput | null =
    stored || items.length
      ? {
          ...input,
          ...(items.length
            ? {
                actionItems: items.map((a) => ({
                  ref: actionRef(a),
                  status: a.status,
                  text: a.text,
                  ...(a.ownerId ? { ownerId: a.ownerId } : {}),
                  ...(a.due ? { due: a.due } : {}),
                  category: a.category,
                  priority: a.priority,
                })),
              }
            : {}),
        }
      : null;
  const steps = reviewSteps(incident, entries, withItems, {
    timeZone: deps.settings.defaultTimeZone,
    changes: changes.slice(0, WHAT_CHANGED_MAX),
    moreChanges: Math.max(0, changes.length - WHAT_CHANGED_MAX),
  });
  for (let step = steps.next(); ; step = steps.next()) {
    if (step.done) {
      const review = withClinicalSafety(
        withTrackers(step.value, items),
        incident,
        clinical,
        deps.settings.defaultTimeZone,
      );
      if (!breach) return review;
      const zone = deps.settings.defaultTimeZone;
      const regimes = deps.settings.breachRegimes?.length ? deps.settings.breachRegimes : (['uk-gdpr'] as const);
      return {
        ...review,
        breach: breachReviewSection(incident, regimes, breach[0], breach[1], (d) => formatInZone(d, zone), zone),
      };
    }
    await nextTurn();
  }
}

/** The clinical safety section, for an incident with clinical impact or any hazard or sign-off recorded. */
function withClinicalSafety(
  review: PostIncidentReview,
  incident: Incident,
  record: ClinicalRecord,
  timeZone: string,
): PostIncidentReview {
  if (!incident.clinicalImpact && !record.hazards.length && !record.signoffs.length) return review;
  return { ...review, clinicalSafety: clinicalSafetySection(incident, record, (d) => formatInZone(d, timeZone)) };
}

/** The stored items' tracker issues beside them in the review (they are listed in the same order). */
function withTrackers(review: PostIncidentReview, items: readonly ActionItem[]): PostIncidentReview {
  if (!review.actionItems || !items.some((i) => i.tracker)) return review;
  const byRef = new Map(items.map((i) => [actionRef(i), i.tracker]));
  return {
    ...review,
    actionItems: review.actionItems.map((a) => {
      const tracker = a.ref ? byRef.get(a.ref) : undefined;
      return tracker ? { ...a, tracker } : a;
    }),
  };
}

/**
 * The review as it may be read beyond the responders (posted, shared as a file, printed): built by
 * reviewOf, then every text through the PHI guard, a slice of the timeline at a time.
 */
export async function publicReviewOf(
  deps: Parameters<typeof reviewOf>[0],
  incident: Incident,
  opts: Parameters<typeof reviewOf>[2] = {},
): Promise<PostIncidentReview> {
  return (await outboundReviewInSlices(await reviewOf(deps, incident, opts), nextTurn)).value;
}

/**
 * The changes to the incident's service (the catalog's name and the name as typed) and its system in
 * the WHAT_CHANGED_HOURS before it was declared, newest first: WHAT_CHANGED_MAX and one more (to
 * know there are more).
 */
export async function changesBefore(
  deps: Pick<ServiceDeps, 'changes' | 'catalog'>,
  incident: Pick<Incident, 'affectedService' | 'createdAt'>,
): Promise<ChangeEvent[]> {
  const affected = incident.affectedService?.trim();
  if (!affected) return [];
  const service = serviceNamed(deps.catalog.current(), affected);
  const system = service ? systemOf(service) : null;
  const declared = incident.createdAt.getTime();
  return deps.changes.changesTo({
    services: [...new Set([affected, ...(service ? [service.name] : [])])],
    systems: system ? [system] : [],
    from: new Date(declared - WHAT_CHANGED_HOURS * 3600_000),
    to: new Date(declared + 1),
    limit: WHAT_CHANGED_MAX + 1,
  });
}

/** Entries read for the review per statement. */
export const REVIEW_READ_PAGE = 2000;

/**
 * Every entry of the timeline, oldest first, read a page at a time (the keyset of the timeline
 * pages) with other work let in between, in reading order (inReadingOrder).
 */
async function timelineInPages(
  deps: Pick<ServiceDeps, 'store'>,
  incidentId: string,
  limit: number,
): Promise<TimelineEntry[]> {
  const all: TimelineEntry[] = [];
  let after: TimelineCursor = {
    occurredAt: new Date('0001-01-01T00:00:00Z'),
    id: '00000000-0000-0000-0000-000000000000',
  };
  for (;;) {
    const page = await deps.store.timelinePage(incidentId, { limit, after });
    all.push(...page.entries);
    const last = page.entries.at(-1);
    if (!page.hasNewer || !last) return inReadingOrder(all);
    after = { occurredAt: last.occurredAt, id: last.id };
    await nextTurn();
  }
}

/** The incident with this number, or an AppError saying there is none. */
export async function incidentByNumber(deps: Pick<ServiceDeps, 'store'>, number: number): Promise<Incident> {
  const incident = await deps.store.findByNumber(number);
  if (!incident) throw new AppError(`There is no incident ${incidentRef({ number })}.`, 'not_found');
  return incident;
}

/**
 * The review's Markdown chunk by chunk (domain/review-markdown.ts), letting other work run between
 * chunks: a 20,000-entry review never holds the event loop for its whole document.
 */
export async function* reviewMarkdownStream(review: PostIncidentReview): AsyncGenerator<string> {
  for (const chunk of reviewMarkdownChunks(review)) {
    yield chunk;
    await nextTurn();
  }
}
