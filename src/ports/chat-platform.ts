import type { ActionItem } from '../domain/action-items.ts';
import type { BreachNotification } from '../domain/breach-assessment.ts';
import type { RecordedBreachAssessment } from '../domain/breach-assessment.ts';
import type { ObligationNotice, ObligationWord } from '../domain/breach-obligations.ts';
import type { BreachRegime, Obligation } from '../domain/breach-regimes.ts';
import type { CatalogService } from '../domain/catalog.ts';
import type { ChangeEvent } from '../domain/changes.ts';
import type { Incident } from '../domain/incident.ts';
import type { ClinicalRecord, HazardLink } from '../domain/clinical-safety.ts';
import type { PostIncidentReview } from '../domain/review.ts';
import type { TrackerKind } from '../domain/trackers.ts';

/** A chat failure the bot can explain: `code` is the platform's own (e.g. Slack's `not_in_channel`). */
export class ChatError extends Error {
  readonly code: string;

  constructor(code: string, message?: string) {
    super(message ?? code);
    this.code = code;
    this.name = 'ChatError';
  }
}

/** Slack failures that a retry may cure; any other is permanent (a deactivated user, a missing scope, …). */
const TRANSIENT_CODES = new Set([
  'ratelimited',
  'request_error',
  'http_error',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'unknown_error',
  'upload_failed',
]);
export function isTransient(err: unknown): boolean {
  return !(err instanceof ChatError) || TRANSIENT_CODES.has(err.code);
}

export type CreateChannelResult = { ok: true; id: string; name: string } | { ok: false; reason: 'name_taken' };

/** Messages the use cases send; the chat adapter decides how they look. */
export type Notice =
  | { kind: 'status-update'; incident: Incident; by: string; message: string }
  | { kind: 'status-changed'; incident: Incident; by: string; from: Incident['status']; message: string | null }
  | { kind: 'severity-changed'; incident: Incident; by: string; from: Incident['severity']; reason: string | null }
  | { kind: 'role-assigned'; incident: Incident; by: string; role: keyof Incident['roles']; userId: string }
  | { kind: 'note-added'; incident: Incident; by: string; text: string }
  | { kind: 'resolved'; incident: Incident; by: string; summary: string | null; openPagerDutyIncidents: number }
  | { kind: 'closed'; incident: Incident; by: string }
  | { kind: 'reopened'; incident: Incident; by: string; reason: string | null }
  | { kind: 'clinical-impact'; incident: Incident; by: string; on: boolean }
  | { kind: 'clinical-safety-alert'; incident: Incident; groupId: string | null }
  /** A hazard linked, changed or unlinked, or the clinical safety sign-off (`voided`: a sign-off in force became void). */
  | {
      kind: 'clinical-record';
      incident: Incident;
      by: string;
      change:
        | { op: 'add' | 'update' | 'remove'; hazard: Pick<HazardLink, 'hazardId' | 'title' | 'before' | 'after'> }
        | { op: 'signoff'; note: string | null };
      voided: boolean;
    }
  | { kind: 'freeze-started'; incident: Incident }
  | { kind: 'freeze-lifted'; incident: Incident }
  /** A commander froze changes to a service (or every service, ALL_SERVICES) from the incident. */
  | { kind: 'change-freeze-started'; incident: Incident; by: string; scope: string; reason: string }
  /** A commander lifted the incident's freezes of these scopes. */
  | {
      kind: 'change-freeze-ended';
      incident: Incident;
      /** Who lifted it (a Slack user), or '' when the change that ended it had no actor. */
      by: string;
      scopes: string[];
      /** Set when the freeze ended with its incident (not with `/incident freeze off`). */
      because?: 'resolved' | 'closed';
    }
  /** A commander let one deployment of a service through the freeze. */
  | { kind: 'freeze-override'; incident: Incident; by: string; service: string; reason: string }
  /**
   * To the incident channel only: a deployment or change of a frozen service was held (the protection
   * rule rejected it), let through by an override (`approvedBy`), or landed without one (flagged).
   */
  | {
      kind: 'freeze-deployment';
      incident: Incident;
      outcome: 'held' | 'let-through' | 'flagged';
      service: string;
      what: string;
      approvedBy: string | null;
    }
  | { kind: 'update-reminder'; incident: Incident; minutesSinceUpdate: number }
  | { kind: 'commander-nudge'; incident: Incident; minutesSinceDeclared: number }
  /** Breach notices go to the incident channel only. `timeZone`: the team's, for the deadline. */
  | { kind: 'data-breach'; incident: Incident; by: string; on: boolean; timeZone: string; reason?: string | null }
  /** The breach assessment recorded (`decisionChanged`: the decision or its reason, by the commander or DPO). */
  | {
      kind: 'breach-assessed';
      incident: Incident;
      by: string;
      assessment: RecordedBreachAssessment;
      decisionChanged: boolean;
    }
  /** Notifications other than the ICO's alone recorded as made (`late`: the words of those past their deadline). */
  | {
      kind: 'obligation-notified';
      incident: Incident;
      by: string;
      obligations: Obligation[];
      late: ObligationWord[];
      /** When it was recorded. */
      at: Date;
      reference: string | null;
      timeZone: string;
    }
  /** A regime's deadline coming (or passed, `overdue`) for an obligation not yet notified. */
  | {
      kind: 'obligation-reminder';
      incident: Incident;
      obligation: Obligation;
      overdue: boolean;
      now: Date;
      timeZone: string;
    }
  | { kind: 'breach-notified'; incident: Incident; by: string; reference: string | null; timeZone: string }
  /**
   * To the incident channel only: a breach notification drafted (`placeholders` left to complete,
   * `redactions` the PHI guard made), approved (`ownDraft`: by its drafter, no other approver
   * being there), recorded as sent, or withdrawn.
   */
  | {
      kind: 'breach-notification';
      incident: Incident;
      notification: BreachNotification;
      event: 'drafted' | 'approved' | 'sent' | 'withdrawn';
      by: string;
      placeholders?: number;
      redactions?: number;
      ownDraft?: boolean;
    }
  /** `hours` after awareness: 24, 48, 66, or 72 when the deadline has passed. */
  | { kind: 'breach-reminder'; incident: Incident; hours: number; deadline: Date; now: Date; timeZone: string }
  | { kind: 'on-call-lookup-failed'; incident: Incident; reason: string }
  /**
   * To the affected service's owning team, in its channel: the incident redacted (outboundIncident);
   * a private one only by its reference. `service`: the catalog's name for people; `owner`: the team's.
   */
  | { kind: 'owner-notice'; incident: Incident; service: string; owner: string | null }
  | {
      kind: 'on-call-invited';
      incident: Incident;
      people: { slackUserId: string | null; name: string; level: number }[];
      target: string;
    }
  | {
      kind: 'paged';
      incident: Incident;
      by: string;
      target: string;
      paged: { number: number | null; htmlUrl: string | null; title: string };
    }
  | { kind: 'action-item-added'; incident: Incident; by: string; item: ActionItem }
  /** To the new owner, directly. */
  | { kind: 'action-item-assigned'; incident: Incident; by: string; item: ActionItem }
  /**
   * To the item's owner and its incident channel, once per outage: its tracker could not be reached
   * or refused (creating its issue, or bringing it in step); the item is kept and retried.
   */
  | {
      kind: 'tracker-failed';
      incident: Incident;
      item: ActionItem;
      tracker: TrackerKind;
      /** The repository or project. */
      target: string;
      /** Null while the issue does not exist yet. */
      issueKey: string | null;
      reason: string;
      /** The issue was deleted or moved: the item lives in Slack only now (nothing is retried). */
      gone?: boolean;
    }
  /** To the new owner, directly: the item was assigned to them in its tracker (`by`: who, as the tracker names them). */
  | {
      kind: 'tracker-assigned';
      incident: Incident;
      item: ActionItem;
      tracker: TrackerKind;
      issueKey: string;
      by: string;
    };

/**
 * What the pinned summary shows beside the incident's record (services/summary-context.ts): its
 * affected service in the catalog (null: none, or unknown to it), the recent changes to it, and
 * the incident's change freezes.
 */
export interface SummaryContext {
  service: CatalogService | null;
  /** The changes before the declaration (the suspects), newest first, at most a few. */
  changes: ChangeEvent[];
  /** The changes since the declaration, newest first, at most a few. */
  changesSince?: ChangeEvent[];
  /** The incident's manual freezes in force (`/incident freeze on`): a service or ALL_SERVICES, and why. */
  freezes?: { scope: string; reason: string }[];
  /** Its overrides not used yet (`/incident freeze override`): the service each lets one deployment of. */
  overrides?: { service: string }[];
  /** A clinical-impact incident's hazards and sign-offs (read only while it has clinical impact). */
  clinical?: ClinicalRecord;
  /** A personal data breach's assessment, the regimes' obligations and the notifications made (absent: not a breach). */
  breach?: {
    regimes: readonly BreachRegime[];
    assessment: RecordedBreachAssessment | null;
    notices: ObligationNotice[];
  };
}

/** A file to share: text (e.g. Markdown, CSV) or bytes (e.g. a PNG chart). */
export interface ChatFile {
  filename: string;
  title: string;
  content: string | Buffer;
  /** The message introducing it; empty for none. */
  comment: string;
}

/** A chat message as the platform reports it (for the timeline). */
export interface ChatMessage {
  ts: string;
  userId: string | null;
  text: string;
  permalink: string | null;
}

/**
 * A person's standing in the workspace: a full active `member`; a `guest` (multi- or single-channel:
 * Slack shows them only the channels they were invited to); `deactivated`; a `bot`; or `unknown` (no
 * such user).
 */
export interface MemberStanding {
  standing: 'member' | 'guest' | 'deactivated' | 'bot' | 'unknown';
  /** Their own IANA time zone, or null when Slack does not say. */
  timeZone: string | null;
}

/** What the incident use cases need from the chat workspace (Slack in production). */
export interface ChatPlatform {
  createChannel(name: string, isPrivate: boolean): Promise<CreateChannelResult>;
  /** A live channel of that name the bot can see, and whether the bot created it; null if none. */
  findChannelByName(name: string): Promise<{ id: string; name: string; createdByBot: boolean } | null>;
  /** Users already in the channel are fine. */
  inviteUsers(channelId: string, userIds: string[]): Promise<void>;
  /**
   * The private channels the user is a member of now, among those the bot is in (Slack:
   * users.conversations): which private incidents they may read, in one question (the web view's listings).
   */
  privateChannelsOf(userId: string): Promise<Set<string>>;
  /** Whether the user is a member of the channel now (Slack: conversations.members); false for a channel that is gone. */
  isMember(channelId: string, userId: string): Promise<boolean>;
  /** Posts the incident summary; returns the message id (Slack ts). */
  postSummary(channelId: string, incident: Incident, context: SummaryContext): Promise<string>;
  updateSummary(channelId: string, ts: string, incident: Incident, context: SummaryContext): Promise<void>;
  /** Pinning an already pinned message is fine. */
  pinMessage(channelId: string, ts: string): Promise<void>;
  /** Announces the incident in the broadcast channel; returns the message id. */
  announce(broadcastChannelId: string, incident: Incident): Promise<string>;
  /**
   * A message only the requester sees (Slack: the slash command's response_url). With `replace`, it
   * takes the place of the private message whose button gave the response URL (a timeline's next page).
   */
  replyPrivately(
    responseUrl: string,
    text: string,
    blocks?: readonly object[],
    opts?: { replace?: boolean },
  ): Promise<void>;
  /** A direct message from the bot (when there is no response URL, or it has expired). */
  directMessage(userId: string, text: string): Promise<void>;
  /** Posts a notice in a channel; returns the message id. */
  notify(channelId: string, notice: Notice): Promise<string>;
  /** A message by id, with its permalink; null when it no longer exists. */
  fetchMessage(channelId: string, ts: string): Promise<ChatMessage | null>;
  permalink(channelId: string, ts: string): Promise<string | null>;
  /** The member's email (for PagerDuty's From header), or null. */
  userEmail(userId: string): Promise<string | null>;
  /** The workspace member with this email, or null (no such member, or not visible to the bot). */
  userIdByEmail(email: string): Promise<string | null>;
  /** Members for many emails at once (lower-cased email → member); emails with no member are left out. */
  userIdsByEmail(emails: readonly string[]): Promise<Map<string, string>>;
  /** The user's own IANA time zone, or null when unknown. */
  userTimeZone(userId: string): Promise<string | null>;
  /**
   * Whether the user is a full, active member of the workspace, and their time zone, in one question
   * (Slack: users.info): who may use the web view. Throws a ChatError when Slack cannot be asked.
   */
  memberStanding(userId: string): Promise<MemberStanding>;
  /**
   * The members' full names (Slack's real name, else display name, else user name), by id; ids
   * Slack does not know are left out (Slack not answering is an error: nothing is known then).
   */
  displayNames(userIds: readonly string[]): Promise<Map<string, string>>;
  /** Posts the review in the channel, or redraws the one at `ts`; returns the message id. */
  postReview(channelId: string, review: PostIncidentReview, ts: string | null): Promise<string>;
  /** Shares a file in the channel (Slack: files.getUploadURLExternal + files.completeUploadExternal). */
  uploadFile(channelId: string, file: ChatFile): Promise<void>;
  /** Sends files to a person in their direct messages with the bot (reports that are theirs alone). */
  sendFilesPrivately(userId: string, files: ChatFile[]): Promise<void>;
  /** Tells an action item's owner, directly, that it fell due or is overdue (`today`: YYYY-MM-DD). */
  remindActionOwner(item: ActionItem, reminder: 'due' | 'overdue', today: string): Promise<void>;
}
