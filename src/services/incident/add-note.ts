import type { ServiceDeps } from '../deps.ts';
import { commitChange } from '../commit-change.ts';
import { incidentInChannel } from '../access.ts';

/** `/incident note <text>`: anyone in the channel adds to the timeline. */
export async function addNote(deps: ServiceDeps, input: { channelId: string; userId: string; text: string }) {
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  return commitChange(deps, {
    incident,
    change: {},
    guard: {},
    entry: { occurredAt: deps.clock.now(), kind: 'note', actorId: input.userId, text: input.text },
    notices: [
      { to: 'incident', notice: (i) => ({ kind: 'note-added', incident: i, by: input.userId, text: input.text }) },
    ],
  });
}
