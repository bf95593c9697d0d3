import { actionRef, type ActionItem, type NewActionItem } from '../domain/action-items.ts';
import type { GuardrailAction, GuardrailIncident } from '../domain/guardrail-report.ts';
import { CONTRIBUTING_FACTORS, type ContributingFactor, type ReviewInputDraft } from '../domain/review.ts';
import type {
  ActionChange,
  ActionGuard,
  ActionItemQuery,
  ActionReminderSeen,
  ReviewStore,
  StoredReview,
} from '../ports/review-store.ts';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import { audited, auditedTransaction } from './audited.ts';
import { nextNumber } from './numbering.ts';

const withIncident = { incident: { select: { number: true, title: true, isPrivate: true, channelId: true } } } as const;
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
    incidentChannelId: r.incident.channelId,
    text: r.text,
    ownerId: r.ownerId,
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
  };
}

function toReview(r: ReviewRow): StoredReview {
  const input = r.input && typeof r.input === 'object' && !Array.isArray(r.input) ? (r.input as ReviewInputDraft) : {};
  return { incidentId: r.incidentId, input, updatedBy: r.updatedBy, updatedAt: r.updatedAt, postedTs: r.postedTs };
}

const hasInput = (input: unknown) => !!input && typeof input === 'object' && Object.keys(input).length > 0;
const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

const isFactor = (v: unknown): v is ContributingFactor =>
  typeof v === 'string' && (CONTRIBUTING_FACTORS as readonly string[]).includes(v);

/** The factors a stored review lists (stored input is read defensively: it was validated when saved). */
function factorsOf(input: unknown): ContributingFactor[] {
  const list = (input as { contributingFactors?: unknown } | null)?.contributingFactors;
  if (!Array.isArray(list)) return [];
  return list.map((f) => (f as { factor?: unknown })?.factor).filter(isFactor);
}

/** Thrown inside a transaction to roll it back when the review changed since the person read it. */
const CONFLICT = Symbol('review changed meanwhile');

/** Adds an action item and its timeline entry inside the caller's transaction. */
async function createActionItem(
  tx: Prisma.TransactionClient,
  incidentId: string,
  item: NewActionItem,
  change: ActionChange,
): Promise<ActionItem> {
  // Locked until the caller's transaction ends; given back if it rolls back (no gaps).
  const number = await nextNumber(tx, 'action_item');
  const row = await tx.actionItem.create({
    data: {
      number,
      incidentId,
      text: item.text,
      ownerId: item.ownerId,
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
      const { count } = await tx.actionItem.updateMany({ where: { id, status: 'open', ...decidedOn }, data });
      if (count !== 1) return null;
      const item = toActionItem(await tx.actionItem.findUniqueOrThrow({ where: { id }, include: withIncident }));
      const e = entry(item);
      await tx.timelineEntry.create({
        data: {
          incidentId: item.incidentId,
          occurredAt: change.at,
          actorId: change.by,
          kind: e.kind,
          text: e.text,
          data: { actionItemId: id, number: item.number, ...e.data },
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

  async guardrailData(since: Date) {
    const incidents = await this.prisma.incident.findMany({
      where: { createdAt: { gte: since } },
      select: {
        number: true,
        affectedService: true,
        isPrivate: true,
        nearMiss: true,
        createdAt: true,
        review: { select: { input: true } },
      },
      orderBy: { number: 'asc' },
    });
    const actions = await this.prisma.actionItem.findMany({
      where: { OR: [{ status: 'open' }, { createdAt: { gte: since } }] },
      select: { category: true, status: true, createdAt: true, completedAt: true, due: true },
    });
    return {
      incidents: incidents.map((i): GuardrailIncident => {
        const factors = factorsOf(i.review?.input ?? null);
        // A private incident counts, but its service is not named to everyone.
        const affectedService = i.isPrivate ? null : i.affectedService;
        return {
          number: i.number,
          affectedService,
          nearMiss: i.nearMiss,
          createdAt: i.createdAt,
          factors,
          reviewed: factors.length > 0,
        };
      }),
      actions: actions.map(
        (a): GuardrailAction => ({
          category: a.category,
          status: a.status,
          createdAt: a.createdAt,
          completedAt: a.completedAt,
          due: toDay(a.due),
        }),
      ),
    };
  }
}
