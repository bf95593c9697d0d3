// The clinical safety record (tables clinical_hazard and clinical_signoff, audited with the
// incident): read, and changed inside IncidentStore.applyChange's transaction under the
// incident's row lock (so two changes of one incident take turns, and at most one sign-off is in
// force). No business rules: the use cases decide (services/incident/*hazard*, sign-off).
import type { ClinicalSeverity, Likelihood } from '../domain/clinical-risk.ts';
import {
  VOID_REASON_TEXT,
  type ClinicalRecord,
  type ClinicalSignoff,
  type HazardLink,
  type RiskAssessment,
  type SignoffVoidReason,
} from '../domain/clinical-safety.ts';
import type { NewTimelineEntry } from '../domain/timeline.ts';
import type { ChangeGuard, ClinicalChange } from '../ports/incident-store.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { createActionItem } from './prisma-review-store.ts';

type Db = Prisma.TransactionClient;
type HazardRow = Prisma.ClinicalHazardGetPayload<object>;
type SignoffRow = Prisma.ClinicalSignoffGetPayload<object>;

const assessment = (likelihood: string | null, severity: string | null): RiskAssessment | null =>
  likelihood && severity ? { likelihood: likelihood as Likelihood, severity: severity as ClinicalSeverity } : null;

function toHazard(r: HazardRow): HazardLink {
  return {
    hazardId: r.hazardId,
    title: r.title,
    before: assessment(r.beforeLikelihood, r.beforeSeverity)!,
    after: assessment(r.afterLikelihood, r.afterSeverity),
    linkedBy: r.linkedBy,
    linkedAt: r.linkedAt,
    updatedBy: r.updatedBy,
    updatedAt: r.updatedAt,
  };
}

function toSignoff(r: SignoffRow): ClinicalSignoff {
  return {
    id: r.id,
    signedBy: r.signedBy,
    signedAt: r.signedAt,
    note: r.note,
    actionItemId: r.actionItemId,
    voidedAt: r.voidedAt,
    voidedBy: r.voidedBy,
    voidReason: (r.voidReason as SignoffVoidReason | null) ?? null,
  };
}

export async function readClinicalRecord(db: Db, incidentId: string): Promise<ClinicalRecord> {
  const [hazards, signoffs] = await Promise.all([
    db.clinicalHazard.findMany({ where: { incidentId }, orderBy: { hazardId: 'asc' } }),
    db.clinicalSignoff.findMany({ where: { incidentId }, orderBy: [{ signedAt: 'asc' }, { id: 'asc' }] }),
  ]);
  return { hazards: hazards.map(toHazard), signoffs: signoffs.map(toSignoff) };
}

const hazardColumns = (h: HazardLink) => ({
  title: h.title,
  beforeLikelihood: h.before.likelihood,
  beforeSeverity: h.before.severity,
  afterLikelihood: h.after?.likelihood ?? null,
  afterSeverity: h.after?.severity ?? null,
  updatedBy: h.updatedBy,
  updatedAt: h.updatedAt,
});

/** Whether the sign-off guard holds (checked under the row lock). */
export async function signoffGuardHolds(db: Db, incidentId: string, guard: ChangeGuard['clinicalSignoff']) {
  if (!guard) return true;
  const inForce = await db.clinicalSignoff.count({ where: { incidentId, voidedAt: null } });
  return guard === 'given' ? inForce > 0 : inForce === 0;
}

/**
 * Applies a clinical change in the caller's transaction, after its timeline entry's time `at`.
 * False when a hazard's precondition failed (the caller rolls back).
 */
export async function applyClinicalChange(
  db: Db,
  incidentId: string,
  change: ClinicalChange,
  entry: NewTimelineEntry,
): Promise<boolean> {
  const at = entry.occurredAt;
  if (change.voidSignoff) {
    const inForce = await db.clinicalSignoff.findMany({ where: { incidentId, voidedAt: null } });
    for (const s of inForce) {
      await db.clinicalSignoff.update({
        where: { id: s.id },
        data: { voidedAt: at, voidedBy: change.voidSignoff.by, voidReason: change.voidSignoff.reason },
      });
      await db.timelineEntry.create({
        data: {
          incidentId,
          occurredAt: at,
          kind: 'clinical_signoff_voided',
          actorId: change.voidSignoff.by,
          text: `Clinical safety sign-off by <@${s.signedBy}> is void (${VOID_REASON_TEXT[change.voidSignoff.reason]}): it must be given again`,
          data: { signoffId: s.id, signedBy: s.signedBy, reason: change.voidSignoff.reason },
        },
      });
    }
  }
  const h = change.hazard;
  if (h?.op === 'add') {
    const exists = await db.clinicalHazard.count({ where: { incidentId, hazardId: h.link.hazardId } });
    if (exists) return false;
    await db.clinicalHazard.create({
      data: {
        incidentId,
        hazardId: h.link.hazardId,
        linkedBy: h.link.linkedBy,
        linkedAt: h.link.linkedAt,
        ...hazardColumns(h.link),
      },
    });
  } else if (h?.op === 'update') {
    const { count } = await db.clinicalHazard.updateMany({
      where: { incidentId, hazardId: h.link.hazardId },
      data: hazardColumns(h.link),
    });
    if (count !== 1) return false;
  } else if (h?.op === 'remove') {
    const { count } = await db.clinicalHazard.deleteMany({ where: { incidentId, hazardId: h.hazardId } });
    if (count !== 1) return false;
  }
  if (change.signoff) {
    // The hazards the officer accepted must be those linked now (a hazard linked, changed or
    // unlinked since they were read voided nothing, as no sign-off was in force yet).
    const now = await db.clinicalHazard.findMany({
      where: { incidentId },
      select: { hazardId: true, updatedAt: true },
    });
    const seen = new Map(change.signoff.hazards.map((h) => [h.hazardId, h.updatedAt.getTime()]));
    if (now.length !== seen.size || now.some((h) => seen.get(h.hazardId) !== h.updatedAt.getTime())) return false;
    // The hazard-log review is made once per incident: a later sign-off (after a void) names it again.
    const earlier = await db.clinicalSignoff.findFirst({
      where: { incidentId, actionItemId: { not: null } },
      select: { actionItemId: true },
    });
    const actionItemId =
      earlier?.actionItemId ??
      (await createActionItem(db, incidentId, change.signoff.reviewItem, { by: change.signoff.by, at })).id;
    await db.clinicalSignoff.create({
      data: { incidentId, signedBy: change.signoff.by, signedAt: at, note: change.signoff.note, actionItemId },
    });
  }
  return true;
}
