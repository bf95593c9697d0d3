import type { IncidentWork, LoadCache, SyncedWindow } from '../ports/load-cache.ts';
import { SYNC_WINDOW_MS } from '../domain/sync-windows.ts';
import type { LoadScope, OnCallWindow } from '../ports/on-call-history.ts';
import type { OnCallPerson } from '../domain/on-call-load.ts';
import type pg from 'pg';
import type { PrismaClient } from '../generated/prisma/client.ts';

const toPerson = (p: { id: string; name: string; email: string | null; timeZone: string | null }): OnCallPerson => ({
  id: p.id,
  name: p.name,
  email: p.email,
  timeZone: p.timeZone,
});

export class PrismaLoadCache implements LoadCache {
  private readonly prisma: PrismaClient;
  /** The same database's pg pool: a year of pages is read through it as plain arrays (a fraction of the memory of mapped rows). */
  private readonly pool: pg.Pool;

  constructor(prisma: PrismaClient, pool: pg.Pool) {
    this.prisma = prisma;
    this.pool = pool;
  }

  async saveScope(key: string, scope: LoadScope) {
    const data = { kind: scope.kind, pdId: scope.id, name: scope.name, lowerName: scope.name.toLowerCase() };
    await this.prisma.pdScope.upsert({ where: { key }, create: { key, ...data }, update: data });
  }

  async findScope(query: string) {
    const row = await this.prisma.pdScope.findFirst({
      where: { lowerName: query.trim().toLowerCase() },
      orderBy: { key: 'asc' },
    });
    if (!row) return null;
    const scope: LoadScope =
      row.kind === 'schedule' || row.kind === 'team'
        ? { kind: row.kind, id: row.pdId ?? '', name: row.name }
        : { kind: 'all', id: null, name: row.name };
    return { key: row.key, scope };
  }

  async windows(scopeKey: string, from: Date, to: Date): Promise<SyncedWindow[]> {
    return this.prisma.pdSyncWindow.findMany({
      where: { scopeKey, start: { lt: to }, end: { gt: from } },
      select: { start: true, end: true, fetchedAt: true },
      orderBy: { start: 'asc' },
    });
  }

  async saveWindow(scopeKey: string, window: { start: Date; end: Date }, data: OnCallWindow, fetchedAt: Date) {
    await this.prisma.$transaction(async (tx) => {
      // Replacing a scope's window is delete-then-insert: two reports saving it at once (on
      // PostgreSQL) would each keep their own rows. They take turns on the scope instead.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`pd_window:${scopeKey}`}, 0))`;
      if (data.people.length) {
        // One statement for everyone (a window names the same people again and again).
        const ps = data.people;
        await tx.$executeRaw`
          INSERT INTO pd_person (id, name, email, time_zone, updated_at)
          SELECT * FROM unnest(${ps.map((p) => p.id)}::text[], ${ps.map((p) => p.name)}::text[], ${ps.map((p) => p.email)}::text[],
                               ${ps.map((p) => p.timeZone)}::text[], ${ps.map(() => fetchedAt)}::timestamptz[])
          ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, time_zone = EXCLUDED.time_zone, updated_at = EXCLUDED.updated_at`;
      }
      await tx.pdStretch.deleteMany({ where: { scopeKey, start: { gte: window.start, lt: window.end } } });
      if (data.stretches.length) {
        await tx.pdStretch.createMany({
          data: data.stretches.map((s) => ({
            scopeKey,
            userId: s.userId,
            scheduleId: s.scheduleId,
            escalationPolicyId: s.escalationPolicyId,
            level: s.level,
            start: s.start,
            end: s.end,
          })),
        });
      }
      if (data.pages.length) {
        await tx.pdPage.createMany({
          data: data.pages.map((p) => ({
            logEntryId: p.id,
            userId: p.userId,
            incidentId: p.incidentId,
            at: p.at,
            kind: p.kind,
            serviceId: p.serviceId,
          })),
          skipDuplicates: true,
        });
      }
      await tx.pdSyncWindow.upsert({
        where: { scopeKey_start: { scopeKey, start: window.start } },
        create: { scopeKey, start: window.start, end: window.end, fetchedAt },
        update: { end: window.end, fetchedAt },
      });
    });
  }

  /** Read through the pg pool as plain arrays: a year of history maps to a fraction of the memory of Prisma rows. */
  async read(scopeKey: string, from: Date, to: Date) {
    // Stretches are clipped to their week, so none that overlaps the period starts more than a week before it.
    const stretchRows = await this.pool.query<[string, string | null, string | null, number, string, string]>({
      text: `SELECT user_id, schedule_id, escalation_policy_id, level, (extract(epoch FROM start) * 1000)::bigint::text, (extract(epoch FROM "end") * 1000)::bigint::text
               FROM pd_stretch WHERE scope_key = $1 AND start < $3 AND start >= $4 AND "end" > $2 ORDER BY start, user_id`,
      values: [scopeKey, from, to, new Date(from.getTime() - SYNC_WINDOW_MS)],
      rowMode: 'array',
    });
    const stretches = stretchRows.rows.map(([userId, scheduleId, escalationPolicyId, level, start, end]) => ({
      userId,
      scheduleId,
      escalationPolicyId,
      level,
      start: new Date(Number(start)),
      end: new Date(Number(end)),
    }));
    const ids = [...new Set(stretches.map((s) => s.userId))];
    const peopleRows = await this.pool.query<[string, string, string | null, string | null, string | null]>({
      text: 'SELECT id, name, email, time_zone, slack_user_id FROM pd_person WHERE id = ANY($1) ORDER BY id',
      values: [ids],
      rowMode: 'array',
    });
    // A page of a drill (a PagerDuty incident paged from an exercise: its link, by the unique
    // PagerDuty id) is no on-call work: left out of load, wellbeing and allowances alike (countsInMetrics).
    const rows = await this.pool.query<[string, string, string, string, string, string | null]>({
      text: `SELECT log_entry_id, user_id, incident_id, (extract(epoch FROM at) * 1000)::bigint::text, kind, service_id
               FROM pd_page p WHERE user_id = ANY($1) AND at >= $2 AND at < $3
                 AND NOT EXISTS (SELECT 1 FROM pagerduty_link l JOIN incident i ON i.id = l.incident_id
                                  WHERE l.pagerduty_incident_id = p.incident_id AND i.drill)
               ORDER BY at, log_entry_id, user_id`,
      values: [ids, from, to],
      rowMode: 'array',
    });
    const slackUsers = new Map<string, string>();
    for (const [id, , , , slack] of peopleRows.rows) if (slack) slackUsers.set(id, slack);
    return {
      people: peopleRows.rows.map(([id, name, email, timeZone]) => ({ id, name, email, timeZone })),
      stretches,
      pages: rows.rows.map(([id, userId, incidentId, atMs, kind, serviceId]) => ({
        id,
        userId,
        incidentId,
        at: new Date(Number(atMs)),
        kind: kind === 'escalated' ? ('escalated' as const) : ('assigned' as const),
        serviceId,
      })),
      slackUsers,
    };
  }

  async peopleToMatch(ids: string[], before: Date) {
    const rows = await this.prisma.pdPerson.findMany({
      where: { id: { in: ids }, OR: [{ slackCheckedAt: null }, { slackCheckedAt: { lt: before } }] },
      orderBy: { id: 'asc' },
    });
    return rows.map(toPerson);
  }

  async setSlackUsers(matches: { personId: string; slackUserId: string | null }[], at: Date) {
    if (!matches.length) return;
    await this.prisma.$executeRaw`
      UPDATE pd_person SET slack_user_id = m.slack_user_id, slack_checked_at = ${at}
        FROM unnest(${matches.map((m) => m.personId)}::text[], ${matches.map((m) => m.slackUserId)}::text[]) AS m(id, slack_user_id)
       WHERE pd_person.id = m.id`;
  }

  /**
   * Each holding of a role, from the incident's timeline: from its assignment to the next
   * assignment of that role (a handover) or the incident's resolution (`now` while it is open). A
   * role with no assignment on the timeline counts from when its holder took it.
   */
  async incidentWork(slackUserIds: string[], from: Date, to: Date, now: Date): Promise<IncidentWork[]> {
    if (!slackUserIds.length) return [];
    const wanted = new Set(slackUserIds);
    const incidents = await this.prisma.incident.findMany({
      // Near misses and drills (countsInMetrics, domain/drill.ts) are no on-call work.
      where: {
        nearMiss: false,
        drill: false,
        createdAt: { lt: to },
        OR: [{ resolvedAt: null }, { resolvedAt: { gt: from } }],
      },
      select: {
        id: true,
        resolvedAt: true,
        roles: { select: { role: true, userId: true, assignedAt: true } },
        timeline: {
          where: { kind: 'role_assigned' },
          select: { occurredAt: true, data: true },
          orderBy: { occurredAt: 'asc' },
        },
      },
    });
    const work: IncidentWork[] = [];
    for (const incident of incidents) {
      const end = incident.resolvedAt ?? now;
      const byRole = new Map<string, { at: Date; userId: string }[]>();
      for (const e of incident.timeline) {
        const data = e.data as { role?: unknown; userId?: unknown } | null;
        if (typeof data?.role !== 'string' || typeof data.userId !== 'string') continue;
        let list = byRole.get(data.role);
        if (!list) {
          list = [];
          byRole.set(data.role, list);
        }
        list.push({ at: e.occurredAt, userId: data.userId });
      }
      for (const r of incident.roles)
        if (!byRole.has(r.role)) byRole.set(r.role, [{ at: r.assignedAt, userId: r.userId }]);
      for (const [role, holdings] of byRole) {
        holdings.forEach((h, i) => {
          const until = holdings[i + 1]?.at ?? end;
          if (wanted.has(h.userId) && until > h.at) {
            work.push({
              slackUserId: h.userId,
              incidentId: incident.id,
              roles: [role.toLowerCase()],
              start: h.at,
              end: until,
            });
          }
        });
      }
    }
    return work.sort((a, b) => a.start.getTime() - b.start.getTime() || a.slackUserId.localeCompare(b.slackUserId));
  }
}
