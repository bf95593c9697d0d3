import { actionRef, type ActionItem } from './action-items.ts';
import { AppError } from './errors.ts';
import { incidentRef, type Incident } from './incident.ts';

/**
 * Who may complete, reassign or snooze an action item: its owner, whoever added it, and the
 * incident's commander (or its declarer while there is none). Everyone else is told who can.
 */
export function assertCanChangeActionItem(
  item: Pick<ActionItem, 'number' | 'ownerId' | 'createdBy' | 'status'>,
  incident: Pick<Incident, 'number' | 'roles' | 'declaredBy'>,
  userId: string,
  what: string,
): void {
  if (item.status !== 'open') throw new AppError(`${actionRef(item)} is already done.`, 'not_open');
  const commander = incident.roles.COMMANDER ?? incident.declaredBy;
  if (userId === item.ownerId || userId === item.createdBy || userId === commander) return;
  const who = [
    ...new Set([item.ownerId, item.createdBy, commander].filter((u): u is string => !!u && /^[UW]/.test(u))),
  ];
  throw new AppError(
    `Only ${who.map((u) => `<@${u}>`).join(', ') || 'its owner'} can ${what} ${actionRef(item)} (its owner, whoever added it, or the commander of ${incidentRef(incident)}).`,
    'not_allowed',
  );
}

/** What a private incident's action item says, for anyone but its owner and whoever added it. */
export const PRIVATE_ACTION_TEXT =
  'An action item of a private incident (only its owner and whoever added it see the details)';

/**
 * The item as `viewerId` may see it: a private incident's item keeps its text only for its owner and
 * whoever added it (they were given it); for anyone else it says no more than that it exists.
 */
export function asSeenBy<
  T extends Pick<ActionItem, 'incidentPrivate' | 'ownerId' | 'createdBy' | 'text' | 'incidentTitle'>,
>(item: T, viewerId: string): T {
  if (!item.incidentPrivate || viewerId === item.ownerId || viewerId === item.createdBy) return item;
  return { ...item, text: PRIVATE_ACTION_TEXT, incidentTitle: '' };
}
