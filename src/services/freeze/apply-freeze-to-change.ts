import type { ChangeEvent } from '../../domain/changes.ts';
import {
  changeMeetsFreeze,
  changeRef,
  freezesOn,
  freezingIncidents,
  landedInFreeze,
  usedByText,
} from '../../domain/freeze.ts';
import type { ServiceDeps } from '../deps.ts';
import { deployedService, freezeEnvironments, systemOfService, tellIncidents } from './freeze-helpers.ts';

/** How a change reads on a timeline: what, where, by whom. */
function describeChange(c: ChangeEvent): string {
  const where = [c.environment, c.version].filter(Boolean).join(' ');
  return `${c.kind} of ${c.serviceName ?? c.service}${where ? ` (${where})` : ''}${c.author ? ` by ${c.author}` : ''}: ${c.summary}`.slice(
    0,
    600,
  );
}

/**
 * Once a change is recorded (POST /changes, GitHub): when a freeze applies to its service (or its
 * system, or every service), it goes through only if every incident freezing it gave an unused
 * override of the service (one of each is used up), else the change is flagged on the freezing
 * incidents' timelines. Returns the change as marked.
 *
 * Only deployments and changes (kinds `deploy`, `change`) to an environment the freeze protects
 * (FREEZE_ENVIRONMENTS; none named counts as protected) meet a freeze: a merged pull request is
 * information, and a staging deployment is not a production change. A GitHub deployment the
 * protection rule already let through is matched to the overrides it used by its deployment id (no
 * second ones are used). A freeze applies when it is in force when the change is reported and the
 * change landed in it (domain/freeze.ts landedInFreeze: occurred after it started, or received
 * during it claiming to be more than 15 minutes older). A change marked already (a redelivery) is
 * left as it is.
 */
export async function applyFreezeToChange(deps: ServiceDeps, change: ChangeEvent): Promise<ChangeEvent> {
  if (change.flagged || change.overrideId) return change;
  if (!changeMeetsFreeze(change, freezeEnvironments(deps))) return change;
  // The catalog's name when it matched, else the name as sent (a repository's own name without its owner).
  const service = deployedService(deps, change.serviceName ?? change.service);
  const system = change.system ?? systemOfService(deps, service);
  const freezes = freezesOn(await deps.freezes.activeFor(service, system), service, system).filter((f) =>
    landedInFreeze(change, f.startedAt),
  );
  if (!freezes.length) return change;
  const now = deps.clock.now();
  const ref = changeRef(change);
  const what = describeChange(change);
  const used = await deps.freezes.useOverrides(
    { service, system, ref, usedBy: usedByText(ref, [change.service, change.environment]), at: now },
    (o) => ({
      occurredAt: now,
      kind: 'freeze_override_used',
      actorId: null,
      text: `Override used: ${what} went through the freeze, as <@${o.approvedBy}> approved: ${o.reason}`,
      data: { service, deployment: ref, changeId: change.id, approvedBy: o.approvedBy },
    }),
  );
  if (used) {
    if (used.fresh) {
      for (const o of used.overrides)
        await tellIncidents(deps, [o.incidentId], service, what, 'let-through', o.approvedBy);
    }
    return deps.changes.markFreeze(change.id, { flagged: false, overrideId: used.overrides[0]!.id });
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
