import type { RoleName } from '../domain/incident.ts';
import type { Severity } from '../domain/severity.ts';
import type { PackActionItem, PackApproval, PackReview } from '../domain/evidence-pack.ts';
import type { EvidenceRecords, PeriodIncident } from '../ports/evidence-records.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';

/** Timeline entries that record a decision an auditor asks about, and how the sheet names them. */
const DECISIONS: Record<string, string> = {
  role_assigned: 'role assigned',
  clinical_impact: 'clinical impact recorded',
  data_breach: 'data breach recorded',
  breach_notified: 'regulator notified (data breach)',
};

/** The evidence pack's reads in SQL (see ports/evidence-records.ts): one statement per kind of record. */
export class PgEvidenceRecords implements EvidenceRecords {
  private readonly prisma: PrismaClient;

  constructor(prisma: PrismaClient) {
    this.prisma = prisma;
  }

  async incidentsDeclared(from: Date, to: Date): Promise<PeriodIncident[]> {
    // The guardrail report's index on created_at finds the period; roles come in the same statement.
    const rows = await this.prisma.$queryRaw<
      {
        id: string;
        number: number;
        title: string;
        severity: Severity;
        status: string;
        affected_service: string | null;
        clinical_impact: boolean;
        near_miss: boolean;
        drill: boolean;
        data_breach: boolean;
        is_private: boolean;
        declared_by: string;
        created_at: Date;
        resolved_at: Date | null;
        closed_at: Date | null;
        breach_aware_at: Date | null;
        breach_notified_at: Date | null;
        breach_notified_by: string | null;
        channel_id: string | null;
        roles: { role: RoleName; userId: string; assignedBy: string; assignedAt: string }[];
      }[]
    >`
      SELECT i.id::text AS id, i.number, i.title, i.severity::text AS severity, i.status::text AS status,
             i.affected_service, i.clinical_impact, i.near_miss, i.drill, i.data_breach, i.is_private, i.declared_by,
             i.created_at, i.resolved_at, i.closed_at, i.breach_aware_at, i.breach_notified_at,
             i.breach_notified_by, i.channel_id,
             COALESCE((SELECT json_agg(json_build_object('role', r.role::text, 'userId', r.user_id,
                                                         'assignedBy', r.assigned_by, 'assignedAt', r.assigned_at)
                                       ORDER BY r.role)
                         FROM incident_role r WHERE r.incident_id = i.id), '[]'::json) AS roles
        FROM incident i
       WHERE i.created_at >= ${from} AND i.created_at < ${to}
       ORDER BY i.number`;
    return rows.map((r) => ({
      id: r.id,
      number: r.number,
      title: r.title,
      severity: r.severity,
      status: r.status,
      affectedService: r.affected_service,
      clinicalImpact: r.clinical_impact,
      nearMiss: r.near_miss,
      drill: r.drill,
      dataBreach: r.data_breach,
      isPrivate: r.is_private,
      declaredBy: r.declared_by,
      declaredAt: r.created_at,
      resolvedAt: r.resolved_at,
      closedAt: r.closed_at,
      breachAwareAt: r.breach_aware_at,
      breachNotifiedAt: r.breach_notified_at,
      breachNotifiedBy: r.breach_notified_by,
      channelId: r.channel_id,
      roles: r.roles.map((x) => ({
        role: x.role,
        userId: x.userId,
        assignedBy: x.assignedBy,
        assignedAt: new Date(x.assignedAt),
      })),
    }));
  }

  async detailsOf(incidentIds: readonly string[]) {
    const ids = [...incidentIds];
    if (!ids.length) return { reviews: [], approvals: [], actionItems: [] };
    const [reviews, decisions, overrides, items] = await Promise.all([
      this.prisma.$queryRaw<{ number: number; input: unknown; updated_by: string | null; updated_at: Date }[]>`
        SELECT i.number, r.input, r.updated_by, r.updated_at
          FROM incident_review r JOIN incident i ON i.id = r.incident_id
         WHERE r.incident_id = ANY(${ids}::uuid[])`,
      this.prisma.$queryRaw<
        { number: number; kind: string; actor_id: string | null; occurred_at: Date; text: string }[]
      >`
        SELECT i.number, t.kind, t.actor_id, t.occurred_at, t.text
          FROM timeline_entry t JOIN incident i ON i.id = t.incident_id
         WHERE t.incident_id = ANY(${ids}::uuid[]) AND t.kind = ANY(${Object.keys(DECISIONS)}::text[])`,
      this.prisma.$queryRaw<
        {
          number: number;
          service: string;
          reason: string;
          approved_by: string;
          created_at: Date;
          used_at: Date | null;
          used_by: string | null;
        }[]
      >`
        SELECT i.number, o.service, o.reason, o.approved_by, o.created_at, o.used_at, o.used_by
          FROM freeze_override o JOIN incident i ON i.id = o.incident_id
         WHERE o.incident_id = ANY(${ids}::uuid[])`,
      this.prisma.$queryRaw<
        {
          number: number;
          incident_number: number;
          text: string;
          owner_id: string | null;
          team: string | null;
          due: string | null;
          priority: string;
          status: 'open' | 'done';
          created_at: Date;
          completed_at: Date | null;
          completed_by: string | null;
          issue_url: string | null;
        }[]
      >`
        SELECT a.number, i.number AS incident_number, a.text, a.owner_id, a.team, to_char(a.due, 'YYYY-MM-DD') AS due,
               a.priority::text AS priority, a.status::text AS status, a.created_at, a.completed_at, a.completed_by,
               l.issue_url
          FROM action_item a JOIN incident i ON i.id = a.incident_id
          LEFT JOIN tracker_link l ON l.action_item_id = a.id
         WHERE a.incident_id = ANY(${ids}::uuid[])`,
    ]);
    const approvals: PackApproval[] = [
      ...decisions.map((d) => ({
        incidentNumber: d.number,
        record: DECISIONS[d.kind]!,
        what: d.kind,
        by: d.actor_id,
        at: d.occurred_at,
        detail: d.text,
      })),
      ...overrides.map((o) => ({
        incidentNumber: o.number,
        record: 'freeze override approved',
        what: o.service,
        by: o.approved_by,
        at: o.created_at,
        detail: `${o.reason}${o.used_at ? ` (used ${o.used_at.toISOString()}${o.used_by ? ` by ${o.used_by}` : ''})` : ' (not used)'}`,
      })),
    ];
    return {
      reviews: reviews.map(
        (r): PackReview => ({
          incidentNumber: r.number,
          input: (r.input ?? {}) as Record<string, unknown>,
          updatedBy: r.updated_by,
          updatedAt: r.updated_at,
        }),
      ),
      approvals,
      actionItems: items.map(
        (a): PackActionItem => ({
          number: a.number,
          incidentNumber: a.incident_number,
          text: a.text,
          ownerId: a.owner_id,
          team: a.team,
          due: a.due,
          priority: a.priority,
          status: a.status,
          createdAt: a.created_at,
          completedAt: a.completed_at,
          completedBy: a.completed_by,
          trackerUrl: a.issue_url,
        }),
      ),
    };
  }
}
