import type { SettableStatus } from '../../domain/command.ts';
import { STATUS_LABELS } from '../../domain/incident.ts';
import { assertTransition } from '../../domain/lifecycle.ts';
import type { ServiceDeps } from '../deps.ts';
import { commitChange } from '../commit-change.ts';
import { incidentInChannel } from '../access.ts';
import { resolveIncident } from './resolve-incident.ts';

/** `/incident status …`: anyone in the channel moves an active incident on; "resolved" is a resolve. */
export async function changeStatus(
  deps: ServiceDeps,
  input: {
    channelId: string;
    userId: string;
    status: SettableStatus;
    message: string | null;
    responseUrl?: string | null;
  },
) {
  if (input.status === 'RESOLVED')
    return resolveIncident(deps, {
      channelId: input.channelId,
      userId: input.userId,
      summary: input.message,
      responseUrl: input.responseUrl ?? null,
    });
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  const from = incident.status;
  assertTransition(from, input.status);
  const now = deps.clock.now();
  return commitChange(deps, {
    incident,
    change: { status: input.status, lastUpdateAt: now },
    guard: { status: from },
    entry: {
      occurredAt: now,
      kind: 'status_changed',
      actorId: input.userId,
      text: `Status ${STATUS_LABELS[from]} → ${STATUS_LABELS[input.status]}${input.message ? `: ${input.message}` : ''}`,
      data: { from, to: input.status, message: input.message },
    },
    notices: [
      {
        to: 'incident',
        notice: (i) => ({ kind: 'status-changed', incident: i, by: input.userId, from, message: input.message }),
      },
    ],
  });
}
