import { incidentDurations, type IncidentDurations } from '../../domain/durations.ts';
import type { Incident } from '../../domain/incident.ts';
import { declaredAtFrom, inReadingOrder, statusChangesFrom } from '../../domain/timeline.ts';
import type { TimelineEntry } from '../../domain/timeline.ts';
import type { TimelineCursor, TimelinePageQuery } from '../../ports/incident-store.ts';
import type { ServiceDeps } from '../deps.ts';
import { incidentInChannel } from '../access.ts';

export type { TimelineCursor };

/** Entries on one page of `/incident timeline`: even at the longest (1,500 characters) they fit one Slack message. */
export const TIMELINE_PAGE_SIZE = 40;

/** Which page: the latest (none), the one before (older than) an entry, or the one after (newer than) it. */
export type TimelinePosition = { before: TimelineCursor } | { after: TimelineCursor } | null;

/** Everything a reader's view of one page of an incident's timeline needs. */
export interface IncidentTimeline {
  incident: Incident;
  /** The page's entries, oldest first, times in UTC. */
  entries: TimelineEntry[];
  /** Every entry on the timeline, of which `entries` is a page. */
  total: number;
  /** Entries lie before the page (an "Older" button) / after it (a "Newer" button). */
  hasOlder: boolean;
  hasNewer: boolean;
  /** Where the page before / after this one starts from: the page's first / last entry in the store's order. */
  older: TimelineCursor | null;
  newer: TimelineCursor | null;
  declaredAt: Date;
  durations: IncidentDurations;
  /** The team's zone (settings.defaultTimeZone): every time is shown in it. */
  defaultZone: string;
  /** The reader's own Slack zone (users.info tz), or null when unknown. */
  readerZone: string | null;
}

/**
 * One page of the timeline of the incident whose channel this is (the latest, unless `page` says
 * which), with its duration metrics, for `userId` to read: refused outside an incident channel and,
 * for a private incident, to anyone not in its channel, on every page. Reads the page's entries,
 * the count and the status entries, never the whole timeline.
 */
export async function showTimeline(
  deps: ServiceDeps,
  input: { channelId: string; userId: string; page?: TimelinePosition; pageSize?: number },
): Promise<IncidentTimeline> {
  const { store, chat, logger, settings } = deps;
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  const limit = input.pageSize ?? TIMELINE_PAGE_SIZE;
  const query: TimelinePageQuery = input.page ? { limit, ...input.page } : { limit };
  const [found, facts, readerZone] = await Promise.all([
    store.timelinePage(incident.id, query),
    store.timelineFacts(incident.id),
    // The reader's zone only adds a second time: without it the timeline still shows.
    chat.userTimeZone(input.userId).catch((err: unknown) => {
      logger.warn({ err, user: input.userId }, 'could not read the reader’s time zone');
      return null;
    }),
  ]);
  // "Newer" up to the end shows the latest page, full, rather than its last few entries.
  const page =
    'after' in query && !found.hasNewer && found.entries.length < limit
      ? await store.timelinePage(incident.id, { limit })
      : found;
  const declaredAt = declaredAtFrom(facts.statusEntries, incident.createdAt);
  const edge = (e: TimelineEntry | undefined) => (e ? { occurredAt: e.occurredAt, id: e.id } : null);
  return {
    incident,
    entries: inReadingOrder(page.entries),
    older: page.hasOlder ? edge(page.entries[0]) : null,
    newer: page.hasNewer ? edge(page.entries.at(-1)) : null,
    total: facts.count,
    hasOlder: page.hasOlder,
    hasNewer: page.hasNewer,
    declaredAt,
    durations: incidentDurations(declaredAt, statusChangesFrom(facts.statusEntries)),
    defaultZone: settings.defaultTimeZone,
    readerZone,
  };
}
