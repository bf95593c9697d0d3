import type { ChangeEvent } from '../../domain/changes.ts';
import { changeRef, freezesOn, freezingIncidents, usedByText } from '../../domain/freeze.ts';
import type { ServiceDeps } from '../deps.ts';
import { deployedService, tellIncidents } from './freeze-helpers.ts';

/** How a change reads on a timeline: what, where, by whom. */
function describeChange(c: ChangeEvent): string {
  const where = [c.environment, c.version].filter(Boolean).join(' ');
  return `${c.kind} of ${c.serviceName ?? c.service}${where ? ` (${where})` : ''}${c.author ? ` by ${c.author}` : ''}: ${c.summary}`.slice(
    0,
    600,
  );
}

/**
 * Once a change is recorded (POST /changes, GitHub): when a freeze applies to its service, an unused
 * override for the service lets it through (and is used up), else the change is flagged on the
 * freezing incidents' timelines. Returns the change as marked.
 *
 * A GitHub deployment the protection rule already let through on an override is matched to that
 * override by its deployment id (no second one is used). A freeze applies when it started before
 * the change occurred and is still in force when the change is reported. A change marked already (a
 * redelivery) is left as it is.
 */
export async function applyFreezeToChange(deps: ServiceDeps, change: ChangeEvent): Promise<ChangeEvent> {
  if (change.flagged || change.overrideId) return change;
  // The catalog's name when it matched, else the name as sent (a repository's own name without its owner).
  const service = deployedService(deps, change.serviceName ?? change.service);
  const freezes = freezesOn(await deps.freezes.activeFor(service), service).filter(
    (f) => f.startedAt.getTime() <= change.occurredAt.getTime(),
  );
  if (!freezes.length) return change;
  const now = deps.clock.now();
  const ref = changeRef(change);
  const what = describeChange(change);
  const used = await deps.freezes.useOverride(
    { service, ref, usedBy: usedByText(ref, [change.service, change.environment]), at: now },
    (o) => ({
      occurredAt: now,
      kind: 'freeze_override_used',
      actorId: null,
      text: `Override used: ${what} went through the freeze, as <@${o.approvedBy}> approved: ${o.reason}`,
      data: { service, deployment: ref, changeId: change.id, approvedBy: o.approvedBy },
    }),
  );
  if (used) {
    if (used.fresh)
      await tellIncidents(deps, [used.override.incidentId], service, what, 'let-through', used.override.approvedBy);
    return deps.changes.markFreeze(change.id, { flagged: false, overrideId: used.override.id });
  }
  // Once per change on each timeline (the same change applied twice at once writes it once).
  const told = await deps.freezes.addEntries(
    freezingIncidents(freezes),
    {
      occurredAt: now,
      kind: 'freeze_change_flagged',
      actorId: null,
      text: `A change landed during the freeze without an override: ${what}`,
      data: { service, changeId: change.id, sourceKey: change.sourceKey },
    },
    `change ${change.id}`,
  );
  await tellIncidents(deps, told, service, what, 'flagged', null);
  return deps.changes.markFreeze(change.id, { flagged: true, overrideId: null });
}
