import { TRACKER_LINK_STATES, TRACKER_NAMES, type SyncedFields, type TrackerIssue } from '../domain/trackers.ts';
import type { TrackerKind, TrackerLinkState, TrackerTarget } from '../domain/trackers.ts';
import { actionRef } from '../domain/action-items.ts';
import type { ClaimedTrackerLink, TrackerLink, TrackerLinkStore } from '../ports/tracker-links.ts';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import { auditedTransaction } from './audited.ts';

type LinkRow = Prisma.TrackerLinkGetPayload<object>;

const toDate = (day: string): Date => new Date(`${day}T00:00:00.000Z`);
const toDay = (d: Date | null): string | null => (d ? d.toISOString().slice(0, 10) : null);

function toLink(r: LinkRow): TrackerLink {
  const tracker = r.tracker === 'github' || r.tracker === 'jira' ? r.tracker : null;
  const state = (TRACKER_LINK_STATES as readonly string[]).includes(r.state) ? (r.state as TrackerLinkState) : 'new';
  return {
    actionItemId: r.actionItemId,
    incidentId: r.incidentId,
    state,
    tracker,
    target: r.target,
    issue: r.issueId && r.issueKey && r.issueUrl ? { id: r.issueId, key: r.issueKey, url: r.issueUrl } : null,
    synced:
      r.syncedStatus === 'open' || r.syncedStatus === 'done'
        ? {
            status: r.syncedStatus,
            ownerId: r.syncedOwnerId,
            due: toDay(r.syncedDue),
            snoozedUntil: toDay(r.syncedSnoozedUntil),
          }
        : null,
    attempts: r.attempts,
    lastError: r.lastError,
    failureToldAt: r.failureToldAt,
    createTriedAt: r.createTriedAt,
    lastEventAt: r.lastEventAt,
    goneAnswers: r.goneAnswers,
  };
}

const syncedData = (s: SyncedFields) => ({
  syncedStatus: s.status,
  syncedOwnerId: s.ownerId,
  syncedDue: s.due === null ? null : toDate(s.due),
  syncedSnoozedUntil: s.snoozedUntil === null ? null : toDate(s.snoozedUntil),
});

/**
 * The links between action items and their tracker issues (tracker_link, tracker_delivery). The
 * migration's triggers add a link with each item and mark it dirty when the item changes; this
 * store claims, records and finds them.
 */
export class PrismaTrackerLinkStore implements TrackerLinkStore {
  private readonly prisma: PrismaClient;

  constructor(prisma: PrismaClient) {
    this.prisma = prisma;
  }

  async claimDue(now: Date, limit: number, leaseMs: number): Promise<ClaimedTrackerLink[]> {
    const until = new Date(now.getTime() + leaseMs);
    // One statement claims: a replica's claim moves next_attempt_at past now, so another skips it.
    const claimed = await this.prisma.$queryRaw<{ id: string; service: string | null }[]>`
      UPDATE tracker_link l SET next_attempt_at = ${until}
        FROM (
          SELECT action_item_id FROM tracker_link
           WHERE next_attempt_at <= ${now}
           ORDER BY next_attempt_at
           LIMIT ${limit}
           FOR UPDATE SKIP LOCKED
        ) due, incident i
       WHERE l.action_item_id = due.action_item_id AND i.id = l.incident_id
      RETURNING l.action_item_id::text AS id, i.affected_service AS service`;
    // Each link is read as it is when its turn comes (reclaim): nothing more is read here.
    return claimed.map((c) => ({ actionItemId: c.id, service: c.service, claimedUntil: until }));
  }

  async reclaim(actionItemId: string, claimedUntil: Date, now: Date, leaseMs: number): Promise<TrackerLink | null> {
    // One statement: taken again, and read as it is now.
    const rows = await this.prisma.$queryRaw<LinkRow[]>`
      UPDATE tracker_link SET next_attempt_at = ${new Date(now.getTime() + leaseMs)}
       WHERE action_item_id = ${actionItemId}::uuid AND next_attempt_at = ${claimedUntil}
      RETURNING action_item_id::text AS "actionItemId", incident_id::text AS "incidentId", state, tracker,
        target, issue_id AS "issueId", issue_key AS "issueKey", issue_url AS "issueUrl",
        synced_status AS "syncedStatus", synced_owner_id AS "syncedOwnerId", synced_due AS "syncedDue",
        synced_snoozed_until AS "syncedSnoozedUntil", dirty, attempts, last_error AS "lastError",
        next_attempt_at AS "nextAttemptAt", failure_told_at AS "failureToldAt",
        create_tried_at AS "createTriedAt", last_event_at AS "lastEventAt", gone_answers AS "goneAnswers",
        applying_until AS "applyingUntil", created_at AS "createdAt", updated_at AS "updatedAt"`;
    return rows.length === 1 ? toLink(rows[0]!) : null;
  }

  async markTrackerState(
    actionItemId: string,
    fields: Partial<SyncedFields>,
    eventAt: Date | null,
    at: Date,
  ): Promise<void> {
    const set: Prisma.Sql[] = [Prisma.sql`updated_at = ${at}`];
    if (fields.status !== undefined) set.push(Prisma.sql`synced_status = ${fields.status}`);
    if (fields.ownerId !== undefined) set.push(Prisma.sql`synced_owner_id = ${fields.ownerId}`);
    if (fields.due !== undefined)
      set.push(Prisma.sql`synced_due = ${fields.due === null ? null : toDate(fields.due)}::date`);
    if (eventAt) set.push(Prisma.sql`last_event_at = GREATEST(last_event_at, ${eventAt}::timestamptz)`);
    await auditedTransaction(this.prisma, async (tx) => {
      await tx.$executeRaw`UPDATE tracker_link SET ${Prisma.join(set, ', ')} WHERE action_item_id = ${actionItemId}::uuid`;
      // Due again only when the item differs from what the tracker has (a change made in Slack meanwhile).
      await tx.$executeRaw`
        UPDATE tracker_link l
           SET dirty = d.differs,
               next_attempt_at = CASE WHEN d.differs THEN COALESCE(l.next_attempt_at, ${at}::timestamptz) ELSE NULL END
          FROM (SELECT a.id, (a.status::text, a.owner_id, a.due, a.snoozed_until)
                  IS DISTINCT FROM (t.synced_status, t.synced_owner_id, t.synced_due, t.synced_snoozed_until) AS differs
                  FROM action_item a JOIN tracker_link t ON t.action_item_id = a.id
                 WHERE a.id = ${actionItemId}::uuid) d
         WHERE l.action_item_id = d.id AND l.state = 'linked'`;
    });
  }

  async markGone(actionItemId: string, at: Date): Promise<boolean> {
    return auditedTransaction(this.prisma, async (tx) => {
      const { count } = await tx.trackerLink.updateMany({
        where: { actionItemId, state: 'linked' },
        data: { state: 'none', dirty: false, nextAttemptAt: null, updatedAt: at },
      });
      if (count !== 1) return false;
      const row = await tx.trackerLink.findUniqueOrThrow({ where: { actionItemId } });
      const item = await tx.actionItem.findUniqueOrThrow({ where: { id: actionItemId }, select: { number: true } });
      const where = TRACKER_NAMES[row.tracker as TrackerKind] ?? row.tracker;
      await tx.timelineEntry.create({
        data: {
          incidentId: row.incidentId,
          occurredAt: at,
          actorId: null,
          kind: 'action_item_untracked',
          text: `Action item ${actionRef(item)}'s issue ${row.issueKey} is no longer in ${where} (deleted or moved): the item lives in Slack only now`,
          data: { actionItemId, number: item.number, tracker: row.tracker, key: row.issueKey },
        },
      });
      return true;
    });
  }

  async markIdle(actionItemId: string): Promise<void> {
    await this.prisma.trackerLink.updateMany({ where: { actionItemId }, data: { nextAttemptAt: null } });
  }

  async purgeDeliveries(before: Date): Promise<number> {
    const { count } = await this.prisma.trackerDelivery.deleteMany({ where: { receivedAt: { lt: before } } });
    return count;
  }

  async markNone(actionItemId: string): Promise<void> {
    await this.prisma.trackerLink.updateMany({
      where: { actionItemId, state: { in: ['new', 'pending'] } },
      data: { state: 'none', nextAttemptAt: null, updatedAt: new Date() },
    });
  }

  async markTarget(actionItemId: string, target: TrackerTarget, at: Date): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE tracker_link
         SET state = 'pending', tracker = ${target.tracker}, target = ${target.target},
             create_tried_at = COALESCE(create_tried_at, ${at}), updated_at = ${at}
       WHERE action_item_id = ${actionItemId}::uuid AND state IN ('new', 'pending')`;
  }

  async markLinked(actionItemId: string, issue: TrackerIssue, synced: SyncedFields, at: Date): Promise<void> {
    await auditedTransaction(this.prisma, async (tx) => {
      const { count } = await tx.trackerLink.updateMany({
        where: { actionItemId, state: 'pending' },
        data: {
          state: 'linked',
          issueId: issue.id,
          issueKey: issue.key,
          issueUrl: issue.url,
          ...syncedData(synced),
          attempts: 0,
          goneAnswers: 0,
          lastError: null,
          failureToldAt: null,
          updatedAt: at,
        },
      });
      if (count !== 1) return;
      const row = await tx.trackerLink.findUniqueOrThrow({ where: { actionItemId } });
      const item = await tx.actionItem.findUniqueOrThrow({
        where: { id: actionItemId },
        select: { number: true, status: true, ownerId: true, due: true, snoozedUntil: true },
      });
      // Still due if the item changed while its issue was being created (pushed by the next pass).
      const changed =
        item.status !== synced.status ||
        item.ownerId !== synced.ownerId ||
        toDay(item.due) !== synced.due ||
        toDay(item.snoozedUntil) !== synced.snoozedUntil;
      await tx.trackerLink.update({
        where: { actionItemId },
        data: { dirty: changed, nextAttemptAt: changed ? at : null },
      });
      await tx.timelineEntry.create({
        data: {
          incidentId: row.incidentId,
          occurredAt: at,
          actorId: null,
          kind: 'action_item_tracked',
          text: `Action item ${actionRef(item)} is tracked in ${TRACKER_NAMES[row.tracker as TrackerKind] ?? row.tracker} as ${issue.key}: ${issue.url}`,
          data: { actionItemId, number: item.number, tracker: row.tracker, key: issue.key, url: issue.url },
        },
      });
    });
  }

  async markPushed(actionItemId: string, synced: SyncedFields, at: Date): Promise<void> {
    const due = synced.due === null ? null : toDate(synced.due);
    const snoozed = synced.snoozedUntil === null ? null : toDate(synced.snoozedUntil);
    // Still due when the item differs from what was pushed (it changed meanwhile).
    const differs = Prisma.sql`(a.status::text, a.owner_id, a.due, a.snoozed_until)
      IS DISTINCT FROM (${synced.status}::text, ${synced.ownerId}::text, ${due}::date, ${snoozed}::date)`;
    await this.prisma.$executeRaw`
      UPDATE tracker_link l
         SET synced_status = ${synced.status}, synced_owner_id = ${synced.ownerId},
             synced_due = ${due}::date, synced_snoozed_until = ${snoozed}::date,
             attempts = 0, gone_answers = 0, last_error = NULL, failure_told_at = NULL, updated_at = ${at},
             dirty = ${differs},
             next_attempt_at = CASE WHEN ${differs} THEN ${at}::timestamptz ELSE NULL END
        FROM action_item a
       WHERE l.action_item_id = ${actionItemId}::uuid AND a.id = l.action_item_id`;
  }

  async markFailed(actionItemId: string, error: string, retryAt: Date, at: Date, gone = false): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<{ first: boolean }[]>`
      UPDATE tracker_link l
         SET attempts = l.attempts + 1, last_error = ${error.slice(0, 500)}, next_attempt_at = ${retryAt},
             gone_answers = CASE WHEN ${gone} THEN l.gone_answers + 1 ELSE 0 END,
             failure_told_at = COALESCE(l.failure_told_at, ${at}), updated_at = ${at}
        FROM (SELECT failure_told_at FROM tracker_link WHERE action_item_id = ${actionItemId}::uuid FOR UPDATE) before
       WHERE l.action_item_id = ${actionItemId}::uuid
      RETURNING before.failure_told_at IS NULL AS first`;
    return rows[0]?.first ?? false;
  }

  async takeApplyTurn(actionItemId: string, now: Date, until: Date): Promise<boolean> {
    const n = await this.prisma.$executeRaw`
      UPDATE tracker_link SET applying_until = ${until}
       WHERE action_item_id = ${actionItemId}::uuid AND (applying_until IS NULL OR applying_until <= ${now})`;
    return n === 1;
  }

  async endApplyTurn(actionItemId: string): Promise<void> {
    await this.prisma
      .$executeRaw`UPDATE tracker_link SET applying_until = NULL WHERE action_item_id = ${actionItemId}::uuid`;
  }

  async itemOfIssue(tracker: TrackerKind, target: string, issueId: string): Promise<string | null> {
    // By the issue and its repository or project compared exactly in any case: never a pattern.
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      SELECT action_item_id::text AS id FROM tracker_link
       WHERE tracker = ${tracker} AND issue_id = ${issueId} AND state = 'linked' AND lower(target) = lower(${target})
       LIMIT 1`;
    return rows[0]?.id ?? null;
  }

  async findByItem(actionItemId: string): Promise<TrackerLink | null> {
    const row = await this.prisma.trackerLink.findUnique({ where: { actionItemId } });
    return row ? toLink(row) : null;
  }

  async firstDelivery(tracker: TrackerKind, deliveryId: string, at: Date): Promise<boolean> {
    const n = await this.prisma.$executeRaw`
      INSERT INTO tracker_delivery (tracker, delivery_id, received_at) VALUES (${tracker}, ${deliveryId}, ${at})
      ON CONFLICT DO NOTHING`;
    return n === 1;
  }

  async forgetDelivery(tracker: TrackerKind, deliveryId: string): Promise<void> {
    await this.prisma.trackerDelivery.deleteMany({ where: { tracker, deliveryId } });
  }
}
