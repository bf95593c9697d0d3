import type { ActionItem } from '../../domain/action-items.ts';
import { AppError } from '../../domain/errors.ts';
import type { ServiceDeps } from '../deps.ts';
import { actionItemToChange, changedMeanwhile } from '../access.ts';
import { outboundNotice } from '../outbound-text.ts';

/** Gives an action item a new owner, who is told directly. */
export async function reassignActionItem(
  deps: ServiceDeps,
  input: { actionItemId: string; userId: string; ownerId: string },
): Promise<ActionItem> {
  if (!/^[UW][A-Z0-9]{2,}$/.test(input.ownerId))
    throw new AppError('Choose a person to own the action item.', 'invalid_input');
  const { item, incident } = await actionItemToChange(deps, input.actionItemId, input.userId, 'reassign');
  if (item.ownerId === input.ownerId) return item;
  const changed = await deps.reviews.reassignActionItem(
    item.id,
    input.ownerId,
    { by: input.userId, at: deps.clock.now() },
    { ownerId: item.ownerId },
  );
  if (!changed) throw changedMeanwhile();
  deps.trackerSync?.kick();
  if (input.ownerId !== input.userId) {
    await deps.chat
      .notify(
        input.ownerId,
        outboundNotice({ kind: 'action-item-assigned', incident, by: input.userId, item: changed }).notice,
      )
      .catch((err: unknown) => deps.logger.error({ err, actionItemId: item.id }, 'telling the new owner failed'));
  }
  return changed;
}
