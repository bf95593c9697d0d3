import type { Incident, RoleName } from '../domain/incident.ts';
import type {
  ChangeGuard,
  IncidentChange,
  IncidentStore,
  MessageEntry,
  PagerDutyLink,
  ProvisioningPatch,
} from '../ports/incident-store.ts';
import type { NewTimelineEntry, TimelineEntry } from '../domain/timeline.ts';
import { ProvisioningLeaseLost } from '../ports/incident-store.ts';
import { randomUUID } from 'node:crypto';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import { audited, auditedTransaction } from './audited.ts';
import { nextNumber } from './numbering.ts';

const withRoles = { roles: true } as const;
type Row = Prisma.IncidentGetPayload<{ include: typeof withRoles }>;

function toIncident(r: Row): Incident {
  const roles: Partial<Record<RoleName, string>> = {};
  for (const role of r.roles) roles[role.role] = role.userId;
  return {
    id: r.id,
    number: r.number,
    title: r.title,
    description: r.description,
    affectedService: r.affectedService,
    severity: r.severity,
    status: r.status,
    isPrivate: r.isPrivate,
    clinicalImpact: r.clinicalImpact,
    declaredBy: r.declaredBy,
    roles,
    channelId: r.channelId,
    channelName: r.channelName,
    summaryTs: r.summaryTs,
    summaryPinned: r.summaryPinned,
    declarerInvited: r.declarerInvited,
    announcementTs: r.announcementTs,
    provisionedAt: r.provisionedAt,
    provisionAttempts: r.provisionAttempts,
    provisionError: r.provisionError,
    responseUrl: r.responseUrl,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    resolvedAt: r.resolvedAt,
    closedAt: r.closedAt,
    lastUpdateAt: r.lastUpdateAt,
    updateReminderDueAt: r.updateReminderDueAt,
    commanderNudgedAt: r.commanderNudgedAt,
    freezeActive: r.freezeActive,
    freezeAnnounced: r.freezeAnnounced,
    clinicalNotifiedAt: r.clinicalNotifiedAt,
    onCallInvitedAt: r.onCallInvitedAt,
    onCallLookupFailedNoticed: r.onCallLookupFailedNoticed,
    nearMiss: r.nearMiss,
    dataBreach: r.dataBreach,
    breachAwareAt: r.breachAwareAt,
    breachNotifiedAt: r.breachNotifiedAt,
    breachNotifiedBy: r.breachNotifiedBy,
    breachRemindedHours: r.breachRemindedHours,
  };
}

type EntryRow = Prisma.TimelineEntryGetPayload<object>;

function toEntry(e: EntryRow): TimelineEntry {
  return {
    id: e.id,
    incidentId: e.incidentId,
    occurredAt: e.occurredAt,
    kind: e.kind,
    actorId: e.actorId,
    text: e.text,
    ...(e.data && typeof e.data === 'object' ? { data: e.data as Record<string, unknown> } : {}),
    sourceTs: e.sourceTs,
    permalink: e.permalink,
    editedAt: e.editedAt,
    deletedAt: e.deletedAt,
  };
}

/** Thrown inside a declaration's transaction to roll it back (and give its number back) when its key is taken. */
const ALREADY_DECLARED = Symbol('already declared');

/** Thrown inside a transaction to roll it back when a role guard no longer holds. */
const GUARD_FAILED = Symbol('guard failed');

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

function newEntryData(entry: NewTimelineEntry) {
  return {
    occurredAt: entry.occurredAt,
    kind: entry.kind,
    actorId: entry.actorId,
    text: entry.text,
    ...(entry.data ? { data: entry.data as Prisma.InputJsonObject } : {}),
  };
}

function entryData(incidentId: string, entry: NewTimelineEntry) {
  return { incidentId, ...newEntryData(entry) };
}

/**
 * The freeze after a change, decided in one statement under the change's row lock from what is
 * stored: on only while SEV1, active and not a near miss (domain/lifecycle.ts: freezeApplies), and
 * then kept, or started by a change that may start it. Writes nothing when it stays as it was.
 */
async function decideFreezeIn(tx: Prisma.TransactionClient, id: string, starts: boolean): Promise<void> {
  await tx.$executeRaw`
    UPDATE incident SET freeze_active = NOT freeze_active
     WHERE id = ${id}::uuid
       AND freeze_active <> (severity = 'SEV1' AND status NOT IN ('RESOLVED', 'CLOSED') AND NOT near_miss AND (freeze_active OR ${starts}))`;
}

export class PrismaIncidentStore implements IncidentStore {
  private readonly prisma: PrismaClient;

  constructor(prisma: PrismaClient) {
    this.prisma = prisma;
  }

  /** Every write goes through here (or auditedTransaction), so the audit trail knows who acted. */
  private write<T>(fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    return audited(this.prisma, fn);
  }

  async createIfAbsent(input: Parameters<IncidentStore['createIfAbsent']>[0]) {
    const existing = await this.prisma.incident.findUnique({
      where: { declareKey: input.declareKey },
      include: withRoles,
    });
    if (existing) return { incident: toIncident(existing), created: false };
    const i = input.incident;
    try {
      const row = await auditedTransaction(this.prisma, async (tx) => {
        // The number first: the counter stays locked until this commits, so declarations take their
        // turn from here, and one that does not commit gives its number back (no gaps).
        const number = await nextNumber(tx, 'incident');
        // Under that lock, a copy of this request that got in first has committed: not declared twice.
        if (await tx.incident.findUnique({ where: { declareKey: input.declareKey }, select: { id: true } }))
          throw ALREADY_DECLARED;
        return tx.incident.create({
          data: {
            number,
            declareKey: input.declareKey,
            title: i.title,
            description: i.description,
            affectedService: i.affectedService,
            severity: i.severity,
            status: i.status,
            isPrivate: i.isPrivate,
            clinicalImpact: i.clinicalImpact,
            nearMiss: i.nearMiss,
            resolvedAt: i.resolvedAt,
            dataBreach: i.dataBreach,
            breachAwareAt: i.breachAwareAt,
            declaredBy: i.declaredBy,
            originChannelId: i.originChannelId,
            responseUrl: i.responseUrl,
            createdAt: i.createdAt,
            lastUpdateAt: i.lastUpdateAt,
            // In the same transaction: an event for that PagerDuty incident never finds it unlinked.
            ...(input.pagerDutyLink ? { pagerDutyLinks: { create: [input.pagerDutyLink] } } : {}),
            timeline: { create: input.timeline.map(newEntryData) },
          },
          include: withRoles,
        });
      });
      return { incident: toIncident(row), created: true };
    } catch (err) {
      // The same request raced itself: the other copy recorded it first.
      if (err !== ALREADY_DECLARED && !isUniqueViolation(err)) throw err;
      const row = await this.prisma.incident.findUnique({
        where: { declareKey: input.declareKey },
        include: withRoles,
      });
      if (!row) throw err; // another key's conflict (its PagerDuty incident is linked elsewhere): nothing recorded
      return { incident: toIncident(row), created: false };
    }
  }

  async findById(id: string) {
    const row = await this.prisma.incident.findUnique({ where: { id }, include: withRoles });
    return row ? toIncident(row) : null;
  }

  async findByNumber(number: number) {
    const row = await this.prisma.incident.findUnique({ where: { number }, include: withRoles });
    return row ? toIncident(row) : null;
  }

  async timeline(incidentId: string) {
    const rows = await this.prisma.timelineEntry.findMany({
      where: { incidentId },
      orderBy: [{ occurredAt: 'asc' }, { createdAt: 'asc' }],
    });
    return rows.map(toEntry);
  }

  async claimProvisioning(id: string, now: Date, until: Date) {
    const { count } = await this.write((tx) =>
      tx.incident.updateMany({
        where: {
          id,
          provisionedAt: null,
          OR: [{ provisionLockUntil: null }, { provisionLockUntil: { lt: now } }],
        },
        data: { provisionLockUntil: until },
      }),
    );
    return count === 1;
  }

  async recordProvisioning(id: string, patch: ProvisioningPatch, leaseUntil?: Date, held?: Date) {
    const data = leaseUntil ? { ...patch, provisionLockUntil: leaseUntil } : patch;
    return this.fenced(id, data, held);
  }

  async finishProvisioning(id: string, now: Date, error: string | null, held?: Date) {
    const data: Prisma.IncidentUpdateManyMutationInput = error
      ? { provisionLockUntil: null, provisionError: error, provisionAttempts: { increment: 1 } }
      : { provisionLockUntil: null, provisionError: null, provisionedAt: now };
    return this.fenced(id, data, held);
  }

  /** A provisioning write; with `held`, a compare-and-set on the lease (a fencing token). */
  private async fenced(id: string, data: Prisma.IncidentUpdateManyMutationInput, held?: Date): Promise<Incident> {
    const { count } = await this.write((tx) =>
      tx.incident.updateMany({ where: { id, ...(held ? { provisionLockUntil: held } : {}) }, data }),
    );
    if (count !== 1) {
      if (held) throw new ProvisioningLeaseLost(id);
      throw new Error(`incident ${id} not found`);
    }
    return toIncident(await this.prisma.incident.findUniqueOrThrow({ where: { id }, include: withRoles }));
  }

  async listUnprovisioned(maxAttempts: number, limit: number, declaredBefore: Date, now: Date) {
    const rows = await this.prisma.incident.findMany({
      where: {
        provisionedAt: null,
        provisionAttempts: { lt: maxAttempts },
        createdAt: { lt: declaredBefore },
        OR: [{ provisionLockUntil: null }, { provisionLockUntil: { lt: now } }],
      },
      orderBy: { number: 'asc' },
      take: limit,
      include: withRoles,
    });
    return rows.map(toIncident);
  }

  async addTimelineEntry(incidentId: string, entry: NewTimelineEntry) {
    return toEntry(await this.write((tx) => tx.timelineEntry.create({ data: entryData(incidentId, entry) })));
  }

  async findByChannel(channelId: string) {
    const row = await this.prisma.incident.findUnique({ where: { channelId }, include: withRoles });
    return row ? toIncident(row) : null;
  }

  async applyChange(id: string, change: IncidentChange, entry: NewTimelineEntry, guard: ChangeGuard = {}) {
    const { role, startsFreeze, ...fields } = change;
    const { roles: expectedRoles, ...guardFields } = guard;
    try {
      return await auditedTransaction(this.prisma, async (tx) => {
        // The change guard: the incident's row lock, held to the commit, so the checks below and
        // every other change of this incident (a role-only one included) take turns.
        const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM incident WHERE id = ${id}::uuid FOR UPDATE`;
        if (locked.length !== 1) return null;
        const { count } = await tx.incident.updateMany({ where: { id, ...guardFields }, data: fields });
        if (count !== 1) return null;
        if (expectedRoles) {
          const held = await tx.incidentRole.findMany({ where: { incidentId: id } });
          for (const [name, userId] of Object.entries(expectedRoles)) {
            if ((held.find((r) => r.role === name)?.userId ?? null) !== userId) throw GUARD_FAILED;
          }
        }
        if (role) {
          if (role.userId) {
            await tx.incidentRole.upsert({
              where: { incidentId_role: { incidentId: id, role: role.role } },
              create: {
                incidentId: id,
                role: role.role,
                userId: role.userId,
                assignedBy: role.assignedBy,
                assignedAt: entry.occurredAt,
              },
              update: { userId: role.userId, assignedBy: role.assignedBy, assignedAt: entry.occurredAt },
            });
          } else {
            await tx.incidentRole.deleteMany({ where: { incidentId: id, role: role.role } });
          }
        }
        // The freeze follows the severity and status just written, decided from the stored freeze
        // under the same lock: never left on past a downgrade or a resolve, never started twice.
        if (fields.severity !== undefined || fields.status !== undefined || startsFreeze)
          await decideFreezeIn(tx, id, !!startsFreeze);
        await tx.timelineEntry.create({ data: entryData(id, entry) });
        return toIncident(await tx.incident.findUniqueOrThrow({ where: { id }, include: withRoles }));
      });
    } catch (err) {
      if (err === GUARD_FAILED) return null; // rolled back: nothing written
      throw err;
    }
  }

  async decideFreeze(id: string) {
    // Set while freezeApplies (domain/lifecycle.ts) holds of the stored row.
    const count = await this.write(
      (tx) => tx.$executeRaw`
      UPDATE incident SET freeze_active = true
       WHERE id = ${id}::uuid AND NOT freeze_active AND severity = 'SEV1' AND status NOT IN ('RESOLVED', 'CLOSED') AND NOT near_miss`,
    );
    const row = await this.prisma.incident.findUniqueOrThrow({ where: { id }, include: withRoles });
    return { incident: toIncident(row), started: count === 1 };
  }

  async claimNotices(id: string, now: Date, until: Date) {
    const count = await this.write(
      (tx) => tx.$executeRaw`
      UPDATE incident SET notice_lock_until = ${until.toISOString()}::timestamptz
       WHERE id = ${id}::uuid
         AND (notice_lock_until IS NULL OR notice_lock_until < ${now.toISOString()}::timestamptz)
         AND (freeze_active <> freeze_announced OR (clinical_impact AND clinical_notified_at IS NULL))`,
    );
    if (count !== 1) return null;
    return this.findById(id);
  }

  async recordNotice(
    id: string,
    lease: Date,
    patch: { freezeAnnounced?: boolean; clinicalNotifiedAt?: Date },
    renewUntil: Date,
  ) {
    // What was posted is recorded even if the lease ran out meanwhile: the channel was told.
    await this.write(async (tx) => {
      await tx.incident.update({ where: { id }, data: patch });
      await tx.incident.updateMany({ where: { id, noticeLockUntil: lease }, data: { noticeLockUntil: renewUntil } });
    });
  }

  async releaseNotices(id: string, lease: Date) {
    await this.write((tx) =>
      tx.incident.updateMany({ where: { id, noticeLockUntil: lease }, data: { noticeLockUntil: null } }),
    );
  }

  // Summary redraws are bookkeeping of the chat message, not of the record: plain statements on
  // their own table (no audit entries), each one statement.
  async markSummaryStale(id: string) {
    await this.prisma.$executeRaw`
      INSERT INTO summary_redraw (incident_id, version) VALUES (${id}::uuid, 1)
      ON CONFLICT (incident_id) DO UPDATE SET version = summary_redraw.version + 1`;
  }

  async claimSummaryRedraw(id: string, now: Date, until: Date) {
    const rows = await this.prisma.$queryRaw<{ version: number }[]>`
      UPDATE summary_redraw SET lock_until = ${until.toISOString()}::timestamptz
       WHERE incident_id = ${id}::uuid AND version > drawn
         AND (lock_until IS NULL OR lock_until < ${now.toISOString()}::timestamptz)
      RETURNING version`;
    return rows[0]?.version ?? null;
  }

  async finishSummaryRedraw(id: string, until: Date, drawn: number | null) {
    await this.prisma.$executeRaw`
      UPDATE summary_redraw SET lock_until = NULL, drawn = GREATEST(drawn, COALESCE(${drawn}::int, drawn))
       WHERE incident_id = ${id}::uuid AND lock_until = ${until.toISOString()}::timestamptz`;
  }

  async listOwedNotices(now: Date, limit: number) {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      SELECT id FROM incident
       WHERE provisioned_at IS NOT NULL
         AND (notice_lock_until IS NULL OR notice_lock_until < ${now.toISOString()}::timestamptz)
         AND (freeze_active <> freeze_announced OR (clinical_impact AND clinical_notified_at IS NULL AND status NOT IN ('RESOLVED', 'CLOSED')))
       ORDER BY number LIMIT ${limit}`;
    const found = await Promise.all(rows.map((r) => this.findById(r.id)));
    return found.filter((i): i is Incident => i !== null);
  }

  async recordPagerDutyEvent(event: {
    pagerDutyIncidentId: string;
    eventId: string;
    status: string;
    entry: NewTimelineEntry;
  }) {
    const { entry } = event;
    return auditedTransaction(this.prisma, async (tx) => {
      const link = await tx.pagerDutyLink.findUnique({ where: { pagerDutyIncidentId: event.pagerDutyIncidentId } });
      if (!link) return 'unlinked' as const;
      // The unique index on the event id decides: of two deliveries at once, the second waits for the
      // first to commit, then inserts nothing.
      const inserted = await tx.$queryRaw<{ id: string }[]>`
        INSERT INTO timeline_entry (id, incident_id, occurred_at, kind, actor_id, text, data, pagerduty_event_id)
        VALUES (${randomUUID()}::uuid, ${link.incidentId}::uuid, ${entry.occurredAt.toISOString()}::timestamptz, ${entry.kind}, ${entry.actorId},
                ${entry.text}, ${JSON.stringify(entry.data ?? null)}::jsonb, ${event.eventId})
        ON CONFLICT (pagerduty_event_id) DO NOTHING
        RETURNING id`;
      if (inserted.length === 0) return 'duplicate' as const;
      await tx.pagerDutyLink.updateMany({
        where: { id: link.id, status: { not: 'resolved' } },
        data: { status: event.status },
      });
      return 'recorded' as const;
    });
  }

  async resolvePagerDutyLink(pagerDutyIncidentId: string, incidentId: string, entry: NewTimelineEntry) {
    return auditedTransaction(this.prisma, async (tx) => {
      const { count } = await tx.pagerDutyLink.updateMany({
        where: { pagerDutyIncidentId, incidentId, status: { not: 'resolved' } },
        data: { status: 'resolved' },
      });
      if (count !== 1) return false;
      await tx.timelineEntry.create({ data: entryData(incidentId, entry) });
      return true;
    });
  }

  async upsertMessageEntry(incidentId: string, entry: MessageEntry) {
    const existing = await this.prisma.timelineEntry.findUnique({
      where: { incidentId_sourceTs: { incidentId, sourceTs: entry.sourceTs } },
    });
    if (existing) return { entry: toEntry(existing), created: false };
    try {
      const row = await this.write((tx) =>
        tx.timelineEntry.create({
          data: { ...entryData(incidentId, entry), sourceTs: entry.sourceTs, permalink: entry.permalink },
        }),
      );
      return { entry: toEntry(row), created: true };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const row = await this.prisma.timelineEntry.findUniqueOrThrow({
        where: { incidentId_sourceTs: { incidentId, sourceTs: entry.sourceTs } },
      });
      return { entry: toEntry(row), created: false };
    }
  }

  async updateMessageEntry(
    incidentId: string,
    sourceTs: string,
    patch: { text?: string; editedAt?: Date; deletedAt?: Date },
  ) {
    const newer = patch.editedAt ? { OR: [{ editedAt: null }, { editedAt: { lt: patch.editedAt } }] } : {};
    // A delete is recorded once (two delete events at once: the first one's time stays).
    const once = patch.deletedAt ? { deletedAt: null } : {};
    const { count } = await this.write((tx) =>
      tx.timelineEntry.updateMany({ where: { incidentId, sourceTs, ...newer, ...once }, data: patch }),
    );
    if (count === 0) {
      const existing = await this.prisma.timelineEntry.findUnique({
        where: { incidentId_sourceTs: { incidentId, sourceTs } },
      });
      return existing ? toEntry(existing) : null;
    }
    return toEntry(
      await this.prisma.timelineEntry.findUniqueOrThrow({ where: { incidentId_sourceTs: { incidentId, sourceTs } } }),
    );
  }

  async claimUpdateReminder(id: string, dueAt: Date, lastUpdateAt: Date) {
    const { count } = await this.write((tx) =>
      tx.incident.updateMany({
        where: {
          id,
          lastUpdateAt,
          status: { notIn: ['RESOLVED', 'CLOSED'] },
          OR: [{ updateReminderDueAt: null }, { updateReminderDueAt: { lt: dueAt } }],
        },
        data: { updateReminderDueAt: dueAt },
      }),
    );
    return count === 1;
  }

  async releaseUpdateReminder(id: string, dueAt: Date, previous: Date | null) {
    await this.write((tx) =>
      tx.incident.updateMany({ where: { id, updateReminderDueAt: dueAt }, data: { updateReminderDueAt: previous } }),
    );
  }

  async claimCommanderNudge(id: string, now: Date) {
    const { count } = await this.write((tx) =>
      tx.incident.updateMany({
        where: {
          id,
          commanderNudgedAt: null,
          status: { notIn: ['RESOLVED', 'CLOSED'] },
          roles: { none: { role: 'COMMANDER' } },
        },
        data: { commanderNudgedAt: now },
      }),
    );
    return count === 1;
  }

  async releaseCommanderNudge(id: string, now: Date) {
    await this.write((tx) =>
      tx.incident.updateMany({ where: { id, commanderNudgedAt: now }, data: { commanderNudgedAt: null } }),
    );
  }

  async linkPagerDuty(incidentId: string, link: PagerDutyLink) {
    try {
      await this.write((tx) => tx.pagerDutyLink.create({ data: { incidentId, ...link } }));
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async findByPagerDutyIncident(pagerDutyIncidentId: string) {
    const link = await this.prisma.pagerDutyLink.findUnique({
      where: { pagerDutyIncidentId },
      include: { incident: { include: withRoles } },
    });
    return link ? toIncident(link.incident) : null;
  }

  async setPagerDutyStatus(pagerDutyIncidentId: string, status: string) {
    // A resolved PagerDuty incident stays resolved: a late event never reopens it here.
    await this.write((tx) =>
      tx.pagerDutyLink.updateMany({ where: { pagerDutyIncidentId, status: { not: 'resolved' } }, data: { status } }),
    );
  }

  async pagerDutyLinks(incidentId: string) {
    const rows = await this.prisma.pagerDutyLink.findMany({ where: { incidentId }, orderBy: { createdAt: 'asc' } });
    return rows.map((r) => ({
      pagerDutyIncidentId: r.pagerDutyIncidentId,
      htmlUrl: r.htmlUrl,
      title: r.title,
      origin: r.origin === 'page' ? ('page' as const) : ('webhook' as const),
      status: r.status,
    }));
  }

  async listActive() {
    const rows = await this.prisma.incident.findMany({
      where: { status: { notIn: ['RESOLVED', 'CLOSED'] } },
      orderBy: { number: 'asc' },
      include: withRoles,
    });
    return rows.map(toIncident);
  }

  async ping() {
    await this.prisma.$queryRaw`SELECT 1`;
  }

  async claimBreachReminder(id: string, hours: number, awareAt: Date) {
    const { count } = await this.write((tx) =>
      tx.incident.updateMany({
        where: {
          id,
          dataBreach: true,
          breachNotifiedAt: null,
          breachAwareAt: awareAt,
          breachRemindedHours: { lt: hours },
        },
        data: { breachRemindedHours: hours },
      }),
    );
    return count === 1;
  }

  async releaseBreachReminder(id: string, hours: number, previous: number) {
    await this.write((tx) =>
      tx.incident.updateMany({ where: { id, breachRemindedHours: hours }, data: { breachRemindedHours: previous } }),
    );
  }

  async listAwaitingBreachNotice() {
    const rows = await this.prisma.incident.findMany({
      where: { dataBreach: true, breachNotifiedAt: null },
      orderBy: { number: 'asc' },
      include: withRoles,
    });
    return rows.map(toIncident);
  }
}
