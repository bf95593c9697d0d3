import type { ActionItem } from '../../domain/action-items.ts';
import { outboundActionItem } from '../../domain/redaction.ts';
import { actionItemsAsSeenBy } from '../access.ts';
import type { ServiceDeps } from '../deps.ts';

/**
 * The open action items that have waited longest (numbers are given in the order items are added,
 * so the lowest open numbers), as `userId` may see them: a private incident's item says what it is
 * only to the members of its channel, its owner and whoever added it; every text redacted (a
 * listing is read outside the incident channel).
 */
export async function showOldestOpenItems(
  deps: ServiceDeps,
  input: { userId: string; limit: number },
): Promise<ActionItem[]> {
  const items = await deps.reviews.listActionItems({ status: 'open', limit: input.limit });
  return (await actionItemsAsSeenBy(deps, items, input.userId)).map((i) => outboundActionItem(i).value);
}
