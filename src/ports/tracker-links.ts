import type { SyncedFields, TrackerIssue, TrackerKind, TrackerLinkState, TrackerTarget } from '../domain/trackers.ts';

/** An action item's place in its tracker, as stored (one per item: the database adds it with the item). */
export interface TrackerLink {
  actionItemId: string;
  incidentId: string;
  state: TrackerLinkState;
  tracker: TrackerKind | null;
  target: string | null;
  issue: TrackerIssue | null;
  /** The item's fields as the tracker last had them (null before the issue exists). */
  synced: SyncedFields | null;
  /** Failed attempts in a row. */
  attempts: number;
  lastError: string | null;
  /** When the owner and the channel were told the tracker failed (once per outage). */
  failureToldAt: Date | null;
  /** The first attempt to create the issue: a retry first looks for an issue made since. */
  createTriedAt: Date | null;
  /** When the latest change applied from the tracker happened there. */
  lastEventAt: Date | null;
  /** How many times in a row the tracker said the issue is gone. */
  goneAnswers: number;
}

/** A link claimed for a pass: which item, and the incident's affected service (for the catalog's annotations). */
export interface ClaimedTrackerLink {
  actionItemId: string;
  service: string | null;
  /** Until when this pass holds the claim (reclaim takes it again, for one link, just before its work). */
  claimedUntil: Date;
}

/**
 * The links between action items and tracker issues, and the webhook deliveries applied. The
 * database adds a `new` link with every action item and marks it to push whenever the item's
 * status, owner or due date changes (triggers), so no path that changes an item is missed.
 */
export interface TrackerLinkStore {
  /**
   * Claims up to `limit` links with work due at `now` (new, pending, or linked and changed since the
   * last push), each for `leaseMs` (another replica skips them meanwhile). Oldest first.
   */
  claimDue(now: Date, limit: number, leaseMs: number): Promise<ClaimedTrackerLink[]>;
  /**
   * Takes one claimed link again just before working on it, for another `leaseMs`: the link as it is
   * now, or null when another replica took it since (the claim ran out) or it has no work any more.
   */
  reclaim(actionItemId: string, claimedUntil: Date, now: Date, leaseMs: number): Promise<TrackerLink | null>;
  /** No tracker applies to the item: it stays in Slack only. */
  markNone(actionItemId: string): Promise<void>;
  /** The tracker chosen (state pending), and the first create attempt's time when not yet set. */
  markTarget(actionItemId: string, target: TrackerTarget, at: Date): Promise<void>;
  /**
   * The issue exists: linked, with the fields it was created with as synced; a timeline entry on the
   * item's incident says where it lives. Attempts and errors cleared.
   */
  markLinked(actionItemId: string, issue: TrackerIssue, synced: SyncedFields, at: Date): Promise<void>;
  /**
   * Fields pushed (or, from a webhook, the tracker's own state applied to the item): synced set to
   * them; the link stays due only if the item differs from them.
   */
  markPushed(actionItemId: string, synced: SyncedFields, at: Date): Promise<void>;
  /**
   * A failed attempt: counted, the error kept, the next try at `retryAt` (`gone`: the tracker said
   * the issue is gone; counted apart, and reset by any other outcome). True when this failure is
   * the first since the last success (failureToldAt was null; it is set now): the caller tells the
   * owner and the channel, once.
   */
  markFailed(actionItemId: string, error: string, retryAt: Date, at: Date, gone?: boolean): Promise<boolean>;
  /**
   * Takes the turn to apply a webhook to the item's issue until `until` (deliveries for one issue,
   * on any replica, take their turn); false while another holds it.
   */
  takeApplyTurn(actionItemId: string, now: Date, until: Date): Promise<boolean>;
  endApplyTurn(actionItemId: string): Promise<void>;
  /**
   * Only the fields a tracker's webhook changed, as the tracker has them now (the others as they
   * were: a push made meanwhile is not undone), and when that happened there; due again only if the
   * item differs.
   */
  markTrackerState(actionItemId: string, fields: Partial<SyncedFields>, eventAt: Date | null, at: Date): Promise<void>;
  /**
   * The issue is gone from the tracker (deleted, or moved elsewhere): the item lives in Slack only
   * from now on, with a timeline entry saying so. True when this call unlinked it.
   */
  markGone(actionItemId: string, at: Date): Promise<boolean>;
  /** Nothing to do until the item changes (its tracker is no longer configured). */
  markIdle(actionItemId: string): Promise<void>;
  /** Forgets the deliveries received before `before` (older ones are refused by their age anyway). */
  purgeDeliveries(before: Date): Promise<number>;
  /** The action item whose linked issue this is (by the tracker, its repository or project in any case, and the issue id), or null. */
  itemOfIssue(tracker: TrackerKind, target: string, issueId: string): Promise<string | null>;
  findByItem(actionItemId: string): Promise<TrackerLink | null>;
  /** True the first time a delivery id is seen for a tracker; false for a redelivery. */
  firstDelivery(tracker: TrackerKind, deliveryId: string, at: Date): Promise<boolean>;
  /** A delivery that could not be applied: its redelivery is taken. */
  forgetDelivery(tracker: TrackerKind, deliveryId: string): Promise<void>;
}
