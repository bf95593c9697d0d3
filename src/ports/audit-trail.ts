import type { AuditRecord } from '../domain/audit-chain.ts';
import type { RecordDifference } from '../domain/audit-replay.ts';
import type { AuditSnapshot, LiveTrail } from '../domain/audit-checkpoint.ts';
import type { EvidenceDownload, NewEvidenceDownload } from '../domain/evidence-pack.ts';

export type { AuditRecord } from '../domain/audit-chain.ts';
export type { RecordDifference } from '../domain/audit-replay.ts';

export interface AuditProblem {
  /** null: a problem with no incident to name (a number nothing has: an erased record). */
  incidentId: string | null;
  /** The incident's number, when the incident is still there (or the missing number). */
  number: number | null;
  /** How to name what the problem is about when not by incident (`INC-5–7`, `ACT-3`, `numbering`). */
  subject?: string;
  problem: string;
}

export interface AuditVerification {
  incidents: number;
  entries: number;
  problems: AuditProblem[];
}

/**
 * One incident's trail and records as read at one moment, with what is wrong (empty: intact): its
 * chain, and its records against the state the trail implies (`differences`, also in `problems`).
 */
export interface IncidentAudit {
  entries: AuditRecord[];
  /** Everything wrong: the chain's problems, then each difference between the records and the trail. */
  problems: string[];
  /** What is wrong with the chain itself (entries, links, head), without the records' differences. */
  chainProblems: string[];
  differences: RecordDifference[];
}

/** The append-only, hash-chained audit trail the database writes with every change. */
export interface AuditTrail {
  read(incidentId: string): Promise<IncidentAudit>;
  /** read() of many incidents, in batches (each batch one snapshot): what an evidence pack verifies. */
  readMany(incidentIds: readonly string[]): Promise<Map<string, IncidentAudit>>;
  /**
   * Checks one incident's chain and records, or every incident's when `incidentId` is left out, and
   * then also that no incident or action item number is missing.
   */
  verify(incidentId?: string): Promise<AuditVerification>;
  /** Every incident's chain head and the numbers in use, read in one snapshot (what a checkpoint signs). */
  snapshot(): Promise<AuditSnapshot>;
  /** Today's chains of the incidents a checkpoint names, and the numbers in use up to its highest ones. */
  liveTrail(checkpoint: {
    heads: readonly { incidentId: string }[];
    incidents: { highest: number };
    actionItems: { highest: number };
  }): Promise<LiveTrail>;
  /**
   * Records that someone downloaded an evidence pack (before it is sent), on the evidence downloads'
   * own chain of the trail (EVIDENCE_DOWNLOADS_CHAIN), attributed to the current actor.
   */
  recordEvidenceDownload(download: NewEvidenceDownload): Promise<EvidenceDownload>;
  /** The newest evidence downloads first. */
  evidenceDownloads(limit: number): Promise<EvidenceDownload[]>;
}
