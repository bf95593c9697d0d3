import {
  ACTION_STATUSES,
  actionRef,
  type ActionItem,
  type ActionStatus,
  type BacklogCursor,
  type NewActionItem,
} from '../domain/action-items.ts';
import { TRACKER_NAMES } from '../domain/trackers.ts';
import { ACTION_HOMES, type ActionHome, type GuardrailFigures } from '../domain/guardrail-report.ts';
import {
  CHANGE_FAILURE_WINDOW_HOURS,
  type ServiceDeliveryFigures,
  type TeamActionFigures,
} from '../domain/delivery-metrics.ts';
import {
  ACTION_CATEGORIES,
  ACTION_PRIORITIES,
  CONTRIBUTING_FACTORS,
  type ActionCategory,
  type ContributingFactor,
  type ReviewInputDraft,
} from '../domain/review.ts';
import type {
  ActionChange,
  ActionGuard,
  ActionItemQuery,
  ActionReminderSeen,
  BacklogFilter,
  ReviewStore,
  StoredReview,
} from '../ports/review-store.ts';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import { audited, auditedTransaction } from './audited.ts';
import { nextNumber } from './numbering.ts';

const withIncident = {
  incident: { select: { number: true, title: true, isPrivate: true, drill: true, channelId: true } },
  trackerLink: { select: { state: true, tracker: true, target: true, issueKey: true, issueUrl: true } },
} as const;
type ActionRow = Prisma.ActionItemGetPayload<{ include: typeof withIncident }>;
type ReviewRow = Prisma.IncidentReviewGetPayload<object>;

/** A calendar date is stored as a DATE: midnight UTC on the JavaScript side. */
const toDate = (day: string): Date => new Date(`${day}T00:00:00.000Z`);
const toDay = (d: Date | null): string | null => (d ? d.toISOString().slice(0, 10) : null);

function toActionItem(r: ActionRow): ActionItem {
  return {
    id: r.id,
    number: r.number,
    incidentId: r.incidentId,
    incidentNumber: r.incident.number,
    incidentTitle: r.incident.title,
    incidentPrivate: r.incident.isPrivate,
    incidentDrill: r.incident.drill,
    incidentChannelId: r.incident.channelId,
    text: r.text,
    ownerId: r.ownerId,
    team: r.team,
    due: toDay(r.due),
    category: r.category,
    priority: r.priority,
    status: r.status,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    completedAt: r.completedAt,
    completedBy: r.completedBy,
    snoozedUntil: toDay(r.snoozedUntil),
    dueRemindedAt: r.dueRemindedAt,
    overdueRemindedAt: r.overdueRemindedAt,
    tracker: trackerOf(r.trackerLink),
  };
}

/** What listings show of the item's tracker issue: being created, or linked; null when it has none (yet). */
function trackerOf(l: ActionRow['trackerLink']): ActionItem['tracker'] {
  if (!l || (l.state !== 'pending' && l.state !== 'linked')) return null;
  if (l.tracker !== 'github' && l.tracker !== 'jira') return null;
  return {
    tracker: l.tracker,
    target: l.target ?? '',
    state: l.state,
    key: l.state === 'linked' ? l.issueKey : null,
    url: l.state === 'linked' ? l.issueUrl : null,
  };
}

/** ` in GitHub (acme/ops#12) by octocat`: where a change made in a tracker was made. */
function viaText(change: ActionChange): string {
  if (!change.via) return '';
  return ` in ${TRACKER_NAMES[change.via.tracker]} (${change.via.key}) by ${change.via.actor}`;
}

function toReview(r: ReviewRow): StoredReview {
  const input = r.input && typeof r.input === 'object' && !Array.isArray(r.input) ? (r.input as ReviewInputDraft) : {};
  return { incidentId: r.incidentId, input, updatedBy: r.updatedBy, updatedAt: r.updatedAt, postedTs: r.postedTs };
}

const hasInput = (input: unknown) => !!input && typeof input === 'object' && Object.keys(input).length > 0;
const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

/** Backlog order (sortBacklog): the enums are declared in that order (open before done, high before low). */
const BACKLOG_ORDER: Prisma.ActionItemOrderByWithRelationInput[] = [
  { status: 'asc' },
  { due: { sort: 'asc', nulls: 'last' } },
  { priority: 'asc' },
  { number: 'asc' },
];

const laterOf = <T extends string>(values: readonly T[], v: T): T[] => values.slice(values.indexOf(v) + 1);

/** The items after `c` in backlog order (a keyset: the same order as BACKLOG_ORDER). */
function afterCursor(c: BacklogCursor): Prisma.ActionItemWhereInput {
  const samePriorityOn = {
    OR: [
      { priority: { in: laterOf(ACTION_PRIORITIES, c.priority) } },
      { priority: c.priority, number: { gt: c.number } },
    ],
  };
  const sameStatus: Prisma.ActionItemWhereInput =
    c.due === null
      ? { status: c.status, due: null, ...samePriorityOn }
      : {
          status: c.status,
          OR: [{ due: null }, { due: { gt: toDate(c.due) } }, { due: toDate(c.due), ...samePriorityOn }],
        };
  return { OR: [{ status: { in: laterOf<ActionStatus>(ACTION_STATUSES, c.status) } }, sameStatus] };
}

/**
 * Where an item lives, by its tracker link (trackerOf reads the same states): in Slack only with no
 * link or one that is new (not decided yet) or none; pending while its issue is being created;
 * in GitHub or Jira once linked there.
 */
function trackerWhere(where: NonNullable<BacklogFilter['tracker']>): Prisma.ActionItemWhereInput {
  switch (where) {
    case 'slack':
      return { OR: [{ trackerLink: { is: null } }, { trackerLink: { is: { state: { in: ['new', 'none'] } } } }] };
    case 'pending':
      return { trackerLink: { is: { state: 'pending' } } };
    case 'github':
    case 'jira':
      return { trackerLink: { is: { state: 'linked', tracker: where } } };
  }
}

function backlogWhere(f: BacklogFilter): Prisma.ActionItemWhereInput {
  const and: Prisma.ActionItemWhereInput[] = [];
  if (f.service)
    and.push({
      OR: [
        { incident: { affectedService: { in: [...f.service.names] } } },
        ...(f.service.team ? [{ team: f.service.team }] : []),
      ],
    });
  if (f.visibleTo)
    and.push({
      OR: [
        { incident: { isPrivate: false } },
        ...(f.visibleTo.privateShown.length ? [{ incidentId: { in: [...f.visibleTo.privateShown] } }] : []),
        { ownerId: f.visibleTo.userId },
        { createdBy: f.visibleTo.userId },
      ],
    });
  if (f.tracker) and.push(trackerWhere(f.tracker));
  return {
    ...(f.status ? { status: f.status } : {}),
    ...(f.ownerId ? { ownerId: f.ownerId } : {}),
    ...(f.dueBefore ? { due: { lt: toDate(f.dueBefore) } } : {}),
    ...(and.length ? { AND: and } : {}),
  };
}

/** Thrown inside a transaction to roll it back when the review changed since the person read it. */
const CONFLICT = Symbol('review changed meanwhile');

/** Adds an action item and its timeline entry inside the caller's transaction. */
export async function createActionItem(
  tx: Prisma.TransactionClient,
  incidentId: string,
  item: NewActionItem,
  change: ActionChange,
): Promise<ActionItem> {
  // Locked until the caller's transaction ends; given back if it rolls back (no gaps).
  const number = await nextNumber(tx, 'action_item');
  // The team defaults to the owner of the incident's service in the catalog, as recorded when it was declared.
  const team =
    item.team !== undefined
      ? item.team
      : ((await tx.incident.findUnique({ where: { id: incidentId }, select: { serviceOwner: true } }))?.serviceOwner ??
        null);
  const row = await tx.actionItem.create({
    data: {
      number,
      incidentId,
      text: item.text,
      ownerId: item.ownerId,
      team,
      due: item.due ? toDate(item.due) : null,
      category: item.category,
      priority: item.priority,
      createdBy: change.by,
      createdAt: change.at,
    },
    include: withIncident,
  });
  const added = toActionItem(row);
  await tx.timelineEntry.create({
    data: {
      incidentId,
      occurredAt: change.at,
      kind: 'action_item_added',
      actorId: change.by,
      text: `Action item ${actionRef(added)} added: ${item.text}`,
      data: {
        actionItemId: added.id,
        number: added.number,
        ownerId: item.ownerId,
        ...(team ? { team } : {}),
        due: item.due,
        category: item.category,
        priority: item.priority,
      },
    },
  });
  return added;
}

export class PrismaReviewStore implements ReviewStore {
  private readonly prisma: PrismaClient;

  constructor(prisma: PrismaClient) {
    this.prisma = prisma;
  }

  /** Every write goes through here (or auditedTransaction), so the audit trail knows who acted. */
  private write<T>(fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    return audited(this.prisma, fn);
  }

  async findReview(incidentId: string) {
    const row = await this.prisma.incidentReview.findUnique({ where: { incidentId } });
    return row ? toReview(row) : null;
  }

  async saveReviewInput(
    incidentId: string,
    input: ReviewInputDraft,
    change: ActionChange,
    item: NewActionItem | null = null,
    basedOn?: Date | null,
  ) {
    const json = input as Prisma.InputJsonObject;
    const fields = { input: json, updatedBy: change.by, updatedAt: change.at };
    try {
      return await auditedTransaction(this.prisma, async (tx) => {
        const current = await tx.incidentReview.findUnique({ where: { incidentId } });
        if (basedOn !== undefined) {
          // Compare-and-set on the version the person saw (a row with nothing in it yet is none).
          const seen = current && hasInput(current.input) ? current.updatedAt.getTime() : null;
          if (seen !== (basedOn?.getTime() ?? null)) throw CONFLICT;
        }
        let row: ReviewRow;
        if (current) {
          // Written only if nobody wrote since it was read.
          const { count } = await tx.incidentReview.updateMany({
            where: { incidentId, updatedAt: current.updatedAt },
            data: fields,
          });
          if (count !== 1) throw CONFLICT;
          row = await tx.incidentReview.findUniqueOrThrow({ where: { incidentId } });
        } else {
          row = await tx.incidentReview.create({ data: { incidentId, ...fields } }); // a concurrent first save fails here
        }
        await tx.timelineEntry.create({
          data: {
            incidentId,
            occurredAt: change.at,
            kind: 'review_updated',
            actorId: change.by,
            text: 'Updated the post-incident review',
            data: { input: json },
          },
        });
        return { review: toReview(row), item: item ? await createActionItem(tx, incidentId, item, change) : null };
      });
    } catch (err) {
      if (err === CONFLICT || isUniqueViolation(err)) return null; // rolled back: nothing written
      throw err;
    }
  }

  async setReviewPosted(incidentId: string, ts: string, at: Date) {
    await this.write((tx) =>
      tx.incidentReview.upsert({
        where: { incidentId },
        create: { incidentId, input: {}, updatedAt: at, postedTs: ts },
        update: { postedTs: ts },
      }),
    );
  }

  addActionItem(incidentId: string, item: NewActionItem, change: ActionChange) {
    return auditedTransaction(this.prisma, (tx) => createActionItem(tx, incidentId, item, change));
  }

  async findActionItem(id: string) {
    const row = await this.prisma.actionItem.findUnique({ where: { id }, include: withIncident });
    return row ? toActionItem(row) : null;
  }

  async actionItemByNumber(number: number) {
    const row = await this.prisma.actionItem.findUnique({ where: { number }, include: withIncident });
    return row ? toActionItem(row) : null;
  }

  async actionItemsOf(incidentId: string) {
    const rows = await this.prisma.actionItem.findMany({
      where: { incidentId },
      orderBy: { number: 'asc' },
      include: withIncident,
    });
    return rows.map(toActionItem);
  }

  async listActionItems(q: ActionItemQuery) {
    const due: Prisma.DateTimeNullableFilter = {};
    if (q.dueBefore) due.lt = toDate(q.dueBefore);
    if (q.dueOnOrBefore) due.lte = toDate(q.dueOnOrBefore);
    const rows = await this.prisma.actionItem.findMany({
      where: {
        ...(q.status ? { status: q.status } : {}),
        ...(q.ownerId ? { ownerId: q.ownerId } : {}),
        ...(q.dueBefore || q.dueOnOrBefore ? { due } : {}),
      },
      orderBy: { number: 'asc' },
      include: withIncident,
      ...(q.limit ? { take: q.limit } : {}),
    });
    return rows.map(toActionItem);
  }

  async backlogPage(filter: BacklogFilter, page: { after: BacklogCursor | null; limit: number }) {
    const where = backlogWhere(filter);
    const rows = await this.prisma.actionItem.findMany({
      where: page.after ? { AND: [where, afterCursor(page.after)] } : where,
      orderBy: BACKLOG_ORDER,
      take: page.limit,
      include: withIncident,
    });
    return rows.map(toActionItem);
  }

  async countBacklog(filter: BacklogFilter, cap: number) {
    // Counted in the index, in backlog order, and no further than the cap. By where items live, in
    // no order: the planner then starts from the links and stops at the cap (in backlog order it
    // would join the whole table to sort it).
    return this.prisma.actionItem.count({
      where: backlogWhere(filter),
      ...(filter.tracker ? {} : { orderBy: BACKLOG_ORDER }),
      take: cap,
    });
  }

  /**
   * Changes an open item and writes its timeline entry together; null when the item is not open, or
   * (with `guard`) when its owner is not the one read or the person may no longer change it: the
   * authority is checked in the same statement as the write.
   */
  private async changeOpen(
    id: string,
    data: Prisma.ActionItemUpdateManyMutationInput,
    change: ActionChange,
    entry: (item: ActionItem) => { kind: string; text: string; data?: Prisma.InputJsonObject },
    guard?: ActionGuard,
    from: ActionStatus = 'open',
  ): Promise<ActionItem | null> {
    const by = change.by;
    const decidedOn: Prisma.ActionItemWhereInput = guard
      ? {
          ownerId: guard.ownerId,
          // The rule of assertCanChangeActionItem (domain/access.ts), checked again under the write:
          // the owner, whoever added it, or who commands the incident (commandingUser: the
          // commander, else the declarer).
          OR: [
            { ownerId: by },
            { createdBy: by },
            { incident: { roles: { some: { role: 'COMMANDER', userId: by } } } },
            { incident: { declaredBy: by, roles: { none: { role: 'COMMANDER' } } } },
          ],
        }
      : {};
    return auditedTransaction(this.prisma, async (tx) => {
      const { count } = await tx.actionItem.updateMany({ where: { id, status: from, ...decidedOn }, data });
      if (count !== 1) return null;
      const item = toActionItem(await tx.actionItem.findUniqueOrThrow({ where: { id }, include: withIncident }));
      const e = entry(item);
      await tx.timelineEntry.create({
        data: {
          incidentId: item.incidentId,
          occurredAt: change.at,
          actorId: change.by,
          kind: e.kind,
          text: `${e.text}${viaText(change)}`,
          data: {
            actionItemId: id,
            number: item.number,
            ...e.data,
            ...(change.via
              ? { via: { tracker: change.via.tracker, key: change.via.key, actor: change.via.actor } }
              : {}),
          },
        },
      });
      return item;
    });
  }

  completeActionItem(id: string, change: ActionChange, guard?: ActionGuard) {
    return this.changeOpen(
      id,
      { status: 'done', completedAt: change.at, completedBy: change.by },
      change,
      (item) => ({
        kind: 'action_item_completed',
        text: `Action item ${actionRef(item)} completed: ${item.text}`,
      }),
      guard,
    );
  }

  reassignActionItem(id: string, ownerId: string, change: ActionChange, guard?: ActionGuard) {
    return this.changeOpen(
      id,
      { ownerId, dueRemindedAt: null, overdueRemindedAt: null },
      change,
      (item) => ({
        kind: 'action_item_reassigned',
        text: `Action item ${actionRef(item)} reassigned to <@${ownerId}>`,
        data: { ownerId },
      }),
      guard,
    );
  }

  reopenActionItem(id: string, change: ActionChange, guard?: ActionGuard) {
    return this.changeOpen(
      id,
      { status: 'open', completedAt: null, completedBy: null, dueRemindedAt: null, overdueRemindedAt: null },
      change,
      (item) => ({ kind: 'action_item_reopened', text: `Action item ${actionRef(item)} reopened: ${item.text}` }),
      guard,
      'done',
    );
  }

  redateActionItem(id: string, due: string | null, change: ActionChange) {
    return this.changeOpen(
      id,
      { due: due === null ? null : toDate(due), dueRemindedAt: null, overdueRemindedAt: null },
      change,
      (item) => ({
        kind: 'action_item_redated',
        text: `Action item ${actionRef(item)} ${due === null ? 'has no due date now' : `due ${due}`}`,
        data: { due },
      }),
    );
  }

  snoozeActionItem(id: string, until: string, change: ActionChange, guard?: ActionGuard) {
    return this.changeOpen(
      id,
      { snoozedUntil: toDate(until) },
      change,
      (item) => ({
        kind: 'action_item_snoozed',
        text: `Action item ${actionRef(item)} snoozed until ${until}`,
        data: { until },
      }),
      guard,
    );
  }

  async claimActionReminder(
    id: string,
    kind: 'due' | 'overdue',
    previous: Date | null,
    now: Date,
    seen?: ActionReminderSeen,
  ) {
    const field = kind === 'due' ? 'dueRemindedAt' : 'overdueRemindedAt';
    // As the sweep read it: a reassign or snooze since makes the claim fail (the reminder would go to the old owner, or despite the snooze).
    const asRead = seen
      ? { ownerId: seen.ownerId, snoozedUntil: seen.snoozedUntil ? toDate(seen.snoozedUntil) : null }
      : {};
    const { count } = await this.write((tx) =>
      tx.actionItem.updateMany({ where: { id, status: 'open', [field]: previous, ...asRead }, data: { [field]: now } }),
    );
    return count === 1;
  }

  async releaseActionReminder(id: string, kind: 'due' | 'overdue', claimedAt: Date, previous: Date | null) {
    const field = kind === 'due' ? 'dueRemindedAt' : 'overdueRemindedAt';
    await this.write((tx) =>
      tx.actionItem.updateMany({ where: { id, [field]: claimedAt }, data: { [field]: previous } }),
    );
  }

  /**
   * Each valid factor of the period's reviews, once per incident (a review read defensively: it was
   * validated when saved); the row without a factor counts the incidents that list any.
   */
  private factorRows(since: Date, until: Date, privateChannels?: readonly string[]) {
    const visible =
      privateChannels === undefined
        ? Prisma.sql`true`
        : privateChannels.length === 0
          ? Prisma.sql`NOT i.is_private`
          : Prisma.sql`(NOT i.is_private OR i.channel_id IN (${Prisma.join([...privateChannels])}))`;
    return this.prisma.$queryRaw<{ factor: string | null; count: number }[]>`
      SELECT f.factor, count(DISTINCT i.id)::int AS count
      FROM incident i
      JOIN incident_review r ON r.incident_id = i.id
      CROSS JOIN LATERAL jsonb_array_elements(
        CASE WHEN jsonb_typeof(r.input -> 'contributingFactors') = 'array'
          THEN r.input -> 'contributingFactors' ELSE '[]'::jsonb END) AS e(item)
      CROSS JOIN LATERAL (SELECT e.item ->> 'factor' AS factor) AS f
      WHERE i.created_at >= ${since} AND i.created_at <= ${until} AND NOT i.drill AND ${visible}
        AND jsonb_typeof(e.item -> 'factor') = 'string'
        AND f.factor IN (${Prisma.join(CONTRIBUTING_FACTORS)})
      GROUP BY GROUPING SETS ((f.factor), ())`;
  }

  async factorFigures(
    since: Date,
    until: Date,
    privateChannels?: readonly string[],
  ): Promise<Pick<GuardrailFigures, 'reviewed' | 'factorCounts'>> {
    return factorFiguresOf(await this.factorRows(since, until, privateChannels));
  }

  // Drills (exercises) are left out of every incident figure here (`NOT drill`, as countsInMetrics in
  // domain/drill.ts says); their action items are real follow-up work and stay in the backlog's.
  async guardrailFigures(
    since: Date,
    until: Date,
    today: string,
    privateChannels?: readonly string[],
  ): Promise<GuardrailFigures> {
    const inPeriod = (column: Prisma.Sql) => Prisma.sql`${column} >= ${since} AND ${column} <= ${until}`;
    const period = inPeriod(Prisma.raw('created_at'));
    // For a reader (the web view's insights): public incidents, and private ones of their channels.
    const visible = (alias: '' | 'i.') => {
      if (privateChannels === undefined) return Prisma.sql`true`;
      const isPrivate = Prisma.raw(`${alias}is_private`);
      if (privateChannels.length === 0) return Prisma.sql`NOT ${isPrivate}`;
      return Prisma.sql`(NOT ${isPrivate} OR ${Prisma.raw(`${alias}channel_id`)} IN (${Prisma.join([...privateChannels])}))`;
    };
    const [[counts], factors, services, actionCounts, [open], homes] = await Promise.all([
      this.prisma.$queryRaw<{ incidents: number; near_misses: number }[]>`
        SELECT count(*)::int AS incidents, count(*) FILTER (WHERE near_miss)::int AS near_misses
        FROM incident WHERE ${period} AND NOT drill AND ${visible('')}`,
      this.factorRows(since, until, privateChannels),
      // A private incident counts, but its service is not named to everyone.
      this.prisma.$queryRaw<{ name: string; incidents: number; first_at: Date; first_number: number }[]>`
        SELECT DISTINCT ON (affected_service) affected_service AS name,
          count(*) OVER (PARTITION BY affected_service)::int AS incidents,
          created_at AS first_at, number AS first_number
        FROM incident
        WHERE ${period} AND NOT is_private AND NOT drill AND affected_service IS NOT NULL
        ORDER BY affected_service, created_at, number`,
      this.prisma.$queryRaw<{ category: string; status: string; count: number }[]>`
        SELECT category::text, status::text, count(*)::int AS count
        FROM action_item WHERE ${period} GROUP BY category, status`,
      // The middle of the open backlog in creation order, from either end (one row for an odd count).
      this.prisma.$queryRaw<{ overdue: number; older: Date | null; newer: Date | null }[]>`
        SELECT count(*) FILTER (WHERE due < ${today}::date)::int AS overdue,
          percentile_disc(0.5) WITHIN GROUP (ORDER BY created_at) AS older,
          percentile_disc(0.5) WITHIN GROUP (ORDER BY created_at DESC) AS newer
        FROM action_item WHERE status = 'open'`,
      // The period's items by where they live (an issue being created counts in its tracker; no link,
      // or none wanted: Slack only): open, done, and how long the done ones stayed open. Counts only,
      // as the category table's: a private incident's items count too.
      this.prisma.$queryRaw<{ home: string; open: number; done: number; median_ms: number | null }[]>`
        SELECT CASE WHEN l.state IN ('pending', 'linked') AND l.tracker IN ('github', 'jira')
            THEN l.tracker ELSE 'slack' END AS home,
          count(*) FILTER (WHERE a.status = 'open')::int AS open,
          count(*) FILTER (WHERE a.status = 'done')::int AS done,
          percentile_cont(0.5) WITHIN GROUP (
            ORDER BY greatest(0, extract(epoch FROM a.completed_at - a.created_at) * 1000)::float8
          ) FILTER (WHERE a.status = 'done' AND a.completed_at IS NOT NULL) AS median_ms
        FROM action_item a
        -- Each item's own link by its key (the period's items, never the whole table of links).
        LEFT JOIN LATERAL (SELECT t.state, t.tracker FROM tracker_link t WHERE t.action_item_id = a.id LIMIT 1) l ON true
        WHERE ${inPeriod(Prisma.raw('a.created_at'))}
        GROUP BY 1`,
    ]);
    return {
      incidents: counts?.incidents ?? 0,
      nearMisses: counts?.near_misses ?? 0,
      ...factorFiguresOf(factors),
      services: services.map((s) => ({
        name: s.name,
        incidents: s.incidents,
        firstAt: s.first_at,
        firstNumber: s.first_number,
      })),
      actionCounts: actionCounts
        .filter((a) => (ACTION_CATEGORIES as readonly string[]).includes(a.category))
        .map((a) => ({
          category: a.category as ActionCategory,
          status: a.status as ActionStatus,
          count: a.count,
        })),
      openMiddleCreatedAt: open?.older && open.newer ? [open.older, open.newer] : null,
      overdueOpen: open?.overdue ?? 0,
      trackerCounts: homes
        .filter((h): h is typeof h & { home: ActionHome } => (ACTION_HOMES as readonly string[]).includes(h.home))
        .map((h) => ({
          where: h.home,
          open: h.open,
          done: h.done,
          doneOpenMedianMs: h.median_ms === null ? null : Number(h.median_ms),
        })),
    };
  }

  async openActionsByTeam(today: string, limit: number): Promise<TeamActionFigures[]> {
    // One grouped read of the open backlog (the index on status); counts only, as the backlog's
    // overdue figure (no incident is named, so a private incident's items count too).
    const rows = await this.prisma.$queryRaw<{ team: string; open: number; overdue: number }[]>`
      SELECT team, count(*)::int AS open, count(*) FILTER (WHERE due < ${today}::date)::int AS overdue
      FROM action_item
      WHERE status = 'open' AND team IS NOT NULL
      GROUP BY team
      ORDER BY open DESC, overdue DESC, team COLLATE "C"
      LIMIT ${limit}`;
    return rows.map((r) => ({ team: r.team, open: r.open, overdue: r.overdue }));
  }

  async deliveryFigures(since: Date, until: Date, limit: number): Promise<ServiceDeliveryFigures[]> {
    // Changes in the period by service (their catalog name, else the name they came with); a change
    // failed when an incident (not private, not a near miss) was declared on its service within the
    // window after it: one probe of incident(created_at) per change. Incidents of the period (not
    // private) by affected service, with the restore times of the resolved ones that are not near misses.
    const windowSql = Prisma.raw(`interval '${CHANGE_FAILURE_WINDOW_HOURS} hours'`);
    const rows = await this.prisma.$queryRaw<
      {
        service: string;
        owner: string | null;
        incidents: number;
        changes: number;
        failed: number;
        restored: number;
        median_ms: number | null;
        p90_ms: number | null;
      }[]
    >`
      WITH ch AS (
        SELECT lower(btrim(coalesce(c.service_name, c.service))) AS key,
          coalesce(c.service_name, c.service) AS name, c.owner,
          EXISTS (
            SELECT 1 FROM incident i
            WHERE i.created_at > c.occurred_at AND i.created_at <= c.occurred_at + ${windowSql}
              AND NOT i.is_private AND NOT i.near_miss AND NOT i.drill
              AND lower(btrim(i.affected_service)) = lower(btrim(coalesce(c.service_name, c.service)))
          ) AS failed
        FROM change_event c
        WHERE c.occurred_at >= ${since} AND c.occurred_at <= ${until}
          AND btrim(coalesce(c.service_name, c.service)) <> ''
      ),
      ch_by AS (
        SELECT key, min(name COLLATE "C") AS name, max(owner COLLATE "C") AS owner,
          count(*)::int AS changes, count(*) FILTER (WHERE failed)::int AS failed
        FROM ch GROUP BY key
      ),
      inc_by AS (
        SELECT lower(btrim(affected_service)) AS key, min(affected_service COLLATE "C") AS name,
          max(service_owner COLLATE "C") AS owner, count(*)::int AS incidents,
          count(*) FILTER (WHERE resolved_at IS NOT NULL AND NOT near_miss)::int AS restored,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at) * 1000)
            FILTER (WHERE resolved_at IS NOT NULL AND NOT near_miss) AS median_ms,
          percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at) * 1000)
            FILTER (WHERE resolved_at IS NOT NULL AND NOT near_miss) AS p90_ms
        FROM incident
        WHERE created_at >= ${since} AND created_at <= ${until} AND NOT is_private AND NOT drill
          AND affected_service IS NOT NULL AND btrim(affected_service) <> ''
        GROUP BY lower(btrim(affected_service))
      )
      SELECT
        CASE WHEN c.name IS NULL THEN i.name WHEN i.name IS NULL THEN c.name
          WHEN c.name COLLATE "C" < i.name COLLATE "C" THEN c.name ELSE i.name END AS service,
        coalesce(c.owner, i.owner) AS owner,
        coalesce(i.incidents, 0) AS incidents, coalesce(c.changes, 0) AS changes,
        coalesce(c.failed, 0) AS failed, coalesce(i.restored, 0) AS restored,
        i.median_ms::float8 AS median_ms, i.p90_ms::float8 AS p90_ms
      FROM ch_by c FULL JOIN inc_by i ON i.key = c.key
      ORDER BY coalesce(i.incidents, 0) DESC, coalesce(c.changes, 0) DESC, coalesce(c.key, i.key) COLLATE "C"
      LIMIT ${limit}`;
    return rows.map((r) => ({
      service: r.service,
      owner: r.owner,
      incidents: r.incidents,
      changes: r.changes,
      failedChanges: r.failed,
      restored: r.restored,
      restoreMedianMs: r.median_ms === null ? null : Number(r.median_ms),
      restoreP90Ms: r.p90_ms === null ? null : Number(r.p90_ms),
    }));
  }
}

/** The factor rows (one per factor, and the null row counting the incidents listing any) as figures. */
function factorFiguresOf(
  rows: readonly { factor: string | null; count: number }[],
): Pick<GuardrailFigures, 'reviewed' | 'factorCounts'> {
  return {
    reviewed: rows.find((f) => f.factor === null)?.count ?? 0,
    factorCounts: rows
      .filter((f): f is { factor: ContributingFactor; count: number } => f.factor !== null)
      .map((f) => ({ factor: f.factor, count: f.count })),
  };
}
