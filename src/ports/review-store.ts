import type { ActionItem, BacklogCursor, NewActionItem } from '../domain/action-items.ts';
import type { GuardrailFigures } from '../domain/guardrail-report.ts';
import type { ServiceDeliveryFigures, TeamActionFigures } from '../domain/delivery-metrics.ts';
import type { ReviewInputDraft } from '../domain/review.ts';
import type { TrackerKind } from '../domain/trackers.ts';

/** What people added to a review, as stored (validated again with reviewInputSchema when read). */
export interface StoredReview {
  incidentId: string;
  /** The review input without action items (they are stored one by one). */
  input: ReviewInputDraft;
  updatedBy: string | null;
  updatedAt: Date;
  /** The review message in the incident channel, redrawn when the review changes. */
  postedTs: string | null;
}

/** A change to an action item and the line it puts on its incident's timeline, written together. */
export interface ActionChange {
  /** A Slack member, or (a change made in a tracker by someone with no Slack match) who, as the tracker names them. */
  by: string;
  at: Date;
  /** Made in a tracker (its webhook): the timeline entry says where and who. */
  via?: { tracker: TrackerKind; key: string; actor: string };
}

/**
 * What a change to an action item was decided on: its owner as read, and that the person changing
 * it (ActionChange.by) may (its owner, whoever added it, or its incident's commander, else its
 * declarer). Checked in the statement that writes the change, so a reassign or a handover at the
 * same moment makes it refuse instead of acting on a stale decision.
 */
export interface ActionGuard {
  ownerId: string | null;
}

/** The item as a reminder sweep read it: the claim fails if it was reassigned or snoozed meanwhile. */
export interface ActionReminderSeen {
  ownerId: string | null;
  snoozedUntil: string | null;
}

export interface ActionItemQuery {
  status?: 'open' | 'done';
  ownerId?: string;
  /** Only items due before this calendar date (YYYY-MM-DD). */
  dueBefore?: string;
  /** Only items due on or before this calendar date. */
  dueOnOrBefore?: string;
  limit?: number;
}

/** Which items a backlog listing shows (`/incident actions`, the App Home tab). */
export interface BacklogFilter {
  status?: 'open';
  ownerId?: string;
  /** Only items due before this calendar date (YYYY-MM-DD). */
  dueBefore?: string;
  /**
   * Only the items living there (domain TrackerFilter): `github`, `jira` (linked to an issue there),
   * `slack` (no tracker issue: none wanted, or not decided yet), `pending` (the issue is being created).
   */
  tracker?: 'github' | 'jira' | 'slack' | 'pending';
  /**
   * Only a service's items (`/incident service`): of its incidents (affected service exactly one of
   * `names`) or, with `team`, of its owning team (action_item.team).
   */
  service?: { names: readonly string[]; team: string | null };
  /**
   * Only the items `userId` may know of (`/incident service`): of a public incident, of one of the
   * private incidents in `privateShown` (those the reader may read, at most a few ids), or owned or
   * added by `userId`. The others are neither listed nor counted.
   */
  visibleTo?: { userId: string; privateShown: readonly string[] };
}

/** Persistence of post-incident reviews and their action items (the guardrail backlog). */
export interface ReviewStore {
  findReview(incidentId: string): Promise<StoredReview | null>;
  /**
   * Stores the input (replacing the previous one), adds `item` if given, and notes both on the
   * incident's timeline (with the input, for the record), in one transaction. With `basedOn` (the
   * stored review's updatedAt the person saw, null for none) it is a compare-and-set: null, and
   * nothing written, when someone saved the review since.
   */
  saveReviewInput(
    incidentId: string,
    input: ReviewInputDraft,
    change: ActionChange,
    item?: NewActionItem | null,
    basedOn?: Date | null,
  ): Promise<{ review: StoredReview; item: ActionItem | null } | null>;
  /** Remembers the review message posted in the channel. */
  setReviewPosted(incidentId: string, ts: string, at: Date): Promise<void>;
  /**
   * Adds an item and its timeline entry in one transaction (as saveReviewInput does its item): its
   * team, unless the item names one, is the incident's service owner (incident.service_owner).
   */
  addActionItem(incidentId: string, item: NewActionItem, change: ActionChange): Promise<ActionItem>;
  findActionItem(id: string): Promise<ActionItem | null>;
  /** The item numbered `number` (ACT-12 is 12), or null. */
  actionItemByNumber(number: number): Promise<ActionItem | null>;
  /** Every item of an incident, oldest first. */
  actionItemsOf(incidentId: string): Promise<ActionItem[]>;
  listActionItems(query: ActionItemQuery): Promise<ActionItem[]>;
  /**
   * One page of a backlog listing, sorted, filtered and limited by the database: at most `limit`
   * items in backlog order (sortBacklog), those after `after` when given.
   */
  backlogPage(filter: BacklogFilter, page: { after: BacklogCursor | null; limit: number }): Promise<ActionItem[]>;
  /** How many items the filter matches, counted up to `cap` (cap when there are at least that many). */
  countBacklog(filter: BacklogFilter, cap: number): Promise<number>;
  /** Marks an open item done; null (and nothing written) when it is not open any more. */
  completeActionItem(id: string, change: ActionChange, guard?: ActionGuard): Promise<ActionItem | null>;
  /** Gives an open item a new owner (its reminders start over); null when it is not open. */
  reassignActionItem(
    id: string,
    ownerId: string,
    change: ActionChange,
    guard?: ActionGuard,
  ): Promise<ActionItem | null>;
  /** Opens a done item again (its reminders start over); null when it is not done. */
  reopenActionItem(id: string, change: ActionChange, guard?: ActionGuard): Promise<ActionItem | null>;
  /** A new due date for an open item (null: none; its reminders start over); null when it is not open. */
  redateActionItem(id: string, due: string | null, change: ActionChange): Promise<ActionItem | null>;
  /** No reminders for an open item before `until` (YYYY-MM-DD); null when it is not open. */
  snoozeActionItem(id: string, until: string, change: ActionChange, guard?: ActionGuard): Promise<ActionItem | null>;
  /**
   * Compare-and-set: true for exactly one caller, while the item is open and its `kind` reminder
   * time is still `previous` (the one read). Sets it to `now`.
   */
  claimActionReminder(
    id: string,
    kind: 'due' | 'overdue',
    previous: Date | null,
    now: Date,
    seen?: ActionReminderSeen,
  ): Promise<boolean>;
  /** Gives a claimed reminder back (its message failed), so the next sweep sends it. */
  releaseActionReminder(id: string, kind: 'due' | 'overdue', claimedAt: Date, previous: Date | null): Promise<void>;
  /**
   * Of the incidents declared in [since, until] (with `privateChannels`, only those a reader in those
   * channels may see): how many have a review listing a contributing factor, and each factor's count
   * (once per incident). What the web view's insights need of the guardrail figures.
   */
  factorFigures(
    since: Date,
    until: Date,
    privateChannels?: readonly string[],
  ): Promise<Pick<GuardrailFigures, 'reviewed' | 'factorCounts'>>;
  /**
   * The guardrail report's figures, counted by the database: incidents declared in [since, until]
   * (their factors, near misses and services), action items created then by category and status,
   * and the backlog open now (its two middle creation times, and how many are due before `today`).
   */
  guardrailFigures(
    since: Date,
    until: Date,
    today: string,
    /**
     * Given (the web view's insights): the incident counts and contributing factors only of the
     * incidents a reader may see, public ones and private ones of these channels. Absent: all.
     */
    privateChannels?: readonly string[],
  ): Promise<GuardrailFigures>;
  /**
   * Change failure rate and time to restore per service (domain/delivery-metrics.ts), counted by the
   * database: changes in [since, until] and whether an incident followed each on its service, and
   * the incidents declared then with their restore times; at most `limit` services, most incidents first.
   */
  deliveryFigures(since: Date, until: Date, limit: number): Promise<ServiceDeliveryFigures[]>;
  /**
   * The open action items per team (ActionItem.team) now, and how many are due before `today`;
   * items without a team left out (counts only: no incident is named). Most open first (then most
   * overdue, then the team), at most `limit` teams.
   */
  openActionsByTeam(today: string, limit: number): Promise<TeamActionFigures[]>;
}
