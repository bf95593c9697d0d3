import { z } from 'zod';
import type { ChangeEvent, ChangeKind, ChangeSource, NewChangeEvent } from '../domain/changes.ts';
import type { ChangeLog } from '../ports/change-log.ts';
import type { ChangeEvent as ChangeRow, PrismaClient } from '../generated/prisma/client.ts';

const approvers = z.array(z.string()).catch([]);

/** How a name is matched: trimmed, in any case (the columns service_key, service_name_key, system_key). */
export const matchKey = (s: string) => s.trim().toLowerCase();

function toChange(r: ChangeRow): ChangeEvent {
  return {
    id: r.id,
    sourceKey: r.sourceKey,
    source: r.source as ChangeSource,
    kind: r.kind as ChangeKind,
    service: r.service,
    serviceName: r.serviceName,
    system: r.system,
    owner: r.owner,
    environment: r.environment,
    version: r.version,
    summary: r.summary,
    author: r.author,
    approvers: approvers.parse(r.approvers),
    url: r.url,
    occurredAt: r.occurredAt,
    receivedAt: r.receivedAt,
    flagged: r.flagged,
    overrideId: r.overrideId,
  };
}

/** Changes to production in table change_event. */
export class PrismaChangeLog implements ChangeLog {
  private readonly prisma: PrismaClient;

  constructor(prisma: PrismaClient) {
    this.prisma = prisma;
  }

  async record(change: NewChangeEvent, receivedAt: Date) {
    // One statement: a redelivery racing the first delivery inserts nothing and reads the first.
    const inserted = await this.prisma.changeEvent.createManyAndReturn({
      data: [
        {
          ...change,
          approvers: change.approvers,
          receivedAt,
          serviceKey: matchKey(change.service),
          serviceNameKey: change.serviceName === null ? null : matchKey(change.serviceName),
          systemKey: change.system === null ? null : matchKey(change.system),
        },
      ],
      skipDuplicates: true,
    });
    if (inserted[0]) return { change: toChange(inserted[0]), created: true };
    const existing = await this.prisma.changeEvent.findUniqueOrThrow({ where: { sourceKey: change.sourceKey } });
    return { change: toChange(existing), created: false };
  }

  async changesTo(q: Parameters<ChangeLog['changesTo']>[0]) {
    if (!q.services.length && !q.systems.length) return [];
    // In any case, through the lower-cased keys' indexes (as the freeze and the redraw compare names).
    const services = [...new Set(q.services.map(matchKey))];
    const systems = [...new Set(q.systems.map(matchKey))];
    const rows = await this.prisma.changeEvent.findMany({
      where: {
        occurredAt: { gte: q.from, lt: q.to },
        OR: [
          ...(services.length ? [{ serviceNameKey: { in: services } }, { serviceKey: { in: services } }] : []),
          ...(systems.length ? [{ systemKey: { in: systems } }] : []),
        ],
      },
      orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }],
      take: q.limit,
    });
    return rows.map(toChange);
  }

  async markFreeze(id: string, mark: { flagged: boolean; overrideId: string | null }) {
    return toChange(await this.prisma.changeEvent.update({ where: { id }, data: mark }));
  }
}
