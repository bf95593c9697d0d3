import type { ActionItem } from '../../domain/action-items.ts';
import { outboundActionItem } from '../../domain/redaction.ts';
import { actionItemsAsSeenByReader, type ItemsForReader, type Reader } from '../access.ts';
import type { ServiceDeps } from '../deps.ts';

/**
 * The open action items that have waited longest (numbers are given in the order items are added,
 * so the lowest open numbers), as `reader` may see them: a private incident's item says what it is
 * only to the members of its channel (their cached private channels), its owner and whoever added
 * it; every text redacted (a listing is read outside the incident channel); with the incidents they
 * may open.
 */
export async function showOldestOpenItems(
  deps: Pick<ServiceDeps, 'reviews'>,
  input: { reader: Reader; limit: number },
): Promise<ItemsForReader<ActionItem>> {
  const items = await deps.reviews.listActionItems({ status: 'open', limit: input.limit });
  const seen = await actionItemsAsSeenByReader(input.reader, items);
  return { ...seen, items: seen.items.map((i) => outboundActionItem(i).value) };
}
