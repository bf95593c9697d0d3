import { assertCanAssignRole } from '../../domain/access.ts';
import { AppError } from '../../domain/errors.ts';
import { ROLE_LABELS, type RoleName } from '../../domain/incident.ts';
import type { ServiceDeps } from '../deps.ts';
import { commitChange } from '../commit-change.ts';
import { incidentInChannel } from '../access.ts';

/**
 * `/incident role <role> @user`: the commander (or, without one, the declarer) assigns roles.
 * Anyone may take a vacant supporting role for themselves; the commander role itself carries the
 * authority to change severity and resolve, so only the one who holds that authority hands it on.
 */
export async function assignRole(
  deps: ServiceDeps,
  input: { channelId: string; userId: string; role: RoleName; assignee: string },
) {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  const current = incident.roles[input.role];
  if (current === input.assignee)
    throw new AppError(`<@${input.assignee}> is already the ${ROLE_LABELS[input.role]}.`, 'invalid_input');
  assertCanAssignRole(incident, input.userId, input.role, input.assignee);
  const now = deps.clock.now();
  return commitChange(deps, {
    incident,
    change: { role: { role: input.role, userId: input.assignee, assignedBy: input.userId } },
    // Refused if the role, or the authority checked above, changed hands meanwhile.
    guard: { roles: { [input.role]: current ?? null, COMMANDER: incident.roles.COMMANDER ?? null } },
    entry: {
      occurredAt: now,
      kind: 'role_assigned',
      actorId: input.userId,
      text: `${ROLE_LABELS[input.role]}: ${input.assignee}${current ? ` (was ${current})` : ''}`,
      data: { role: input.role, userId: input.assignee, previous: current ?? null },
    },
    notices: [
      {
        to: 'incident',
        notice: (i) => ({
          kind: 'role-assigned',
          incident: i,
          by: input.userId,
          role: input.role,
          userId: input.assignee,
        }),
      },
    ],
  });
}
