import {
  backlogCursorOf,
  calendarDate,
  type ActionFilter,
  type ActionItem,
  type BacklogCursor,
  type TrackerFilter,
} from '../../domain/action-items.ts';
import type { BacklogFilter } from '../../ports/review-store.ts';
import type { ServiceDeps } from '../deps.ts';
import { actionItemsAsSeenBy, actionItemsAsSeenByReader, type Reader } from '../access.ts';
import { outboundActionItem } from '../../domain/redaction.ts';

/** A listing counts its items up to this many ("500+" beyond): counting never reads the whole backlog. */
export const BACKLOG_COUNT_CAP = 500;

export interface ActionItemList {
  filter: ActionFilter;
  /** Only the items living there; absent: wherever they live. */
  tracker?: TrackerFilter;
  today: string;
  /** In backlog order, at most `limit`, after the cursor asked for. */
  items: ActionItem[];
  /** How many matched in all (every page), up to BACKLOG_COUNT_CAP. */
  total: number;
  /** True when `total` is the cap: there are at least that many. */
  totalCapped: boolean;
  /** Where the next page starts; null on the last page. */
  next: BacklogCursor | null;
  /** Asked by a reader (the web view): the ids of the items' incidents they may open. */
  readableIncidents?: ReadonlySet<string>;
}

/** What each filter asks of the store (the database filters, sorts and limits). */
function backlogFilter(filter: ActionFilter, userId: string, today: string, tracker?: TrackerFilter): BacklogFilter {
  return { ...byFilter(filter, userId, today), ...(tracker ? { tracker } : {}) };
}

function byFilter(filter: ActionFilter, userId: string, today: string): BacklogFilter {
  switch (filter) {
    case 'mine':
      return { status: 'open', ownerId: userId };
    case 'team':
      return { status: 'open' };
    case 'overdue':
      return { status: 'open', dueBefore: today };
    case 'all':
      return {};
  }
}

/**
 * `/incident actions [mine|team|overdue|all] [in:github|in:jira|in:slack|pending]`: one page of the
 * backlog as `userId` asked for it (the first, or the one after `after`), and how many match in all.
 */
export async function showActionItems(
  deps: ServiceDeps,
  input: {
    userId: string;
    filter: ActionFilter;
    tracker?: TrackerFilter | undefined;
    limit?: number;
    after?: BacklogCursor | null;
    /** The web view's reader (userId is theirs): membership from their cached private channels. */
    reader?: Reader;
  },
): Promise<ActionItemList> {
  const today = calendarDate(deps.clock.now(), deps.settings.defaultTimeZone);
  const { filter, userId } = input;
  const limit = input.limit ?? 20;
  const query = backlogFilter(filter, userId, today, input.tracker);
  const [page, total] = await Promise.all([
    // One more than shown: whether there is a next page.
    deps.reviews.backlogPage(query, { after: input.after ?? null, limit: limit + 1 }),
    deps.reviews.countBacklog(query, BACKLOG_COUNT_CAP),
  ]);
  const shown = page.slice(0, limit);
  const next = page.length > limit ? backlogCursorOf(shown.at(-1)!) : null;
  // Private incidents' items say what they are only to the members of their channel, their owner
  // and whoever added them; every listed text is redacted (a listing is outside the incident channel).
  const seen = input.reader
    ? await actionItemsAsSeenByReader(input.reader, shown)
    : { items: await actionItemsAsSeenBy(deps, shown, userId), readableIncidents: undefined };
  const items = seen.items.map((i) => outboundActionItem(i).value);
  return {
    filter,
    ...(input.tracker ? { tracker: input.tracker } : {}),
    today,
    items,
    total,
    totalCapped: total >= BACKLOG_COUNT_CAP,
    next,
    ...(seen.readableIncidents ? { readableIncidents: seen.readableIncidents } : {}),
  };
}

/** The App Home tab: the user's open items and the team's overdue ones. */
export async function showHome(deps: ServiceDeps, input: { userId: string }) {
  const [mine, overdue] = await Promise.all([
    showActionItems(deps, { userId: input.userId, filter: 'mine', limit: 15 }),
    showActionItems(deps, { userId: input.userId, filter: 'overdue', limit: 15 }),
  ]);
  return {
    today: mine.today,
    mine: mine.items,
    mineTotal: mine.total,
    mineCapped: mine.totalCapped,
    teamOverdue: overdue.items,
    overdueTotal: overdue.total,
    overdueCapped: overdue.totalCapped,
  };
}
