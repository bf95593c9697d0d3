import { assertCanChangeActionItem } from '../../domain/action-authority.ts';
import type { ActionItem } from '../../domain/action-items.ts';
import { AppError } from '../../domain/errors.ts';
import type { Incident } from '../../domain/incident.ts';
import type { ServiceDeps } from '../deps.ts';
import { assertMayRead } from '../commit-change.ts';

/** The open item `id` and its incident, when `userId` may change it; an AppError otherwise. */
export async function actionItemToChange(
  deps: ServiceDeps,
  id: string,
  userId: string,
  what: string,
): Promise<{ item: ActionItem; incident: Incident }> {
  const item = await deps.reviews.findActionItem(id);
  if (!item) throw new AppError('That action item no longer exists.', 'not_found');
  const incident = await deps.store.findById(item.incidentId);
  if (!incident) throw new AppError('That action item no longer exists.', 'not_found');
  // Of a private incident, anyone but the item's owner and author must be a member of its channel
  // (the refusal then names nobody involved).
  if (userId !== item.ownerId && userId !== item.createdBy) await assertMayRead(deps, incident, userId);
  assertCanChangeActionItem(item, incident, userId, what);
  return { item, incident };
}

/** The item (or who may change it) changed between reading and writing: nothing was written. */
export function changedMeanwhile(): AppError {
  return new AppError(
    'That action item was just changed by someone else (completed, reassigned, or its incident handed to a new commander), so nothing was changed. Look at it again.',
    'conflict',
  );
}
