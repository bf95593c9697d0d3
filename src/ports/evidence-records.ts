import type {
  PackActionItem,
  PackApproval,
  PackCheckpoint,
  PackIncident,
  PackReview,
} from '../domain/evidence-pack.ts';

/** An incident declared in the period, with what decides whether the viewer may read it. */
export interface PeriodIncident extends PackIncident {
  channelId: string | null;
}

/**
 * What an evidence pack reads for a period (the web view's /web/evidence), in a few statements
 * whatever the number of incidents: the incidents declared in it with their roles, and then, for
 * those the viewer may read, their reviews, recorded decisions and action items.
 */
export interface EvidenceRecords {
  /** Incidents declared from `from` (inclusive) to `to` (exclusive), in number order, with their role holders. */
  incidentsDeclared(from: Date, to: Date): Promise<PeriodIncident[]>;
  /** The reviews, recorded decisions (roles assigned, clinical impact, breach, freeze overrides) and action items of these incidents. */
  detailsOf(incidentIds: readonly string[]): Promise<{
    reviews: PackReview[];
    approvals: PackApproval[];
    actionItems: PackActionItem[];
  }>;
}

/** The signed audit checkpoints kept in a folder (AUDIT_CHECKPOINT_DIR), as written. */
export interface CheckpointArchive {
  /**
   * The checkpoint files taken from `from` (inclusive) to `to` (exclusive), by the time in their
   * names, oldest first: at most `limit` of them (the newest), with how many more there were.
   * Throws when the folder cannot be read.
   */
  checkpointsBetween(from: Date, to: Date, limit: number): Promise<{ files: PackCheckpoint[]; more: number }>;
}
