import type { ClinicalRecord } from '../../domain/clinical-safety.ts';
import type { ActionItem } from '../../domain/action-items.ts';
import { incidentDurations, type IncidentDurations } from '../../domain/durations.ts';
import type { Incident } from '../../domain/incident.ts';
import { reviewInputSchema, type ReviewInput } from '../../domain/review.ts';
import { declaredAtFrom, inReadingOrder, statusChangesFrom, type TimelineEntry } from '../../domain/timeline.ts';
import type { TimelineCursor, TimelinePageQuery } from '../../ports/incident-store.ts';
import { incidentForReader, type Reader } from '../access.ts';
import type { ServiceDeps } from '../deps.ts';
import { redactForExport } from '../outbound-text.ts';
import { outboundActionItem } from '../../domain/redaction.ts';

/** Entries on one page of the incident page's timeline. */
export const INCIDENT_TIMELINE_PAGE = 100;

/**
 * The longest audit trail the incident page checks itself (about 10 ms per 100 entries on
 * PostgreSQL: the check reads and replays the whole trail). A longer one is checked on its own page
 * (checkIncidentAudit), asked for by a link.
 */
export const AUDIT_CHECK_INLINE_MAX = 500;

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
  /** Hazards (titles through the PHI guard) and sign-offs; null without clinical impact, hazards or sign-offs. */
  clinical: ClinicalRecord | null;
  /**
   * The audit trail's length and, when it is short enough to check with the page
   * (AUDIT_CHECK_INLINE_MAX), what is wrong with it (none: intact); null when not checked here.
   */
  audit: { entries: number; problems: string[] | null };
}

/**
 * The incident numbered `number` for `reader` (refused as missing when private and they are not in
 * its channel: access.ts incidentForReader): its record, one page of its timeline (`at`), its durations from
 * the status entries, the review, the action items and the audit chain's state. Reads a page of the
 * timeline, never the whole of it. Every text is shown beyond the channel, so it goes through the
 * PHI guard as the published review does.
 */
export async function showIncident(
  deps: Pick<ServiceDeps, 'store' | 'reviews' | 'audit' | 'register' | 'chat' | 'logger'>,
  input: {
    reader: Reader;
    number: number;
    at?: TimelineAt;
    pageSize?: number;
    /** The longest trail checked with the page (AUDIT_CHECK_INLINE_MAX). */
    auditInlineMax?: number;
  },
): Promise<IncidentRecord> {
  const incident = await incidentForReader(deps, input.reader, input.number);
  const limit = input.pageSize ?? INCIDENT_TIMELINE_PAGE;
  const query: TimelinePageQuery = input.at ? { limit, ...input.at } : { limit };
  const [found, facts, stored, items, audit, clinical] = await Promise.all([
    deps.store.timelinePage(incident.id, query),
    deps.store.timelineFacts(incident.id),
    deps.reviews.findReview(incident.id),
    deps.reviews.actionItemsOf(incident.id),
    auditIfShort(deps, incident.id, input.auditInlineMax ?? AUDIT_CHECK_INLINE_MAX),
    deps.store.clinicalRecord(incident.id),
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
    incident: incidentAsShown(incident),
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
    actionItems: items.map((a) => outboundActionItem(a).value),
    clinical:
      incident.clinicalImpact || clinical.hazards.length || clinical.signoffs.length
        ? {
            ...clinical,
            hazards: clinical.hazards.map((h) => ({ ...h, title: redactForExport(h.title).value })),
            signoffs: clinical.signoffs.map((s) => ({ ...s, note: s.note && redactForExport(s.note).value })),
          }
        : null,
    audit: audit.problems ? { ...audit, problems: redactForExport(audit.problems).value } : audit,
  };
}

/**
 * The incident as the page shows it, beyond its channel: every field people wrote (title,
 * description, service, owning team, channel name, a provisioning error quoting them) through the
 * PHI guard; ids, times and flags as they are.
 */
function incidentAsShown(incident: Incident): Incident {
  const { title, description, affectedService, serviceOwner, channelName, provisionError } = incident;
  return {
    ...incident,
    ...redactForExport({ title, description, affectedService, serviceOwner, channelName, provisionError }).value,
  };
}

/** The trail's length, and its problems when it is short enough to check now. */
async function auditIfShort(
  deps: Pick<ServiceDeps, 'audit' | 'register'>,
  incidentId: string,
  max: number,
): Promise<IncidentRecord['audit']> {
  const entries = await deps.register.auditLength(incidentId);
  if (entries > max) return { entries, problems: null };
  const audit = await deps.audit.read(incidentId);
  return { entries: audit.entries.length, problems: audit.problems };
}

/**
 * The audit trail of the incident numbered `number` checked whole (its chain, and the record against
 * the state the trail implies), for `reader` (refused as missing like showIncident): the incident,
 * the trail's length and what is wrong (none: intact). Reads the whole trail: seconds for the longest.
 */
export async function checkIncidentAudit(
  deps: Pick<ServiceDeps, 'store' | 'audit' | 'chat' | 'logger'>,
  input: { reader: Reader; number: number },
): Promise<{ incident: Incident; entries: number; problems: string[] }> {
  const incident = await incidentForReader(deps, input.reader, input.number);
  const audit = await deps.audit.read(incident.id);
  return {
    incident: incidentAsShown(incident),
    entries: audit.entries.length,
    // A problem quotes the columns it compares ("expected …, found …"): redacted as the evidence pack is.
    problems: redactForExport(audit.problems).value,
  };
}
