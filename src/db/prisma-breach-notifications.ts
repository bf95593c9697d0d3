import type { BreachNotification, NotificationState } from '../domain/breach-assessment.ts';
import type { BreachRegime, ObligationKind } from '../domain/breach-regimes.ts';
import type { NewTimelineEntry } from '../domain/timeline.ts';
import type {
  BreachNotificationStore,
  NewNotificationVersion,
  NotificationChange,
  VersionGuard,
} from '../ports/breach-notifications.ts';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import { auditedTransaction } from './audited.ts';

type Tx = Prisma.TransactionClient;
type Row = Awaited<ReturnType<PrismaClient['breachNotification']['findFirstOrThrow']>>;

function toNotification(r: Row): BreachNotification {
  return {
    id: r.id,
    incidentId: r.incidentId,
    regime: r.regime as BreachRegime,
    kind: r.kind as ObligationKind,
    state: r.state as NotificationState,
    markdown: r.markdown,
    version: r.version,
    draftedBy: r.draftedBy,
    draftedAt: r.draftedAt,
    approvedBy: r.approvedBy,
    approvedAt: r.approvedAt,
    sentAt: r.sentAt,
    sentBy: r.sentBy,
    reference: r.reference,
    withdrawnAt: r.withdrawnAt,
    withdrawnBy: r.withdrawnBy,
    withdrawReason: r.withdrawReason,
  };
}

async function addEntry(tx: Tx, n: BreachNotification, entry: NewTimelineEntry): Promise<void> {
  await tx.timelineEntry.create({
    data: {
      incidentId: n.incidentId,
      occurredAt: entry.occurredAt,
      kind: entry.kind,
      actorId: entry.actorId,
      text: entry.text,
      data: {
        ...entry.data,
        notificationId: n.id,
        regime: n.regime,
        notification: n.kind,
        version: n.version,
      } as Prisma.InputJsonObject,
    },
  });
}

/** Changes the version if it is still as `guard` says; null otherwise. */
async function changeIf(tx: Tx, guard: VersionGuard, change: NotificationChange): Promise<BreachNotification | null> {
  const { count } = await tx.breachNotification.updateMany({
    where: { id: guard.id, state: guard.state, draftedAt: guard.draftedAt },
    data: change,
  });
  if (count !== 1) return null;
  return toNotification(await tx.breachNotification.findUniqueOrThrow({ where: { id: guard.id } }));
}

/** Breach notifications in table breach_notification (audited with their incident). */
export class PrismaBreachNotificationStore implements BreachNotificationStore {
  private readonly prisma: PrismaClient;

  constructor(prisma: PrismaClient) {
    this.prisma = prisma;
  }

  async latest(incidentId: string, regime: BreachRegime, kind: ObligationKind) {
    const row = await this.prisma.breachNotification.findFirst({
      where: { incidentId, regime, kind },
      orderBy: { version: 'desc' },
    });
    return row ? toNotification(row) : null;
  }

  async byId(id: string) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const row = await this.prisma.breachNotification.findUnique({ where: { id } });
    return row ? toNotification(row) : null;
  }

  async latestOfIncident(incidentId: string) {
    const rows = await this.prisma.breachNotification.findMany({
      where: { incidentId },
      orderBy: [{ version: 'desc' }],
    });
    const latest = new Map<string, Row>();
    for (const r of rows) if (!latest.has(`${r.regime}/${r.kind}`)) latest.set(`${r.regime}/${r.kind}`, r);
    const first = new Map<string, number>();
    for (const r of rows) {
      const k = `${r.regime}/${r.kind}`;
      first.set(k, Math.min(first.get(k) ?? Number.POSITIVE_INFINITY, r.draftedAt.getTime()));
    }
    return [...latest.entries()]
      .sort(([a], [b]) => first.get(a)! - first.get(b)! || a.localeCompare(b))
      .map(([, r]) => toNotification(r));
  }

  async addVersion(
    n: NewNotificationVersion,
    entry: NewTimelineEntry,
    supersede?: { guard: VersionGuard; change: NotificationChange },
  ) {
    try {
      return await auditedTransaction(this.prisma, async (tx) => {
        if (supersede && !(await changeIf(tx, supersede.guard, supersede.change))) throw new Superseded();
        const created = toNotification(await tx.breachNotification.create({ data: { ...n, state: 'draft' } }));
        await addEntry(tx, created, entry);
        return created;
      });
    } catch (err) {
      if (err instanceof Superseded) return null;
      // Someone drafted this version at the same moment (the unique incident, regime, kind, version).
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return null;
      throw err;
    }
  }

  async change(guard: VersionGuard, change: NotificationChange, entry: NewTimelineEntry) {
    try {
      return await auditedTransaction(this.prisma, async (tx) => {
        const changed = await changeIf(tx, guard, change);
        if (!changed) throw new Superseded();
        await addEntry(tx, changed, entry);
        return changed;
      });
    } catch (err) {
      if (err instanceof Superseded) return null;
      throw err;
    }
  }
}

/** Rolls the transaction back: what it rested on changed meanwhile. */
class Superseded extends Error {}
