import type { Severity } from './severity.ts';

export const STATUSES = ['DECLARED', 'INVESTIGATING', 'IDENTIFIED', 'MONITORING', 'RESOLVED', 'CLOSED'] as const;
export type IncidentStatus = (typeof STATUSES)[number];

export const ROLES = ['COMMANDER', 'COMMS', 'SCRIBE', 'OPS', 'CLINICAL_SAFETY', 'DPO'] as const;
export type RoleName = (typeof ROLES)[number];
export const ROLE_LABELS: Record<RoleName, string> = {
  COMMANDER: 'Commander',
  COMMS: 'Comms',
  SCRIBE: 'Scribe',
  OPS: 'Ops',
  CLINICAL_SAFETY: 'Clinical safety officer',
  DPO: 'Data protection officer',
};

export const STATUS_LABELS: Record<IncidentStatus, string> = {
  DECLARED: 'Declared',
  INVESTIGATING: 'Investigating',
  IDENTIFIED: 'Identified',
  MONITORING: 'Monitoring',
  RESOLVED: 'Resolved',
  CLOSED: 'Closed',
};

export interface Incident {
  id: string;
  number: number;
  title: string;
  description: string;
  affectedService: string | null;
  /** The affected service's owner in the service catalog when declared (e.g. `group:default/platform`); null when none. */
  serviceOwner: string | null;
  severity: Severity;
  status: IncidentStatus;
  isPrivate: boolean;
  clinicalImpact: boolean;
  declaredBy: string;
  roles: Partial<Record<RoleName, string>>;
  channelId: string | null;
  channelName: string | null;
  summaryTs: string | null;
  summaryPinned: boolean;
  declarerInvited: boolean;
  announcementTs: string | null;
  provisionedAt: Date | null;
  provisionAttempts: number;
  provisionError: string | null;
  responseUrl: string | null;
  createdAt: Date;
  updatedAt: Date;
  resolvedAt: Date | null;
  closedAt: Date | null;
  /** Last status update (or the declaration): update reminders count from here. */
  lastUpdateAt: Date;
  updateReminderDueAt: Date | null;
  commanderNudgedAt: Date | null;
  /**
   * A SEV1 change freeze is in effect. Decided with the severity and status, under the same row
   * lock: only ever true while the incident is SEV1 and active (see IncidentStore.applyChange).
   */
  freezeActive: boolean;
  /** What the broadcast channel was last told of the freeze: a notice is owed while this differs from freezeActive. */
  freezeAnnounced: boolean;
  clinicalNotifiedAt: Date | null;
  onCallInvitedAt: Date | null;
  onCallLookupFailedNoticed: boolean;
  /** A near miss: recorded for its review; nobody is paged and it is never active. */
  nearMiss: boolean;
  /** An exercise (drill or tabletop): the full flow, marked as an exercise everywhere, left out of metrics and on-call load. */
  drill: boolean;
  /** A personal-data breach: the regulator must be notified within 72 hours of awareness (domain/breach.ts). */
  dataBreach: boolean;
  /** When the organisation became aware of the breach: the 72-hour clock starts here. */
  breachAwareAt: Date | null;
  /** When the regulator was notified (the clock and its reminders stop), and who recorded it. */
  breachNotifiedAt: Date | null;
  breachNotifiedBy: string | null;
  /** The last breach-clock reminder sent, in hours after awareness (24, 48, 66, 72); 0 for none. */
  breachRemindedHours: number;
  /** The breach assessment's decision (reportable or not; null: not decided): not reportable stops the clocks. */
  breachReportable: boolean | null;
}

/** declaredBy of incidents the bot declared itself (from a PagerDuty alert): not a Slack user. */
export const SYSTEM_DECLARER = 'pagerduty';

/** Human reference used everywhere: INC-12. */
export function incidentRef(i: Pick<Incident, 'number'>): string {
  return `INC-${i.number}`;
}
