/** One recorded change to an incident's records (see prisma/schema.prisma AuditEntry). */
export interface AuditRecord {
  seq: number;
  at: Date;
  actor: string;
  via: string;
  /** '<table>.<insert|update|delete>'. */
  action: string;
  rowKey: string;
  /** The whole row for an insert or delete; for an update only what changed. */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  prevHash: string;
  hash: string;
}

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

/** The append-only, hash-chained audit trail the database writes with every change. */
export interface AuditTrail {
  entries(incidentId: string): Promise<AuditRecord[]>;
  /** Checks one incident's chain, or every incident's when `incidentId` is left out. */
  verify(incidentId?: string): Promise<AuditVerification>;
}
