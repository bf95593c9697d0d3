import type { BreachNotification, RecordedBreachAssessment } from '../domain/breach-assessment.ts';
import type { BreachRegime, ObligationKind } from '../domain/breach-regimes.ts';
import type { NewTimelineEntry } from '../domain/timeline.ts';

/** A notification's first version, or a later one. */
export type NewNotificationVersion = Pick<
  BreachNotification,
  'incidentId' | 'regime' | 'kind' | 'version' | 'markdown' | 'draftedBy' | 'draftedAt'
>;

/** What a step expects of the version it changes: refused (null) when it changed meanwhile. */
export interface VersionGuard {
  id: string;
  state: BreachNotification['state'];
  draftedAt: Date;
}

/** The columns a step sets (approve, send, withdraw, or a draft's content replaced). */
export type NotificationChange = Partial<
  Pick<
    BreachNotification,
    | 'state'
    | 'markdown'
    | 'draftedBy'
    | 'draftedAt'
    | 'approvedBy'
    | 'approvedAt'
    | 'sentBy'
    | 'sentAt'
    | 'reference'
    | 'withdrawnBy'
    | 'withdrawnAt'
    | 'withdrawReason'
  >
>;

/**
 * Breach notifications, one row per version (the database in production). Every write is on the
 * incident's audit trail with its timeline entry, in one transaction.
 */
export interface BreachNotificationStore {
  /** The latest version of the incident's notification to one recipient of one regime, or null. */
  latest(incidentId: string, regime: BreachRegime, kind: ObligationKind): Promise<BreachNotification | null>;
  /** One version by its id, or null. */
  byId(id: string): Promise<BreachNotification | null>;
  /** The latest version of each of the incident's notifications (in the order they were first drafted). */
  latestOfIncident(incidentId: string): Promise<BreachNotification[]>;
  /**
   * Records a new version with its timeline entry; `supersede`: the previous version, withdrawn in
   * the same transaction. Null (nothing written) when that version exists already (someone drafted
   * it at the same moment) or `supersede` changed meanwhile.
   */
  addVersion(
    n: NewNotificationVersion,
    entry: NewTimelineEntry,
    supersede?: { guard: VersionGuard; change: NotificationChange },
  ): Promise<BreachNotification | null>;
  /** Changes one version with its timeline entry; null (nothing written) when it is not as `guard` says any more. */
  change(guard: VersionGuard, change: NotificationChange, entry: NewTimelineEntry): Promise<BreachNotification | null>;
}

/**
 * The incident's breach assessment, as far as the notifications read it (the breach assessment
 * feature records it).
 */
export interface BreachAssessmentReader {
  assessmentOf(incidentId: string): Promise<RecordedBreachAssessment | null>;
}

/**
 * No assessment recorded anywhere: every fact it would give is a placeholder in the drafts. What
 * the bot reads until the breach assessment is stored (then its store answers assessmentOf).
 */
export const NO_BREACH_ASSESSMENTS: BreachAssessmentReader = { assessmentOf: async () => null };
