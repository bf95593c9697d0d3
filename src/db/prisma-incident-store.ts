import { STATUSES, type Incident, type RoleName } from '../domain/incident.ts';
import { isActive } from '../domain/lifecycle.ts';
import type { Severity } from '../domain/severity.ts';
import type {
  ChangeGuard,
  IncidentChange,
  IncidentStore,
  MessageEntry,
  PagerDutyLink,
  ProvisioningPatch,
  TimelineFacts,
  TimelinePage,
  TimelinePageQuery,
} from '../ports/incident-store.ts';
import { DURATION_KINDS, type NewTimelineEntry, type TimelineEntry } from '../domain/timeline.ts';
import { ProvisioningLeaseLost } from '../ports/incident-store.ts';
import { randomUUID } from 'node:crypto';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import { currentActor } from '../audit-context.ts';
import { audited, auditedTransaction } from './audited.ts';
import { applyClinicalChange, readClinicalRecord, signoffGuardHolds } from './clinical-records.ts';
import { breachAssessmentSchema, type RecordedBreachAssessment } from '../domain/breach-assessment.ts';
import type { BreachRegime, ObligationKind } from '../domain/breach-regimes.ts';
import type { ObligationNotice } from '../domain/breach-obligations.ts';

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
    serviceOwner: r.serviceOwner,
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
    drill: r.drill,
    dataBreach: r.dataBreach,
    breachAwareAt: r.breachAwareAt,
    breachNotifiedAt: r.breachNotifiedAt,
    breachNotifiedBy: r.breachNotifiedBy,
    breachRemindedHours: r.breachRemindedHours,
    breachReportable: r.breachReportable,
  };
}

/** An incident's columns under the names of `Incident`, for raw statements on `incident i`. */
const INCIDENT_FIELDS: Record<Exclude<keyof Incident, 'roles'>, string> = {
  id: 'i.id::text',
  number: 'i.number',
  title: 'i.title',
  description: 'i.description',
  affectedService: 'i.affected_service',
  serviceOwner: 'i.service_owner',
  severity: 'i.severity::text',
  status: 'i.status::text',
  isPrivate: 'i.is_private',
  clinicalImpact: 'i.clinical_impact',
  declaredBy: 'i.declared_by',
  channelId: 'i.channel_id',
  channelName: 'i.channel_name',
  summaryTs: 'i.summary_ts',
  summaryPinned: 'i.summary_pinned',
  declarerInvited: 'i.declarer_invited',
  announcementTs: 'i.announcement_ts',
  provisionedAt: 'i.provisioned_at',
  provisionAttempts: 'i.provision_attempts',
  provisionError: 'i.provision_error',
  responseUrl: 'i.response_url',
  createdAt: 'i.created_at',
  updatedAt: 'i.updated_at',
  resolvedAt: 'i.resolved_at',
  closedAt: 'i.closed_at',
  lastUpdateAt: 'i.last_update_at',
  updateReminderDueAt: 'i.update_reminder_due_at',
  commanderNudgedAt: 'i.commander_nudged_at',
  freezeActive: 'i.freeze_active',
  freezeAnnounced: 'i.freeze_announced',
  clinicalNotifiedAt: 'i.clinical_notified_at',
  onCallInvitedAt: 'i.on_call_invited_at',
  onCallLookupFailedNoticed: 'i.on_call_lookup_failed_noticed',
  nearMiss: 'i.near_miss',
  drill: 'i.drill',
  dataBreach: 'i.data_breach',
  breachAwareAt: 'i.breach_aware_at',
  breachNotifiedAt: 'i.breach_notified_at',
  breachNotifiedBy: 'i.breach_notified_by',
  breachRemindedHours: 'i.breach_reminded_hours',
  breachReportable: 'i.breach_reportable',
};

/**
 * The incident of `incident i` with its roles, in one row: what a raw statement returns (a SELECT,
 * or the RETURNING of an UPDATE or INSERT) in place of a re-read and a second query for the roles.
 */
const INCIDENT_ROW = Prisma.raw(
  `${Object.entries(INCIDENT_FIELDS)
    .map(([name, column]) => `${column} AS "${name}"`)
    .join(
      ', ',
    )}, COALESCE((SELECT jsonb_object_agg(r.role::text, r.user_id) FROM incident_role r WHERE r.incident_id = i.id), '{}'::jsonb) AS "roles"`,
);

type RawIncident = Omit<Incident, 'roles'> & { roles: Partial<Record<RoleName, string>> | string };

function fromRaw(r: RawIncident): Incident {
  return { ...r, roles: typeof r.roles === 'string' ? JSON.parse(r.roles) : r.roles };
}

/**
 * The start of a statement that tells the audit triggers who is acting (src/audit-context.ts), in
 * the statement itself: a write that is one statement is its own transaction, so the setting (local
 * to the transaction) is made once for it and ends with it, and no BEGIN, set_config and COMMIT go
 * round trip by round trip. The statement joins `audit` (one row) so that the setting is made before
 * any row is written. Without an actor the setting is empty: the change is the bot's own.
 */
function auditedWith(): Prisma.Sql {
  const who = currentActor();
  return Prisma.sql`WITH audit AS MATERIALIZED (SELECT set_config('incident_bot.actor', ${who?.actor ?? ''}, true) AS actor, set_config('incident_bot.via', ${who?.via ?? ''}, true) AS via)`;
}

/** The provisioning patch's columns. */
const PATCH_COLUMNS: Record<keyof ProvisioningPatch, string> = {
  channelId: 'channel_id',
  channelName: 'channel_name',
  summaryTs: 'summary_ts',
  summaryPinned: 'summary_pinned',
  declarerInvited: 'declarer_invited',
  announcementTs: 'announcement_ts',
  onCallInvitedAt: 'on_call_invited_at',
  onCallLookupFailedNoticed: 'on_call_lookup_failed_noticed',
};

const iso = (d: Date) => d.toISOString();

type EntryRow = Prisma.TimelineEntryGetPayload<object>;

/** A timeline entry's columns as Prisma names them, for raw reads. */
const ENTRY_COLUMNS = Prisma.raw(
  `id::text AS "id", incident_id::text AS "incidentId", occurred_at AS "occurredAt", kind, actor_id AS "actorId",
   text, data, source_ts AS "sourceTs", permalink, pagerduty_event_id AS "pagerDutyEventId",
   edited_at AS "editedAt", deleted_at AS "deletedAt", created_at AS "createdAt"`,
);

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

/**
 * The statement of one timeline page: at most `limit + 1` entries (one more says there are more),
 * newest first for the latest page and older ones, oldest first for newer ones. A row comparison on
 * (occurred_at, id) is one range of the (incident_id, occurred_at, id) index: no sort, no scan of
 * the incident's other entries (test/db/query-plans-timeline.test.ts reads its plan).
 */
export function timelinePageStatement(incidentId: string, query: TimelinePageQuery): Prisma.Sql {
  const limit = Math.max(1, Math.floor(query.limit));
  const newer = 'after' in query;
  const cursor = 'before' in query ? query.before : newer ? query.after : null;
  const where = cursor
    ? newer
      ? Prisma.sql`AND (t.occurred_at, t.id) > (${cursor.occurredAt}::timestamptz, ${cursor.id}::uuid)`
      : Prisma.sql`AND (t.occurred_at, t.id) < (${cursor.occurredAt}::timestamptz, ${cursor.id}::uuid)`
    : Prisma.empty;
  // Qualified: "id" alone in ORDER BY would be the output column (id::text), sorted apart from the index.
  const order = newer ? Prisma.sql`t.occurred_at ASC, t.id ASC` : Prisma.sql`t.occurred_at DESC, t.id DESC`;
  return Prisma.sql`
    SELECT ${ENTRY_COLUMNS} FROM timeline_entry t
     WHERE t.incident_id = ${incidentId}::uuid ${where}
     ORDER BY ${order}
     LIMIT ${limit + 1}`;
}

/** Thrown inside a transaction to roll it back when a role guard no longer holds. */
const GUARD_FAILED = Symbol('guard failed');

type AssessmentRow = Prisma.BreachAssessmentGetPayload<object>;

function assessmentData(a: RecordedBreachAssessment) {
  return {
    categories: [...a.categories],
    peopleAffected: a.peopleAffected === null ? null : BigInt(a.peopleAffected),
    peopleEstimated: a.peopleEstimated,
    mostInOneState: a.mostInOneState === null ? null : BigInt(a.mostInOneState),
    likelihood: a.likelihood,
    severity: a.severity,
    contained: a.contained,
    containment: a.containment,
    reportable: a.reportable,
    reason: a.reason,
    assessedBy: a.assessedBy,
    assessedAt: a.assessedAt,
  };
}

/** A stored assessment, read back through the schema (a row written by hand that it refuses is not shown as valid). */
function toAssessment(r: AssessmentRow): RecordedBreachAssessment {
  const parsed = breachAssessmentSchema.safeParse({
    categories: r.categories,
    peopleAffected: r.peopleAffected === null ? null : Number(r.peopleAffected),
    peopleEstimated: r.peopleEstimated,
    mostInOneState: r.mostInOneState === null ? null : Number(r.mostInOneState),
    likelihood: r.likelihood,
    severity: r.severity,
    contained: r.contained,
    containment: r.containment,
    reportable: r.reportable,
    reason: r.reason,
  });
  if (!parsed.success)
    throw new Error(`breach assessment of incident ${r.incidentId} is not valid: ${parsed.error.message}`);
  return { ...parsed.data, assessedBy: r.assessedBy, assessedAt: r.assessedAt };
}

function isUniqueViolation(err: unknown): boolean {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return false;
  // P2002 from Prisma's own queries; P2010 with PostgreSQL's code from a raw one.
  const cause = (err.meta as { driverAdapterError?: { cause?: { originalCode?: string } } } | undefined)
    ?.driverAdapterError?.cause;
  return err.code === 'P2002' || (err.code === 'P2010' && cause?.originalCode === '23505');
}

/**
 * A declaration as one statement, its own transaction: the audit context, the next number (the
 * counter's row stays locked until the statement commits, so declarations take their turn, and a
 * statement that fails gives its number back: no gaps), the incident, its PagerDuty link and its
 * timeline, written in that order (the audit trail's order), the incident returned. A declare key
 * already taken fails it whole with a unique violation (of two copies at once, the second waits for
 * the first to commit), and nothing is written.
 */
function insertDeclared(input: Parameters<IncidentStore['createIfAbsent']>[0]): Prisma.Sql {
  const i = input.incident;
  // As Prisma writes them: ids made here, @updatedAt and the entries' created_at at the client's now.
  const now = new Date();
  const link = input.pagerDutyLink;
  const entries = input.timeline.map(
    (e) =>
      Prisma.sql`(${randomUUID()}::uuid, ${iso(e.occurredAt)}::timestamptz, ${e.kind}, ${e.actorId}, ${e.text}, ${e.data ? JSON.stringify(e.data) : null}::jsonb)`,
  );
  return Prisma.sql`${auditedWith()},
    n AS (UPDATE number_counter SET last = last + 1 WHERE name = 'incident' RETURNING last),
    i AS (
      INSERT INTO incident (id, number, declare_key, title, description, affected_service, service_owner, severity, status, is_private,
                            clinical_impact, near_miss, drill, resolved_at, data_breach, breach_aware_at, declared_by,
                            origin_channel_id, response_url, created_at, last_update_at, updated_at)
      SELECT ${randomUUID()}::uuid, n.last, ${input.declareKey}, ${i.title}, ${i.description}, ${i.affectedService}, ${i.serviceOwner},
             ${i.severity}::"Severity", ${i.status}::"IncidentStatus", ${i.isPrivate}, ${i.clinicalImpact}, ${i.nearMiss}, ${i.drill},
             ${i.resolvedAt ? iso(i.resolvedAt) : null}::timestamptz, ${i.dataBreach},
             ${i.breachAwareAt ? iso(i.breachAwareAt) : null}::timestamptz, ${i.declaredBy}, ${i.originChannelId},
             ${i.responseUrl}, ${iso(i.createdAt)}::timestamptz, ${iso(i.lastUpdateAt)}::timestamptz, ${iso(now)}::timestamptz
        FROM n, audit
      RETURNING *),
    p AS (${
      link
        ? Prisma.sql`INSERT INTO pagerduty_link (id, incident_id, pagerduty_incident_id, html_url, title, origin, status, created_at)
      SELECT ${randomUUID()}::uuid, i.id, ${link.pagerDutyIncidentId}, ${link.htmlUrl}, ${link.title}, ${link.origin}, ${link.status}, ${iso(now)}::timestamptz
        FROM i RETURNING 1`
        : Prisma.sql`SELECT 1 WHERE false`
    }),
    t AS (${
      entries.length === 0
        ? Prisma.sql`SELECT 1 WHERE false`
        : Prisma.sql`
      INSERT INTO timeline_entry (id, incident_id, occurred_at, kind, actor_id, text, data, created_at)
      SELECT e.id, i.id, e.occurred_at, e.kind, e.actor_id, e.text, e.data, ${iso(now)}::timestamptz
        -- After the link: the count needs every row of p first.
        FROM i, (SELECT count(*) FROM p) linked,
             (VALUES ${Prisma.join(entries)}) AS e(id, occurred_at, kind, actor_id, text, data)`
    })
    SELECT ${INCIDENT_ROW} FROM i`;
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
       AND freeze_active <> (severity = 'SEV1' AND status NOT IN ('RESOLVED', 'CLOSED') AND NOT near_miss AND NOT drill AND (freeze_active OR ${starts}))`;
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
    try {
      const rows = await this.prisma.$queryRaw<RawIncident[]>(insertDeclared(input));
      return { incident: fromRaw(rows[0]!), created: true };
    } catch (err) {
      // Declared already (a retried or double-submitted request; of two at once, the second waits
      // for the first to commit): the statement failed whole, and its number went back.
      if (!isUniqueViolation(err)) throw err;
      const incident = await this.findOne(Prisma.sql`i.declare_key = ${input.declareKey}`);
      if (!incident) throw err; // another key's conflict (its PagerDuty incident is linked elsewhere): nothing recorded
      return { incident, created: false };
    }
  }

  /** The incident matching `where` (on `incident i`), with its roles, in one query. */
  private async findOne(where: Prisma.Sql): Promise<Incident | null> {
    const rows = await this.prisma.$queryRaw<RawIncident[]>`SELECT ${INCIDENT_ROW} FROM incident i WHERE ${where}`;
    return rows[0] ? fromRaw(rows[0]) : null;
  }

  async findById(id: string) {
    return this.findOne(Prisma.sql`i.id = ${id}::uuid`);
  }

  async findByNumber(number: number) {
    return this.findOne(Prisma.sql`i.number = ${number}::int`);
  }

  clinicalRecord(incidentId: string) {
    return readClinicalRecord(this.prisma, incidentId);
  }

  async timeline(incidentId: string) {
    const rows = await this.prisma.timelineEntry.findMany({
      where: { incidentId },
      orderBy: [{ occurredAt: 'asc' }, { createdAt: 'asc' }],
    });
    return rows.map(toEntry);
  }

  async hasTimelineEntry(incidentId: string, kinds: readonly string[]) {
    // The (incident_id, kind) index answers it.
    const found = await this.prisma.timelineEntry.findFirst({
      where: { incidentId, kind: { in: [...kinds] } },
      select: { id: true },
    });
    return found !== null;
  }

  async timelinePage(incidentId: string, query: TimelinePageQuery): Promise<TimelinePage> {
    const limit = Math.max(1, Math.floor(query.limit));
    const newer = 'after' in query;
    const cursor = 'before' in query ? query.before : newer ? query.after : null;
    const rows = await this.prisma.$queryRaw<EntryRow[]>(timelinePageStatement(incidentId, query));
    const more = rows.length > limit;
    const page = rows.slice(0, limit).map(toEntry);
    if (!newer) page.reverse();
    return {
      entries: page,
      hasOlder: newer ? true : more,
      hasNewer: newer ? more : cursor !== null,
    };
  }

  async timelineFacts(incidentId: string): Promise<TimelineFacts> {
    const [count, status] = await Promise.all([
      this.prisma.timelineEntry.count({ where: { incidentId } }),
      this.prisma.timelineEntry.findMany({
        where: { incidentId, kind: { in: [...DURATION_KINDS] } },
        select: { kind: true, occurredAt: true, data: true },
        orderBy: [{ occurredAt: 'asc' }, { createdAt: 'asc' }],
      }),
    ]);
    return {
      count,
      statusEntries: status.map((e) => ({
        kind: e.kind,
        occurredAt: e.occurredAt,
        ...(e.data && typeof e.data === 'object' ? { data: e.data as Record<string, unknown> } : {}),
      })),
    };
  }

  async claimProvisioning(id: string, now: Date, until: Date) {
    const rows = await this.prisma.$queryRaw<RawIncident[]>`${auditedWith()}
      UPDATE incident i SET provision_lock_until = ${iso(until)}::timestamptz, updated_at = ${iso(new Date())}::timestamptz
        FROM audit
       WHERE i.id = ${id}::uuid AND i.provisioned_at IS NULL
         AND (i.provision_lock_until IS NULL OR i.provision_lock_until < ${iso(now)}::timestamptz)
      RETURNING ${INCIDENT_ROW}`;
    return rows[0] ? fromRaw(rows[0]) : null;
  }

  async recordProvisioning(
    id: string,
    patch: ProvisioningPatch,
    leaseUntil?: Date,
    held?: Date,
    entry?: NewTimelineEntry,
  ) {
    const sets = Object.entries(patch).map(([field, value]) => {
      const column = Prisma.raw(PATCH_COLUMNS[field as keyof ProvisioningPatch]);
      return value instanceof Date
        ? Prisma.sql`${column} = ${iso(value)}::timestamptz`
        : Prisma.sql`${column} = ${value}`;
    });
    if (leaseUntil) sets.push(Prisma.sql`provision_lock_until = ${iso(leaseUntil)}::timestamptz`);
    return this.fenced(id, sets, held, entry);
  }

  async finishProvisioning(id: string, now: Date, error: string | null, held?: Date) {
    return this.fenced(
      id,
      error
        ? [
            Prisma.sql`provision_lock_until = NULL, provision_error = ${error}`,
            Prisma.sql`provision_attempts = i.provision_attempts + 1`,
          ]
        : [Prisma.sql`provision_lock_until = NULL, provision_error = NULL, provisioned_at = ${iso(now)}::timestamptz`],
      held,
    );
  }

  /**
   * A provisioning write, one statement returning the incident: with `held`, a compare-and-set on
   * the lease (a fencing token); with `entry`, its timeline entry written first, in the same
   * statement and on the same condition: the row is locked first (FOR UPDATE re-reads the lease
   * once another run's takeover has committed), so a run that lost its lease writes neither.
   */
  private async fenced(id: string, sets: Prisma.Sql[], held?: Date, entry?: NewTimelineEntry): Promise<Incident> {
    const leased = held ? Prisma.sql`AND provision_lock_until = ${iso(held)}::timestamptz` : Prisma.empty;
    // As Prisma's updates: updated_at at the client's now.
    const now = iso(new Date());
    const rows = await this.prisma.$queryRaw<RawIncident[]>`${auditedWith()}${
      entry
        ? Prisma.sql`,
      l AS (SELECT x.id FROM incident x WHERE x.id = ${id}::uuid ${leased} FOR UPDATE),
      t AS (
        INSERT INTO timeline_entry (id, incident_id, occurred_at, kind, actor_id, text, data, created_at)
        SELECT ${randomUUID()}::uuid, l.id, ${iso(entry.occurredAt)}::timestamptz, ${entry.kind}, ${entry.actorId}, ${entry.text},
               ${entry.data ? JSON.stringify(entry.data) : null}::jsonb, ${now}::timestamptz
          FROM l, audit
        RETURNING 1)`
        : Prisma.empty
    }
      UPDATE incident i SET ${Prisma.join([...sets, Prisma.sql`updated_at = ${now}::timestamptz`])}
        -- After the entry: the count needs every row of t first.
        FROM audit${entry ? Prisma.sql`, (SELECT count(*) FROM t) entered` : Prisma.empty}
       WHERE i.id = ${id}::uuid ${leased}${entry ? Prisma.sql` AND i.id IN (SELECT id FROM l)` : Prisma.empty}
      RETURNING ${INCIDENT_ROW}`;
    if (!rows[0]) {
      if (held) throw new ProvisioningLeaseLost(id);
      throw new Error(`incident ${id} not found`);
    }
    return fromRaw(rows[0]);
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
    return this.findOne(Prisma.sql`i.channel_id = ${channelId}`);
  }

  async applyChange(id: string, change: IncidentChange, entry: NewTimelineEntry, guard: ChangeGuard = {}) {
    const { role, startsFreeze, clinical, breachAssessment, obligationNotices, ...fields } = change;
    const { roles: expectedRoles, clinicalSignoff, breachAssessedAt, ...guardFields } = guard;
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
        if (!(await signoffGuardHolds(tx, id, clinicalSignoff))) throw GUARD_FAILED;
        if (breachAssessedAt !== undefined) {
          const current = await tx.breachAssessment.findUnique({
            where: { incidentId: id },
            select: { assessedAt: true },
          });
          if ((current?.assessedAt.getTime() ?? null) !== (breachAssessedAt?.getTime() ?? null)) throw GUARD_FAILED;
        }
        if (breachAssessment) {
          const data = assessmentData(breachAssessment);
          await tx.breachAssessment.upsert({
            where: { incidentId: id },
            create: { incidentId: id, ...data },
            update: data,
          });
        }
        for (const n of obligationNotices ?? []) {
          const key = { incidentId_regime_kind: { incidentId: id, regime: n.regime, kind: n.kind } };
          const row = await tx.breachObligationNotice.findUnique({ where: key });
          if (row?.notifiedAt && row.awareAt?.getTime() === n.awareAt.getTime()) throw GUARD_FAILED;
          const notified = { notifiedAt: n.at, notifiedBy: n.by, reference: n.reference, awareAt: n.awareAt };
          await tx.breachObligationNotice.upsert({
            where: key,
            create: { incidentId: id, regime: n.regime, kind: n.kind, ...notified },
            // A row of an earlier awareness time (the breach flagged again) starts over.
            update: row?.awareAt?.getTime() === n.awareAt.getTime() ? notified : { ...notified, remindedPoint: null },
          });
        }
        await tx.timelineEntry.create({ data: entryData(id, entry) });
        if (clinical && !(await applyClinicalChange(tx, id, clinical, entry))) throw GUARD_FAILED;
        return toIncident(await tx.incident.findUniqueOrThrow({ where: { id }, include: withRoles }));
      });
    } catch (err) {
      if (err === GUARD_FAILED) return null; // rolled back: nothing written
      throw err;
    }
  }

  async decideFreeze(id: string) {
    // Set while freezeApplies (domain/lifecycle.ts) holds of the stored row; the incident as it is
    // after, in the same statement (as updated, or as it was when nothing changed).
    const rows = await this.prisma.$queryRaw<(RawIncident & { started: boolean })[]>`${auditedWith()},
      u AS (
        UPDATE incident i SET freeze_active = true FROM audit
         WHERE i.id = ${id}::uuid AND NOT i.freeze_active AND i.severity = 'SEV1' AND i.status NOT IN ('RESOLVED', 'CLOSED') AND NOT i.near_miss AND NOT i.drill
        RETURNING ${INCIDENT_ROW}, true AS started)
      SELECT * FROM u
      UNION ALL
      SELECT ${INCIDENT_ROW}, false AS started FROM incident i WHERE i.id = ${id}::uuid AND NOT EXISTS (SELECT 1 FROM u)`;
    if (!rows[0]) throw new Error(`incident ${id} not found`);
    const { started, ...incident } = rows[0];
    return { incident: fromRaw(incident), started };
  }

  async claimNotices(id: string, now: Date, until: Date) {
    const rows = await this.prisma.$queryRaw<RawIncident[]>`${auditedWith()}
      UPDATE incident i SET notice_lock_until = ${iso(until)}::timestamptz FROM audit
       WHERE i.id = ${id}::uuid
         AND (i.notice_lock_until IS NULL OR i.notice_lock_until < ${iso(now)}::timestamptz)
         AND (i.freeze_active <> i.freeze_announced OR (i.clinical_impact AND i.clinical_notified_at IS NULL))
      RETURNING ${INCIDENT_ROW}`;
    return rows[0] ? fromRaw(rows[0]) : null;
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

  async incidentsOfService(names: readonly string[], since: Date, limit: number, privateShown?: readonly string[]) {
    const affectedService = { in: [...new Set(names)] };
    const shown = privateShown ? { OR: [{ isPrivate: false }, { id: { in: [...privateShown] } }] } : {};
    const [active, recent, recentCount] = await Promise.all([
      this.prisma.incident.findMany({
        where: { affectedService, status: { in: STATUSES.filter(isActive) }, ...shown },
        orderBy: { createdAt: 'desc' },
        take: limit,
        include: withRoles,
      }),
      this.prisma.incident.findMany({
        where: { affectedService, createdAt: { gte: since }, ...shown },
        orderBy: { createdAt: 'desc' },
        take: limit,
        include: withRoles,
      }),
      this.prisma.incident.count({ where: { affectedService, createdAt: { gte: since }, ...shown } }),
    ]);
    return { active: active.map(toIncident), recent: recent.map(toIncident), recentCount };
  }

  async privateIncidentsOfService(names: readonly string[], since: Date, limit: number) {
    if (names.length === 0 || limit <= 0) return [];
    return this.prisma.incident.findMany({
      where: {
        affectedService: { in: [...new Set(names)] },
        isPrivate: true,
        OR: [{ createdAt: { gte: since } }, { status: { in: STATUSES.filter(isActive) } }],
      },
      orderBy: { createdAt: 'desc' },
      take: limit,
      select: { id: true, isPrivate: true, channelId: true },
    });
  }

  async listActive() {
    const rows = await this.prisma.incident.findMany({
      where: { status: { notIn: ['RESOLVED', 'CLOSED'] } },
      orderBy: { number: 'asc' },
      include: withRoles,
    });
    return rows.map(toIncident);
  }

  async listActiveAffecting(services: readonly string[], limit: number) {
    if (services.length === 0 || limit <= 0) return [];
    const rows = await this.prisma.incident.findMany({
      // The active statuses named, so the (status, severity) index finds them; few are active at once.
      where: {
        status: { in: STATUSES.filter(isActive) },
        affectedService: { in: [...services], mode: 'insensitive' },
      },
      orderBy: { number: 'asc' },
      take: limit,
      include: withRoles,
    });
    return rows.map(toIncident);
  }

  async countActiveBySeverity() {
    const groups = await this.prisma.incident.groupBy({
      by: ['severity'],
      // The active statuses named (not "not resolved or closed"), so an index on status can find them.
      // Drills are no real incidents: a SEV1 drill must not set off alerts on these figures.
      where: { status: { in: STATUSES.filter(isActive) }, drill: false },
      _count: { _all: true },
    });
    return Object.fromEntries(groups.map((g) => [g.severity, g._count._all])) as Partial<Record<Severity, number>>;
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
          // Assessed not reportable: the clock is stopped.
          OR: [{ breachReportable: null }, { breachReportable: true }],
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

  async breachAssessment(incidentId: string) {
    const r = await this.prisma.breachAssessment.findUnique({ where: { incidentId } });
    return r ? toAssessment(r) : null;
  }

  async breachNotices(incidentId: string) {
    const rows = await this.prisma.breachObligationNotice.findMany({ where: { incidentId }, orderBy: { id: 'asc' } });
    return rows.map(
      (r): ObligationNotice => ({
        regime: r.regime as BreachRegime,
        kind: r.kind as ObligationKind,
        awareAt: r.awareAt,
        remindedPoint: r.remindedPoint,
        notifiedAt: r.notifiedAt,
        notifiedBy: r.notifiedBy,
        reference: r.reference,
      }),
    );
  }

  async claimObligationReminder(
    incidentId: string,
    o: { regime: BreachRegime; kind: ObligationKind },
    point: number,
    awareAt: Date,
  ) {
    // One statement: the row is made with the point, or moved to it only while not notified for this
    // awareness time and no later point was sent; a row of an earlier awareness time starts over.
    const rows = await this.write(
      (tx) => tx.$queryRaw<{ id: string }[]>`
        INSERT INTO breach_obligation_notice (id, incident_id, regime, kind, aware_at, reminded_point)
        SELECT ${randomUUID()}::uuid, i.id, ${o.regime}, ${o.kind}, ${iso(awareAt)}::timestamptz, ${point}
          FROM incident i
         WHERE i.id = ${incidentId}::uuid AND i.data_breach AND i.breach_aware_at = ${iso(awareAt)}::timestamptz
           AND i.breach_reportable IS DISTINCT FROM false
        ON CONFLICT (incident_id, regime, kind) DO UPDATE
           SET reminded_point = EXCLUDED.reminded_point, aware_at = EXCLUDED.aware_at,
               notified_at = CASE WHEN breach_obligation_notice.aware_at IS DISTINCT FROM EXCLUDED.aware_at THEN NULL ELSE breach_obligation_notice.notified_at END,
               notified_by = CASE WHEN breach_obligation_notice.aware_at IS DISTINCT FROM EXCLUDED.aware_at THEN NULL ELSE breach_obligation_notice.notified_by END,
               reference = CASE WHEN breach_obligation_notice.aware_at IS DISTINCT FROM EXCLUDED.aware_at THEN NULL ELSE breach_obligation_notice.reference END
         WHERE breach_obligation_notice.aware_at IS DISTINCT FROM EXCLUDED.aware_at
            OR (breach_obligation_notice.notified_at IS NULL
                AND COALESCE(breach_obligation_notice.reminded_point, 0) < EXCLUDED.reminded_point)
        RETURNING id::text`,
    );
    return rows.length === 1;
  }

  async releaseObligationReminder(
    incidentId: string,
    o: { regime: BreachRegime; kind: ObligationKind },
    point: number,
    previous: number | null,
  ) {
    await this.write((tx) =>
      tx.breachObligationNotice.updateMany({
        where: { incidentId, regime: o.regime, kind: o.kind, remindedPoint: point },
        data: { remindedPoint: previous },
      }),
    );
  }

  async listBreaches(awareSince: Date) {
    const rows = await this.prisma.incident.findMany({
      where: { dataBreach: true, breachAwareAt: { gte: awareSince } },
      orderBy: { number: 'asc' },
      include: withRoles,
    });
    return rows.map(toIncident);
  }

  async claimBreachYearEnd(year: number, now: Date) {
    const rows = await this.prisma.$queryRaw<{ year: number }[]>`
      INSERT INTO breach_year_end_notice (year, sent_at) VALUES (${year}, ${iso(now)}::timestamptz)
      ON CONFLICT (year) DO NOTHING RETURNING year`;
    return rows.length === 1;
  }

  async releaseBreachYearEnd(year: number) {
    await this.prisma.breachYearEndNotice.deleteMany({ where: { year } });
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
