import { assertCanCommand } from '../../domain/access.ts';
import { AppError } from '../../domain/errors.ts';
import type { ServiceDeps } from '../deps.ts';
import { commitChange } from '../commit-change.ts';
import { incidentInChannel } from '../access.ts';

/**
 * `/incident clinical on|off`: anyone may raise clinical impact (safety first); only the commander
 * may clear it. Raising it alerts clinical safety once (recorded only when the alert was posted, so
 * a failed post is tried again) and requires a clinical safety officer.
 */
export async function setClinicalImpact(deps: ServiceDeps, input: { channelId: string; userId: string; on: boolean }) {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  if (incident.clinicalImpact === input.on) {
    throw new AppError(`Clinical impact is already ${input.on ? 'on' : 'off'}.`, 'invalid_input');
  }
  if (!input.on) assertCanCommand(incident, input.userId, 'clear clinical impact');
  const now = deps.clock.now();
  const updated = await commitChange(deps, {
    incident,
    // A clinical safety sign-off in force is void (recorded on the timeline by the store).
    change: {
      clinicalImpact: input.on,
      clinical: { voidSignoff: { reason: 'clinical-impact-changed', by: input.userId } },
    },
    guard: input.on
      ? { clinicalImpact: false }
      : { clinicalImpact: true, roles: { COMMANDER: incident.roles.COMMANDER ?? null } },
    entry: {
      occurredAt: now,
      kind: 'clinical_impact',
      actorId: input.userId,
      text: input.on ? 'Clinical impact reported' : 'Clinical impact cleared',
      data: { on: input.on },
    },
    notices: [
      { to: 'incident', notice: (i) => ({ kind: 'clinical-impact', incident: i, by: input.userId, on: input.on }) },
    ],
  });
  // The clinical-safety alert, once, is posted by commitChange under the notice lease (a failed
  // post stays owed and is tried again by the background pass).
  return (await deps.store.findById(updated.id)) ?? updated;
}
