import type { TimelineEntry } from '../../domain/timeline.ts';
import type { ServiceDeps } from '../deps.ts';
import { findMessageEntry } from './record-pinned-message.ts';

export type MessageChange =
  | {
      channelId: string;
      ts: string;
      newText: string /** When it was edited (Slack's edited.ts); default now. */;
      at?: Date;
    }
  | { channelId: string; ts: string; deleted: true /** When it was deleted; default now. */; at?: Date };

/**
 * An edit or delete of a message in a channel: when that message is on its incident's timeline,
 * the entry follows (new text and editedAt, or deletedAt). Null when nothing on a timeline changed
 * (not an incident channel, a message not on the timeline, or an edit that left the text as it was,
 * such as Slack adding a link preview).
 */
export async function updateMessageEntry(deps: ServiceDeps, change: MessageChange): Promise<TimelineEntry | null> {
  const { store, clock, logger } = deps;
  const incident = await store.findByChannel(change.channelId);
  if (!incident) return null;
  const entry = await findMessageEntry(store, incident.id, change.ts);
  if (!entry) return null;
  const at = change.at ?? clock.now();

  let updated: TimelineEntry | null;
  if ('deleted' in change) {
    if (entry.deletedAt) return null;
    updated = await store.updateMessageEntry(incident.id, change.ts, { deletedAt: at });
  } else {
    if (entry.text === change.newText) return null;
    updated = await store.updateMessageEntry(incident.id, change.ts, { text: change.newText, editedAt: at });
  }
  if (updated) {
    logger.info(
      { incidentId: incident.id, ts: change.ts, change: 'deleted' in change ? 'deleted' : 'edited' },
      'timeline message entry updated',
    );
  }
  return updated;
}
