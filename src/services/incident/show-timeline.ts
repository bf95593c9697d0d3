import { incidentDurations, type IncidentDurations } from '../../domain/durations.ts';
import type { Incident } from '../../domain/incident.ts';
import { declaredAtFrom, statusChangesFrom } from '../../domain/timeline.ts';
import type { TimelineEntry } from '../../domain/timeline.ts';
import type { ServiceDeps } from '../deps.ts';
import { incidentInChannel } from '../access.ts';

/** Everything a reader's view of an incident's timeline needs. */
export interface IncidentTimeline {
  incident: Incident;
  /** Oldest first, times in UTC. */
  entries: TimelineEntry[];
  declaredAt: Date;
  durations: IncidentDurations;
  /** The team's zone (settings.defaultTimeZone): every time is shown in it. */
  defaultZone: string;
  /** The reader's own Slack zone (users.info tz), or null when unknown. */
  readerZone: string | null;
}

/** The timeline of the incident whose channel this is, with its duration metrics, for `userId` to read. */
export async function showTimeline(
  deps: ServiceDeps,
  input: { channelId: string; userId: string },
): Promise<IncidentTimeline> {
  const { store, chat, logger, settings } = deps;
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  const [entries, readerZone] = await Promise.all([
    store.timeline(incident.id),
    // The reader's zone only adds a second time: without it the timeline still shows.
    chat.userTimeZone(input.userId).catch((err: unknown) => {
      logger.warn({ err, user: input.userId }, 'could not read the reader’s time zone');
      return null;
    }),
  ]);
  const declaredAt = declaredAtFrom(entries, incident.createdAt);
  return {
    incident,
    entries,
    declaredAt,
    durations: incidentDurations(declaredAt, statusChangesFrom(entries)),
    defaultZone: settings.defaultTimeZone,
    readerZone,
  };
}
