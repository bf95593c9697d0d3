import { assertCanCommand } from '../../domain/access.ts';
import { AppError } from '../../domain/errors.ts';
import type { Incident } from '../../domain/incident.ts';
import { assertTransition } from '../../domain/lifecycle.ts';
import type { Notice } from '../../ports/chat-platform.ts';
import type { ServiceDeps } from '../deps.ts';
import { commitChange, decidedBy, type NoticeTarget } from '../commit-change.ts';
import { incidentInChannel } from '../access.ts';
import { endFreezesOfEndedIncident } from '../freeze/after-commit.ts';

/** `/incident reopen [reason]`: the explicit way back from resolved or closed to investigating. */
export async function reopenIncident(
  deps: ServiceDeps,
  input: { channelId: string; userId: string; reason: string | null; responseUrl?: string | null },
) {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  if (incident.nearMiss) {
    throw new AppError(
      'A near miss cannot be reopened: if harm is happening now, declare an incident with `/incident declare <sev1-4> <title>`.',
      'near_miss',
    );
  }
  assertCanCommand(incident, input.userId, 'reopen the incident');
  assertTransition(incident.status, 'INVESTIGATING', { reopen: true });
  // Reopening does not bring back the freezes the resolve ended: any still open (the resolve's hook
  // did not run, and the background sweep has not yet) are ended first, on the record.
  await endFreezesOfEndedIncident(deps, incident, null);
  const now = deps.clock.now();
  const notices: { to: NoticeTarget; notice: (i: Incident) => Notice }[] = (['incident', 'broadcast'] as const).map(
    (to) => ({
      to,
      notice: (i) => ({ kind: 'reopened', incident: i, by: input.userId, reason: input.reason }),
    }),
  );
  return commitChange(deps, {
    incident,
    // A SEV1 reopened is frozen again (decided by the store, under the same lock).
    // A clinical safety sign-off in force is void (recorded on the timeline by the store): it must be given again.
    change: {
      status: 'INVESTIGATING',
      resolvedAt: null,
      closedAt: null,
      lastUpdateAt: now,
      startsFreeze: true,
      clinical: { voidSignoff: { reason: 'reopened', by: input.userId } },
    },
    guard: decidedBy(incident),
    entry: {
      occurredAt: now,
      kind: 'status_changed',
      actorId: input.userId,
      text: `Reopened${input.reason ? `: ${input.reason}` : ''}`,
      data: { from: incident.status, to: 'INVESTIGATING', reopened: true, reason: input.reason },
    },
    notices,
    author: { userId: input.userId, responseUrl: input.responseUrl ?? null },
  });
}
