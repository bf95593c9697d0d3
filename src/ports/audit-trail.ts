import type { AuditRecord } from '../domain/audit-chain.ts';
import type { AuditSnapshot, LiveTrail } from '../domain/audit-checkpoint.ts';

export type { AuditRecord } from '../domain/audit-chain.ts';

export interface AuditProblem {
  incidentId: string;
  /** The incident's number, when the incident is still there. */
  number: number | null;
  problem: string;
}

export interface AuditVerification {
  incidents: number;
  entries: number;
  problems: AuditProblem[];
}

/** One incident's trail as read at one moment, with what is wrong with its chain (empty: intact). */
export interface IncidentAudit {
  entries: AuditRecord[];
  problems: string[];
}

/** The append-only, hash-chained audit trail the database writes with every change. */
export interface AuditTrail {
  read(incidentId: string): Promise<IncidentAudit>;
  /** Checks one incident's chain, or every incident's when `incidentId` is left out. */
  verify(incidentId?: string): Promise<AuditVerification>;
  /** Every incident's chain head and the numbers in use, read in one snapshot (what a checkpoint signs). */
  snapshot(): Promise<AuditSnapshot>;
  /** Today's chains of the incidents a checkpoint names, and the numbers in use up to its highest ones. */
  liveTrail(checkpoint: { heads: readonly { incidentId: string }[]; incidents: { highest: number }; actionItems: { highest: number } }): Promise<LiveTrail>;
}
