// Changes to production (deployments, merged pull requests), the freezes that stop them, and the
// overrides that let one through. Values only; the rules that use them live beside them as they grow.

export const CHANGE_SOURCES = ['api', 'github'] as const;
export type ChangeSource = (typeof CHANGE_SOURCES)[number];
export const CHANGE_KINDS = ['deploy', 'merge', 'change'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** A change as recorded (table change_event). */
export interface ChangeEvent {
  id: string;
  /** One record per change whatever the redeliveries (see prisma/schema.prisma). */
  sourceKey: string;
  source: ChangeSource;
  kind: ChangeKind;
  /** The service as the sender named it. */
  service: string;
  /** The catalog service it matched when received; null: unknown to the catalog (stored, shown as unknown). */
  serviceName: string | null;
  system: string | null;
  owner: string | null;
  environment: string | null;
  version: string | null;
  summary: string;
  author: string | null;
  approvers: string[];
  url: string | null;
  occurredAt: Date;
  receivedAt: Date;
  /** Landed while a freeze applied to its service, without an override. */
  flagged: boolean;
  /** The override that let it through a freeze. */
  overrideId: string | null;
}

export type NewChangeEvent = Omit<ChangeEvent, 'id' | 'receivedAt' | 'flagged' | 'overrideId'>;

/** `'*'`: a freeze on every service. */
export const ALL_SERVICES = '*';

/** A freeze a commander declared from an incident (table change_freeze). */
export interface ChangeFreeze {
  id: string;
  incidentId: string;
  /** A catalog service name, or ALL_SERVICES. */
  scope: string;
  reason: string;
  startedBy: string;
  startedAt: Date;
  endedBy: string | null;
  endedAt: Date | null;
}

/** One deployment let through a freeze by the commander (table freeze_override). */
export interface FreezeOverride {
  id: string;
  incidentId: string;
  service: string;
  reason: string;
  approvedBy: string;
  createdAt: Date;
  usedAt: Date | null;
  /** What it let through, e.g. `github deployment 123 (acme/ehr-api, production)`. */
  usedBy: string | null;
}
