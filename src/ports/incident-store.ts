import type { NewTimelineEntry, StatusEntry, TimelineEntry } from '../domain/timeline.ts';
import type { DeclaredIncident } from '../domain/declaration.ts';
import type { Incident, IncidentStatus, RoleName } from '../domain/incident.ts';
import type { Severity } from '../domain/severity.ts';
import type { NewActionItem } from '../domain/action-items.ts';
import type { ClinicalRecord, HazardLink, SignoffVoidReason } from '../domain/clinical-safety.ts';
import type { RecordedBreachAssessment } from '../domain/breach-assessment.ts';
import type { BreachRegime, ObligationKind } from '../domain/breach-regimes.ts';
import type { ObligationNotice } from '../domain/breach-obligations.ts';

export interface PagerDutyLink {
  pagerDutyIncidentId: string;
  htmlUrl: string | null;
  title: string;
  origin: 'webhook' | 'page';
  status: string;
}

/** A message-based timeline entry: the message's own time, author, text and permalink. */
export interface MessageEntry {
  sourceTs: string;
  occurredAt: Date;
  actorId: string | null;
  text: string;
  permalink: string | null;
  kind: 'pinned_message';
  data?: Record<string, unknown>;
}

/**
 * Fields a use case may change on an incident, with an optional role (re)assignment. The change
 * freeze is not among them: the store decides it from the severity and status it writes, in the
 * same transaction (see applyChange).
 */
export type IncidentChange = Partial<
  Pick<
    Incident,
    | 'status'
    | 'severity'
    | 'clinicalImpact'
    | 'resolvedAt'
    | 'closedAt'
    | 'lastUpdateAt'
    | 'dataBreach'
    | 'breachAwareAt'
    | 'breachNotifiedAt'
    | 'breachNotifiedBy'
    | 'breachRemindedHours'
    | 'breachReportable'
  >
> & {
  /** The breach assessment, recorded in the same transaction (its decision also goes in breachReportable). */
  breachAssessment?: RecordedBreachAssessment;
  /**
   * Notifications recorded as made, in the same transaction, one per obligation of the breach aware
   * since `awareAt`: refused (the change is not applied, as a failed guard) when one was already.
   */
  obligationNotices?: {
    regime: BreachRegime;
    kind: ObligationKind;
    awareAt: Date;
    at: Date;
    by: string;
    reference: string | null;
  }[];
  role?: { role: RoleName; userId: string | null; assignedBy: string };
  /** This change may start a freeze (a move to SEV1, a reopen): it does if the incident ends SEV1 and active. */
  startsFreeze?: boolean;
  /** A change to the clinical safety record, written in the same transaction (ClinicalChange). */
  clinical?: ClinicalChange;
};

/**
 * A change to the clinical safety record. A hazard `add` applies only while the hazard is not
 * linked, an `update` or `remove` only while it is (else the whole change is refused, as a guard
 * failure). `signoff` adds a sign-off, and with it `reviewItem` as an action item unless an earlier
 * sign-off of the incident made one (it names that one instead). `voidSignoff` voids the sign-off
 * in force, if any, with a timeline entry of its own.
 */
export interface ClinicalChange {
  hazard?: { op: 'add' | 'update'; link: HazardLink } | { op: 'remove'; hazardId: string };
  /**
   * `hazards`: the hazards as the sign-off read them (id and last change): refused (a guard failure)
   * unless the linked hazards are still exactly these, so a sign-off never accepts a risk it did not see.
   */
  signoff?: {
    by: string;
    note: string | null;
    reviewItem: NewActionItem;
    hazards: readonly { hazardId: string; updatedAt: Date }[];
  };
  voidSignoff?: { reason: SignoffVoidReason; by: string | null };
}

/** What must still hold for a change to apply (another person may have changed it meanwhile). */
export interface ChangeGuard {
  status?: IncidentStatus;
  severity?: Severity;
  clinicalImpact?: boolean;
  dataBreach?: boolean;
  /** null: the regulator must not have been notified meanwhile. */
  breachNotifiedAt?: null;
  /** Who must hold each role (null: nobody), e.g. the commander whose authority was checked. */
  roles?: Partial<Record<RoleName, string | null>>;
  /** Whether a clinical safety sign-off must be in force ('given') or not ('none'). */
  clinicalSignoff?: 'given' | 'none';
  /**
   * When the breach assessment the change was decided on was recorded (null: none yet): refused if
   * another was recorded meanwhile, so two forms submitted at once never overwrite each other.
   */
  breachAssessedAt?: Date | null;
}

/** What provisioning records as each Slack step completes. */
export type ProvisioningPatch = Partial<
  Pick<
    Incident,
    | 'channelId'
    | 'channelName'
    | 'summaryTs'
    | 'summaryPinned'
    | 'declarerInvited'
    | 'announcementTs'
    | 'onCallInvitedAt'
    | 'onCallLookupFailedNoticed'
  >
>;

/** A provisioning run's lease ran out and another run took the incident over: this run stops. */
export class ProvisioningLeaseLost extends Error {
  readonly incidentId: string;

  constructor(incidentId: string) {
    super(`the provisioning lease of incident ${incidentId} was taken over by another run`);
    this.incidentId = incidentId;
    this.name = 'ProvisioningLeaseLost';
  }
}

/** A place on a timeline: an entry's time and id (ids break ties between equal times). */
export interface TimelineCursor {
  occurredAt: Date;
  id: string;
}

export type TimelinePageQuery =
  | { limit: number }
  | { limit: number; before: TimelineCursor }
  | { limit: number; after: TimelineCursor };

export interface TimelinePage {
  /** Oldest first. */
  entries: TimelineEntry[];
  hasOlder: boolean;
  hasNewer: boolean;
}

export interface TimelineFacts {
  count: number;
  /** The entries the duration metrics read (declared, status changed, resolved, closed, reopened), oldest first. */
  statusEntries: StatusEntry[];
}

/** What incidentsOfService finds. */
export interface ServiceIncidents {
  active: Incident[];
  recent: Incident[];
  recentCount: number;
}

/** Persistence of incidents, as the use cases need it. */
export interface IncidentStore {
  /**
   * Records a new incident as its declaration decided it (domain/declaration.ts: declaredIncident),
   * with its first timeline entries, in one transaction, numbered next, unless one was already
   * recorded under `declareKey` (a retried or double-submitted request): then returns that.
   */
  createIfAbsent(
    input: DeclaredIncident & {
      declareKey: string;
      /** A PagerDuty incident that declared it, linked in the same transaction (so its next events find it at once). */
      pagerDutyLink?: PagerDutyLink;
    },
  ): Promise<{ incident: Incident; created: boolean }>;
  findById(id: string): Promise<Incident | null>;
  findByNumber(number: number): Promise<Incident | null>;
  /** The incident's clinical safety record: its hazards (by id) and sign-offs (oldest first). */
  clinicalRecord(incidentId: string): Promise<ClinicalRecord>;
  timeline(incidentId: string): Promise<TimelineEntry[]>;
  /** Whether the incident's timeline has an entry of any of `kinds` (one indexed lookup). */
  hasTimelineEntry(incidentId: string, kinds: readonly string[]): Promise<boolean>;
  /**
   * One page of an incident's timeline, oldest first, in the order (occurredAt, id): the latest
   * `limit` entries, or the `limit` entries just before (older than) or just after (newer than) a
   * cursor, with whether more lie beyond each end of the page. Reads at most `limit + 1` entries.
   */
  timelinePage(incidentId: string, query: TimelinePageQuery): Promise<TimelinePage>;
  /** What a timeline's header shows without reading every entry: the count and the status entries. */
  timelineFacts(incidentId: string): Promise<TimelineFacts>;
  /**
   * Takes the provisioning lease until `until`: the incident as of the claim, or null when another
   * worker holds it or it is done.
   */
  claimProvisioning(id: string, now: Date, until: Date): Promise<Incident | null>;
  /**
   * Records completed steps and renews the provisioning lease until `leaseUntil`. With `held` (the
   * lease the run holds), only while it still holds it: otherwise ProvisioningLeaseLost, and nothing
   * is written (another run took the incident over after the lease ran out). With `entry`, that
   * timeline entry is recorded with the step, on the same condition.
   */
  recordProvisioning(
    id: string,
    patch: ProvisioningPatch,
    leaseUntil?: Date,
    held?: Date,
    entry?: NewTimelineEntry,
  ): Promise<Incident>;
  /** Ends a provisioning run: `error` null marks it complete at `now`. Releases the lease (with `held`, only that lease, as above). */
  finishProvisioning(id: string, now: Date, error: string | null, held?: Date): Promise<Incident>;
  /**
   * Incidents whose Slack steps are not all done, with fewer than `maxAttempts` failed runs, declared
   * before `declaredBefore` (so a request still working on a new one is left alone) and not leased.
   */
  listUnprovisioned(maxAttempts: number, limit: number, declaredBefore: Date, now: Date): Promise<Incident[]>;
  addTimelineEntry(incidentId: string, entry: NewTimelineEntry): Promise<TimelineEntry>;
  findByChannel(channelId: string): Promise<Incident | null>;
  /**
   * Applies `change` and writes `entry` in one transaction, holding the incident's row lock from
   * before the guard is checked to the commit (so changes to one incident take turns). Returns null
   * (and changes nothing) when `guard` no longer holds. In the same transaction the freeze is decided
   * from what is stored: it ends when the incident is no longer SEV1 and active, and a change with
   * `startsFreeze` starts it when the incident ends SEV1 and active.
   */
  applyChange(
    id: string,
    change: IncidentChange,
    entry: NewTimelineEntry,
    guard?: ChangeGuard,
  ): Promise<Incident | null>;
  /** Records a message on the timeline once (pinned and pushpinned alike); `created` false if it was there. */
  upsertMessageEntry(incidentId: string, entry: MessageEntry): Promise<{ entry: TimelineEntry; created: boolean }>;
  /** An edit or delete of a message on the timeline; null when that message is not on it. */
  /** An edit older than the one recorded (events can arrive out of order) changes nothing. */
  updateMessageEntry(
    incidentId: string,
    sourceTs: string,
    patch: { text?: string; editedAt?: Date; deletedAt?: Date },
  ): Promise<TimelineEntry | null>;
  /**
   * Compare-and-set: true for exactly one caller per due time (reminders never fire twice), and
   * only while the incident is active and no update came after `lastUpdateAt` (the one read).
   */
  claimUpdateReminder(id: string, dueAt: Date, lastUpdateAt: Date): Promise<boolean>;
  /** Gives a claimed update reminder back (its post failed), so a retry may send it. */
  releaseUpdateReminder(id: string, dueAt: Date, previous: Date | null): Promise<void>;
  /** True once per incident, while it is active and has no commander. */
  claimCommanderNudge(id: string, now: Date): Promise<boolean>;
  releaseCommanderNudge(id: string, now: Date): Promise<void>;
  /**
   * Compare-and-set for the breach clock: true for exactly one caller per clock point (`hours` after
   * awareness), and only while it is a breach, the regulator is not notified, the awareness time is
   * still `awareAt` (the one read) and no later point was sent.
   */
  claimBreachReminder(id: string, hours: number, awareAt: Date): Promise<boolean>;
  /** Gives a claimed breach reminder back (its post failed): the last point sent is `previous` again. */
  releaseBreachReminder(id: string, hours: number, previous: number): Promise<void>;
  /** The incident's breach assessment as last recorded (null: none yet). */
  breachAssessment(incidentId: string): Promise<RecordedBreachAssessment | null>;
  /** The incident's obligation rows: reminders sent and notifications recorded as made. */
  breachNotices(incidentId: string): Promise<ObligationNotice[]>;
  /**
   * Compare-and-set for one obligation's reminders: true for exactly one caller per point, while the
   * obligation is not notified for the breach aware since `awareAt` and no later point was sent.
   */
  claimObligationReminder(
    incidentId: string,
    o: { regime: BreachRegime; kind: ObligationKind },
    point: number,
    awareAt: Date,
  ): Promise<boolean>;
  /** Gives a claimed obligation reminder back (its post failed). */
  releaseObligationReminder(
    incidentId: string,
    o: { regime: BreachRegime; kind: ObligationKind },
    point: number,
    previous: number | null,
  ): Promise<void>;
  /** Incidents marked as breaches with an awareness time at or after `awareSince`, in any status, oldest first. */
  listBreaches(awareSince: Date): Promise<Incident[]>;
  /** True for exactly one caller per calendar year: HIPAA's year-end list of that year is sent once. */
  claimBreachYearEnd(year: number, now: Date): Promise<boolean>;
  /** Gives the year-end claim back (sending it failed). */
  releaseBreachYearEnd(year: number): Promise<void>;
  /** Breaches whose regulator is not notified yet, in any status (the 72-hour clock outlives resolving). */
  listAwaitingBreachNotice(): Promise<Incident[]>;
  /**
   * Decides the freeze of a SEV1 declaration (the provisioning step), in one statement: set only
   * while the incident is SEV1, active, not a near miss and has no freeze yet. `started` when this
   * call set it.
   */
  decideFreeze(id: string): Promise<{ incident: Incident; started: boolean }>;
  /**
   * Takes the notice lease until `until`, when a freeze notice (freezeActive differs from
   * freezeAnnounced) or a clinical-safety alert is owed and no other run holds the lease: the
   * incident as of the claim, or null (nothing owed, or another run is posting; it looks again
   * before it lets go).
   */
  claimNotices(id: string, now: Date, until: Date): Promise<Incident | null>;
  /** Records a notice posted under the lease `lease`, renewing it to `renewUntil` while it is still held. */
  recordNotice(
    id: string,
    lease: Date,
    patch: { freezeAnnounced?: boolean; clinicalNotifiedAt?: Date },
    renewUntil: Date,
  ): Promise<void>;
  /** Lets the notice lease go, if `lease` is still the one held. */
  releaseNotices(id: string, lease: Date): Promise<void>;
  /** Notes that the pinned summary no longer shows the incident as it is (a change was recorded). */
  markSummaryStale(id: string): Promise<void>;
  /**
   * Takes the summary-redraw lease until `until` when a change came since the last redraw and no
   * other run holds it: the version to record once drawn, or null (nothing to draw, or another run
   * is drawing: it looks again before it lets go).
   */
  claimSummaryRedraw(id: string, now: Date, until: Date): Promise<number | null>;
  /** Lets the redraw lease `until` go, recording `drawn` (the version claimed) when the summary was drawn. */
  finishSummaryRedraw(id: string, until: Date, drawn: number | null): Promise<void>;
  /** Set-up incidents with a notice owed and no live lease (one whose post failed, or whose run died). */
  listOwedNotices(now: Date, limit: number): Promise<Incident[]>;
  /**
   * A PagerDuty webhook event on the timeline of the incident linked to its PagerDuty incident, once
   * per event id (a unique index decides, not a read), with the link's status in the same
   * transaction ('resolved' is never left). 'unlinked' when no incident is linked.
   */
  recordPagerDutyEvent(event: {
    pagerDutyIncidentId: string;
    eventId: string;
    status: string;
    entry: NewTimelineEntry;
  }): Promise<'recorded' | 'duplicate' | 'unlinked'>;
  /**
   * Marks a linked PagerDuty incident resolved and writes `entry` in one transaction, only if it was
   * not resolved already (compare-and-set): false, and nothing written, otherwise.
   */
  resolvePagerDutyLink(pagerDutyIncidentId: string, incidentId: string, entry: NewTimelineEntry): Promise<boolean>;
  /** Links a PagerDuty incident to ours once (false when it was linked already). */
  linkPagerDuty(incidentId: string, link: PagerDutyLink): Promise<boolean>;
  /** Our incident linked to a PagerDuty incident, or null. */
  findByPagerDutyIncident(pagerDutyIncidentId: string): Promise<Incident | null>;
  setPagerDutyStatus(pagerDutyIncidentId: string, status: string): Promise<void>;
  pagerDutyLinks(incidentId: string): Promise<PagerDutyLink[]>;
  /**
   * A service's incidents (affected service exactly one of `names`: a catalog service's name and
   * title), newest first: the active ones and the latest declared since `since`, at most `limit`
   * each, and how many were declared since then (counted by the database). Indexed on the service.
   * With `privateShown`, private incidents are left out of all three unless their id is in it (the
   * ones the reader may see, as the access module decided).
   */
  incidentsOfService(
    names: readonly string[],
    since: Date,
    limit: number,
    privateShown?: readonly string[],
  ): Promise<ServiceIncidents>;
  /**
   * The service's private incidents (as incidentsOfService finds them: active, or declared since
   * `since`), newest first, at most `limit`: for the access module to say which the reader may see.
   */
  privateIncidentsOfService(
    names: readonly string[],
    since: Date,
    limit: number,
  ): Promise<Pick<Incident, 'id' | 'isPrivate' | 'channelId'>[]>;
  /** Incidents not resolved or closed. */
  listActive(): Promise<Incident[]>;
  /**
   * Incidents not resolved or closed whose affected service is one of `services` (in any case),
   * oldest first, at most `limit`.
   */
  listActiveAffecting(services: readonly string[], limit: number): Promise<Incident[]>;
  /** How many incidents (drills left out) are not resolved or closed, by severity (counted by the database). */
  countActiveBySeverity(): Promise<Partial<Record<Severity, number>>>;
  ping(): Promise<void>;
}
