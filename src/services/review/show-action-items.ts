import {
  calendarDate,
  matchesFilter,
  sortBacklog,
  type ActionFilter,
  type ActionItem,
} from '../../domain/action-items.ts';
import type { ServiceDeps } from '../deps.ts';
import { actionItemsAsSeenBy } from '../access.ts';
import { outboundActionItem } from '../../domain/redaction.ts';

export interface ActionItemList {
  filter: ActionFilter;
  today: string;
  /** In backlog order, at most `limit`. */
  items: ActionItem[];
  /** How many matched before the limit. */
  total: number;
}

/** `/incident actions [mine|team|overdue|all]`: the backlog as `userId` asked for it. */
export async function showActionItems(
  deps: ServiceDeps,
  input: { userId: string; filter: ActionFilter; limit?: number },
): Promise<ActionItemList> {
  const today = calendarDate(deps.clock.now(), deps.settings.defaultTimeZone);
  const { filter, userId } = input;
  const query =
    filter === 'mine'
      ? { status: 'open' as const, ownerId: userId }
      : filter === 'overdue'
        ? { status: 'open' as const, dueBefore: today }
        : filter === 'team'
          ? { status: 'open' as const }
          : {};
  const matching = (await deps.reviews.listActionItems(query)).filter((i) => matchesFilter(i, filter, userId, today));
  const sorted = sortBacklog(matching, today);
  const shown = sorted.slice(0, input.limit ?? 20);
  // Private incidents' items say what they are only to the members of their channel, their owner
  // and whoever added them; every listed text is redacted (a listing is outside the incident channel).
  const items = (await actionItemsAsSeenBy(deps, shown, userId)).map((i) => outboundActionItem(i).value);
  return { filter, today, items, total: sorted.length };
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
    teamOverdue: overdue.items,
    overdueTotal: overdue.total,
  };
}
