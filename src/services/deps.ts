import type { BreachRegime } from '../domain/breach-regimes.ts';
import type { PayRules } from '../domain/pay-rules.ts';
import type { ChatPlatform } from '../ports/chat-platform.ts';
import type { Clock } from '../ports/clock.ts';
import type { IncidentStore } from '../ports/incident-store.ts';
import type { ReviewStore } from '../ports/review-store.ts';
import type { Logger } from '../logger.ts';
import type { Incident } from '../domain/incident.ts';
import type { OnCallProvider } from '../ports/on-call-provider.ts';
import type { OnCallHistory } from '../ports/on-call-history.ts';
import type { LoadCache } from '../ports/load-cache.ts';
import type { WellbeingAlerts } from '../ports/wellbeing-alerts.ts';
import type { WorkingHours } from '../domain/working-hours.ts';
import type { AuditTrail } from '../ports/audit-trail.ts';
import type { CheckpointTrigger } from '../domain/audit-checkpoint.ts';
import type { ReminderCadence } from '../domain/reminders.ts';
import type { AfterCommit } from './after-commit.ts';
import type { ServiceCatalog } from '../ports/service-catalog.ts';
import type { ChangeLog } from '../ports/change-log.ts';
import type { CodeHost } from '../ports/code-host.ts';
import type { FreezeStore } from '../ports/freeze-store.ts';
import type { BreachAssessmentReader, BreachNotificationStore } from '../ports/breach-notifications.ts';
import type { IssueTracker } from '../ports/issue-tracker.ts';
import type { TrackerLinkStore } from '../ports/tracker-links.ts';
import type { TrackerKind, TrackerTarget } from '../domain/trackers.ts';
import type { IncidentRegister } from '../ports/incident-register.ts';
import type { InsightFigures } from '../ports/insight-figures.ts';
import type { CheckpointArchive, EvidenceRecords } from '../ports/evidence-records.ts';

/** Keeps the incident's reminders due at the right times (pg-boss in production). */
export interface ReminderScheduler {
  /** (Re)schedules the update reminder and commander nudge for the incident's current state. */
  schedule(incident: Incident): Promise<void>;
}

/** Everything a use case may need; each takes this as an argument so tests inject fakes. */
export interface ServiceDeps {
  store: IncidentStore;
  /** Post-incident reviews and their action items. */
  reviews: ReviewStore;
  chat: ChatPlatform;
  clock: Clock;
  logger: Logger;
  reminders: ReminderScheduler;
  /** PagerDuty (null when PAGERDUTY_TOKEN is not set). */
  onCall: OnCallProvider | null;
  /** PagerDuty's on-call history for the load report (null when PAGERDUTY_TOKEN is not set). */
  history: OnCallHistory | null;
  /** That history, cached in our database. */
  loadCache: LoadCache;
  /** The wellbeing messages to the on-call leads, claimed once across replicas. */
  wellbeingAlerts: WellbeingAlerts;
  /** The service catalog (Backstage's format): owners, on-call, criticality, links; empty when none is configured. */
  catalog: ServiceCatalog;
  /** Changes to production (deployments, merged pull requests) as received. */
  changes: ChangeLog;
  /** Change freezes commanders start from incidents, and the overrides that let one deployment through. */
  freezes: FreezeStore;
  /** Breach notifications to regulators and people, one row per version. */
  breachNotifications: BreachNotificationStore;
  /** The incident's breach assessment, as the notifications read it. */
  breachAssessments: BreachAssessmentReader;
  /** GitHub as a GitHub App (null when GITHUB_APP_ID is not set): approvals, deployment protection answers. */
  codeHost: CodeHost | null;
  /** The teams' trackers action items are opened in (GitHub Issues through the GitHub App, Jira Cloud): those configured. */
  trackers: Readonly<Partial<Record<TrackerKind, IssueTracker>>>;
  /** Which tracker issue each action item has, and the webhook deliveries applied. */
  trackerLinks: TrackerLinkStore;
  /** Asks the tracker sync to run soon (after an item changed); absent: the background sweep gets to it. */
  trackerSync?: { kick(): void };
  /** The incident register, filtered and paged by the database (the web view). */
  register: IncidentRegister;
  /** The insights' figures, counted by the database (the web view). */
  insights: InsightFigures;
  /** What an evidence pack of a period reads (the web view). */
  evidence: EvidenceRecords;
  /** The signed checkpoints written to a folder (AUDIT_CHECKPOINT_DIR), read back for evidence packs; absent when none is set. */
  checkpointArchive?: CheckpointArchive;
  /** The audit trail the database writes with every change (read for evidence). */
  audit: AuditTrail;
  /**
   * What other features do once a change is recorded (see after-commit.ts): startBot lists the
   * review's (postReviewAfterCommit). Empty: nothing more happens after a change.
   */
  afterCommit: readonly AfterCommit[];
  /** Signed checkpoints of the trail outside the database; absent when none are configured. */
  auditCheckpoints?: { request(trigger: CheckpointTrigger): Promise<void> };
  settings: {
    broadcastChannelId: string;
    /** Where clinical-safety alerts go (channel ID); null: only the incident channel is told. */
    clinicalSafetyChannelId: string | null;
    /** User group mentioned in clinical-safety alerts (Slack: S…), or null. */
    clinicalSafetyGroupId: string | null;
    /** PagerDuty's From header when the person's Slack email is unknown (PAGERDUTY_FROM_EMAIL). */
    pagerDutyFromEmail: string | null;
    /** Shown beside each reader's own zone on the timeline. */
    defaultTimeZone: string;
    /** Working hours for the load report, in each responder's own zone; per team or schedule name (parseTeamWorkingHours keys). */
    workingHours: WorkingHours;
    teamWorkingHours: ReadonlyMap<string, WorkingHours>;
    /** Slack members who see everyone's individual on-call figures (empty: everyone; see maySeeIndividualOnCallFigures). */
    oncallLeads: readonly string[];
    /** The breach regimes the workspace answers to (BREACH_REGIMES); absent: UK GDPR alone. */
    breachRegimes?: readonly BreachRegime[];
    /** The pay rules of `/incident allowances` (ONCALL_PAY_RULES); absent or null: not set up. */
    payRules?: PayRules | null;
    /**
     * Wellbeing messages to the leads (ONCALL_WELLBEING and its thresholds); absent: off. A bad night
     * and the weekly check (more than `maxIncidentsPerShift` incidents in a 12-hour shift, more than
     * `maxOnCallShare` of the time on call over four weeks, the team's fairness worse).
     */
    wellbeing?: { enabled: boolean; maxIncidentsPerShift: number; maxOnCallShare: number } | null;
    /**
     * Provisioning lease (how long a run may stall before another takes over) and how long a
     * just-declared incident is left to its request before the background retry may take it.
     * Defaults: LEASE_MS and RESUME_GRACE_MS.
     */
    provisioning?: { leaseMs: number; graceMs: number };
    /**
     * GitHub owners whose repositories are taken (GITHUB_ALLOWED_OWNERS, compared in any case);
     * absent or empty: any owner. Without a catalog, a repository maps to a service by its name only
     * for these owners.
     */
    githubAllowedOwners?: readonly string[];
    /** How often update reminders and the commander nudge come (REMINDER_* settings); default DEFAULT_REMINDER_CADENCE. */
    reminderCadence?: ReminderCadence;
    /** Where an item's issue goes when the catalog names no tracker for its service or team (ACTION_TRACKER); absent: Slack only. */
    actionTracker?: TrackerTarget | null;
    /** The bot's own address, for links back to an incident from a tracker issue (Slack's app_redirect when absent). */
    slackTeamId?: string | null;
    /** The environments a change freeze protects (FREEZE_ENVIRONMENTS, lower case); default ['production']. */
    freezeEnvironments?: readonly string[];
  };
}
