import type { ActionItem } from '../../domain/action-items.ts';
import { incidentDurations, type IncidentDurations } from '../../domain/durations.ts';
import type { Incident } from '../../domain/incident.ts';
import { reviewInputSchema, type ReviewInput } from '../../domain/review.ts';
import { declaredAtFrom, inReadingOrder, statusChangesFrom, type TimelineEntry } from '../../domain/timeline.ts';
import type { TimelineCursor, TimelinePageQuery } from '../../ports/incident-store.ts';
import { incidentForReader, type Reader } from '../access.ts';
import type { ServiceDeps } from '../deps.ts';
import { redactForExport } from '../outbound-text.ts';

/** Entries on one page of the incident page's timeline. */
export const INCIDENT_TIMELINE_PAGE = 100;

/** Which timeline page: the latest (null), the one before (older than) an entry, or after (newer than) it. */
export type TimelineAt = { before: TimelineCursor } | { after: TimelineCursor } | null;

/** Everything the incident page shows. */
export interface IncidentRecord {
  incident: Incident;
  declaredAt: Date;
  durations: IncidentDurations;
  timeline: {
    /** Oldest first, in reading order; text through the PHI guard. */
    entries: TimelineEntry[];
    /** Every entry on the timeline. */
    total: number;
    older: TimelineCursor | null;
    newer: TimelineCursor | null;
  };
  /** What people wrote in the review (through the PHI guard), or null when nobody has yet. */
  review: { input: ReviewInput; updatedBy: string | null; updatedAt: Date } | null;
  /** Oldest first, their text through the PHI guard, with their tracker issues. */
  actionItems: ActionItem[];
  /** The audit chain: intact (no problems) or what is wrong. */
  audit: { entries: number; problems: string[] };
}

/**
 * The incident numbered `number` for `reader` (refused as missing when private and they are not in
 * its channel: access.ts incidentForReader): its record, one page of its timeline (`at`), its durations from
 * the status entries, the review, the action items and the audit chain's state. Reads a page of the
 * timeline, never the whole of it. Every text is shown beyond the channel, so it goes through the
 * PHI guard as the published review does.
 */
export async function showIncident(
  deps: Pick<ServiceDeps, 'store' | 'reviews' | 'audit'>,
  input: { reader: Reader; number: number; at?: TimelineAt; pageSize?: number },
): Promise<IncidentRecord> {
  const incident = await incidentForReader(deps, input.reader, input.number);
  const limit = input.pageSize ?? INCIDENT_TIMELINE_PAGE;
  const query: TimelinePageQuery = input.at ? { limit, ...input.at } : { limit };
  const [found, facts, stored, items, audit] = await Promise.all([
    deps.store.timelinePage(incident.id, query),
    deps.store.timelineFacts(incident.id),
    deps.reviews.findReview(incident.id),
    deps.reviews.actionItemsOf(incident.id),
    deps.audit.read(incident.id),
  ]);
  // "Newer" up to the end shows the latest page, full, rather than its last few entries.
  const page =
    'after' in query && !found.hasNewer && found.entries.length < limit
      ? await deps.store.timelinePage(incident.id, { limit })
      : found;
  const declaredAt = declaredAtFrom(facts.statusEntries, incident.createdAt);
  const edge = (e: TimelineEntry | undefined) => (e ? { occurredAt: e.occurredAt, id: e.id } : null);
  const parsed = stored ? reviewInputSchema.safeParse(stored.input) : null;
  return {
    incident: { ...incident, ...redactForExport({ title: incident.title, description: incident.description }).value },
    declaredAt,
    durations: incidentDurations(declaredAt, statusChangesFrom(facts.statusEntries)),
    timeline: {
      entries: inReadingOrder(page.entries).map((e) => ({ ...e, text: redactForExport(e.text).value })),
      total: facts.count,
      older: page.hasOlder ? edge(page.entries[0]) : null,
      newer: page.hasNewer ? edge(page.entries.at(-1)) : null,
    },
    review:
      stored && parsed?.success
        ? { input: redactForExport(parsed.data).value, updatedBy: stored.updatedBy, updatedAt: stored.updatedAt }
        : null,
    actionItems: items.map((a) => ({ ...a, text: redactForExport(a.text).value })),
    audit: { entries: audit.entries.length, problems: audit.problems },
  };
}
