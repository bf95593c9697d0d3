import { slackTsToDate } from '../../domain/timeline.ts';
import type { IncidentStore } from '../../ports/incident-store.ts';
import type { TimelineEntry } from '../../domain/timeline.ts';
import type { ServiceDeps } from '../deps.ts';

export interface PinnedMessageInput {
  channelId: string;
  /** The message's ts. */
  ts: string;
  /** Who pinned it or reacted with :pushpin:. */
  pinnedBy: string;
  via: 'pin' | 'reaction';
  /** The message as the event carried it (pin_added does); fetched from the channel when absent. */
  message?: { userId: string | null; text: string; permalink?: string | null };
}

export type RecordPinnedResult = { entry: TimelineEntry; created: boolean } | null;

/** The timeline entry made from the message `ts`, if there is one. */
export async function findMessageEntry(
  store: IncidentStore,
  incidentId: string,
  ts: string,
): Promise<TimelineEntry | null> {
  return (await store.timeline(incidentId)).find((e) => e.sourceTs === ts) ?? null;
}

/**
 * Puts a message that was pinned, or given a :pushpin:, on its incident's timeline, once (a pin and
 * a pushpin on the same message, or a retried event, give one entry). The entry keeps the message's
 * own time (from its ts), author, text and permalink. Null when the channel is not an incident's or
 * the message no longer exists.
 */
export async function recordPinnedMessage(deps: ServiceDeps, input: PinnedMessageInput): Promise<RecordPinnedResult> {
  const { store, chat, logger } = deps;
  const incident = await store.findByChannel(input.channelId);
  if (!incident) return null;

  const existing = await findMessageEntry(store, incident.id, input.ts);
  if (existing) return { entry: existing, created: false };

  let message = input.message ? { ...input.message, permalink: input.message.permalink ?? null } : null;
  if (!message) {
    message = await chat.fetchMessage(input.channelId, input.ts);
    if (!message) {
      logger.info(
        { incidentId: incident.id, channel: input.channelId, ts: input.ts },
        'pinned message not found; not on the timeline',
      );
      return null;
    }
  }
  let permalink = message.permalink;
  if (!permalink) {
    permalink = await chat.permalink(input.channelId, input.ts).catch((err: unknown) => {
      logger.warn({ err, channel: input.channelId, ts: input.ts }, 'no permalink for a pinned message');
      return null;
    });
  }

  const result = await store.upsertMessageEntry(incident.id, {
    sourceTs: input.ts,
    occurredAt: slackTsToDate(input.ts) ?? deps.clock.now(),
    actorId: message.userId,
    text: message.text,
    permalink,
    kind: 'pinned_message',
    data: { pinnedBy: input.pinnedBy, via: input.via },
  });
  if (result.created) {
    logger.info({ incidentId: incident.id, ts: input.ts, via: input.via }, 'message added to the timeline');
  }
  return result;
}
