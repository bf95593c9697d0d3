import type { Declaration } from '../domain/declaration.ts';
import type { Incident } from '../domain/incident.ts';

export interface NewTimelineEntry {
  occurredAt: Date;
  kind: string;
  actorId: string | null;
  text: string;
  data?: Record<string, unknown>;
}

export interface TimelineEntry extends NewTimelineEntry {
  id: string;
  incidentId: string;
}

/** What provisioning records as each Slack step completes. */
export type ProvisioningPatch = Partial<
  Pick<Incident, 'channelId' | 'channelName' | 'summaryTs' | 'summaryPinned' | 'declarerInvited' | 'announcementTs'>
>;

/** Persistence of incidents, as the use cases need it. */
export interface IncidentStore {
  /**
   * Records a new incident with its "declared" timeline entry, in one transaction, unless one was
   * already recorded under `declareKey` (a retried or double-submitted request): then returns that.
   */
  createIfAbsent(input: {
    declareKey: string;
    declaration: Declaration;
    declaredBy: string;
    originChannelId: string | null;
    responseUrl: string | null;
    declaredAt: Date;
    via: string;
  }): Promise<{ incident: Incident; created: boolean }>;
  findById(id: string): Promise<Incident | null>;
  findByNumber(number: number): Promise<Incident | null>;
  timeline(incidentId: string): Promise<TimelineEntry[]>;
  /** Takes the provisioning lease until `until`; false when another worker holds it or it is done. */
  claimProvisioning(id: string, now: Date, until: Date): Promise<boolean>;
  recordProvisioning(id: string, patch: ProvisioningPatch): Promise<Incident>;
  /** Ends a provisioning run: `error` null marks it complete at `now`. Releases the lease. */
  finishProvisioning(id: string, now: Date, error: string | null): Promise<Incident>;
  /** Incidents whose Slack steps are not all done, with fewer than `maxAttempts` failed runs. */
  listUnprovisioned(maxAttempts: number, limit: number): Promise<Incident[]>;
  addTimelineEntry(incidentId: string, entry: NewTimelineEntry): Promise<TimelineEntry>;
  ping(): Promise<void>;
}
