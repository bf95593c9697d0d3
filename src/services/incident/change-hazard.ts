import { assertCanEditHazards } from '../../domain/access.ts';
import {
  applyHazardUpdate,
  currentSignoff,
  hazardLine,
  ratingOf,
  type HazardCommand,
  type HazardLink,
} from '../../domain/clinical-safety.ts';
import { AppError } from '../../domain/errors.ts';
import { incidentRef } from '../../domain/incident.ts';
import type { ServiceDeps } from '../deps.ts';
import { commitChange } from '../commit-change.ts';
import { incidentInChannel } from '../access.ts';

/**
 * `/incident hazard add|update|remove …`: links a hazard-log entry to the incident with its risk
 * before and after, changes it, or unlinks it. The commander's or the clinical safety officer's.
 * A change voids the clinical safety sign-off in force (it accepted the risk as it was), in the same
 * transaction. A closed incident's hazards stay as they were signed off (reopen it first).
 */
export async function changeHazard(
  deps: ServiceDeps,
  input: { channelId: string; userId: string; command: HazardCommand },
): Promise<HazardLink | null> {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  assertCanEditHazards(incident, input.userId);
  if (incident.status === 'CLOSED')
    throw new AppError(
      `${incidentRef(incident)} is closed: its hazards stay as they were signed off. Reopen it first with \`/incident reopen [reason]\`.`,
      'invalid_input',
    );
  const cmd = input.command;
  const record = await deps.store.clinicalRecord(incident.id);
  const existing = record.hazards.find((h) => h.hazardId === cmd.hazardId) ?? null;
  const now = deps.clock.now();
  let link: HazardLink;
  if (cmd.op === 'add') {
    if (existing)
      throw new AppError(
        `${cmd.hazardId} is linked already. Change it with \`/incident hazard update ${cmd.hazardId} …\`.`,
        'invalid_input',
      );
    link = {
      hazardId: cmd.hazardId,
      title: cmd.title,
      before: cmd.before,
      after: cmd.after,
      linkedBy: input.userId,
      linkedAt: now,
      updatedBy: input.userId,
      updatedAt: now,
    };
  } else {
    if (!existing) {
      const linked = record.hazards.map((h) => h.hazardId);
      throw new AppError(
        `${cmd.hazardId} is not linked to ${incidentRef(incident)}${linked.length ? ` (linked: ${linked.join(', ')})` : ''}.`,
        'not_found',
      );
    }
    link = cmd.op === 'update' ? applyHazardUpdate(existing, cmd, input.userId, now) : existing;
  }
  const signed = currentSignoff(record);
  await commitChange(deps, {
    incident,
    change: {
      clinical: {
        hazard: cmd.op === 'remove' ? { op: 'remove', hazardId: cmd.hazardId } : { op: cmd.op, link },
        voidSignoff: { reason: 'hazard-changed', by: input.userId },
      },
    },
    // Whether a sign-off was in force decides what the channel is told: it must still be so.
    guard: { status: incident.status, clinicalSignoff: signed ? 'given' : 'none' },
    entry: {
      occurredAt: now,
      kind: 'clinical_hazard',
      actorId: input.userId,
      text: hazardLine(cmd.op, link),
      data: {
        op: cmd.op,
        hazardId: link.hazardId,
        title: link.title,
        before: { ...link.before, rating: ratingOf(link.before) },
        after: link.after ? { ...link.after, rating: ratingOf(link.after) } : null,
      },
    },
    notices: [
      {
        to: 'incident',
        notice: (i) => ({
          kind: 'clinical-record',
          incident: i,
          by: input.userId,
          change: { op: cmd.op, hazard: link },
          voided: !!signed,
        }),
      },
    ],
  });
  return cmd.op === 'remove' ? null : link;
}
