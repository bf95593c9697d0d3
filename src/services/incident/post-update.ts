import { AppError } from '../../domain/errors.ts';
import { isActive } from '../../domain/lifecycle.ts';
import type { ServiceDeps } from '../deps.ts';
import { commitChange } from '../commit-change.ts';
import { incidentInChannel } from '../access.ts';

/** `/incident update <message>`: a status update in the channel and, unless private, the broadcast channel. */
export async function postUpdate(
  deps: ServiceDeps,
  input: { channelId: string; userId: string; message: string; responseUrl?: string | null },
) {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  if (!isActive(incident.status)) {
    throw new AppError(
      'This incident is resolved: add a note with `/incident note <text>`, or reopen it with `/incident reopen`.',
      'invalid_transition',
    );
  }
  const now = deps.clock.now();
  return commitChange(deps, {
    incident,
    change: { lastUpdateAt: now },
    guard: { status: incident.status },
    entry: {
      occurredAt: now,
      kind: 'status_update',
      actorId: input.userId,
      text: `Update: ${input.message}`,
      data: { message: input.message },
    },
    author: { userId: input.userId, responseUrl: input.responseUrl ?? null },
    notices: (['incident', 'broadcast'] as const).map((to) => ({
      to,
      notice: (i) => ({ kind: 'status-update' as const, incident: i, by: input.userId, message: input.message }),
    })),
  });
}
