import { SNOOZE_DAYS, addDays, calendarDate, type ActionItem } from '../../domain/action-items.ts';
import { AppError } from '../../domain/errors.ts';
import type { ServiceDeps } from '../deps.ts';
import { actionItemToChange, changedMeanwhile } from '../access.ts';

/** No reminders about an action item for `days` days (one of SNOOZE_DAYS). The due date stays as agreed. */
export async function snoozeActionItem(
  deps: ServiceDeps,
  input: { actionItemId: string; userId: string; days: number },
): Promise<ActionItem> {
  if (!(SNOOZE_DAYS as readonly number[]).includes(input.days)) {
    throw new AppError(`Snooze for ${SNOOZE_DAYS.join(', ')} days.`, 'invalid_input');
  }
  const { item } = await actionItemToChange(deps, input.actionItemId, input.userId, 'snooze');
  const now = deps.clock.now();
  const until = addDays(calendarDate(now, deps.settings.defaultTimeZone), input.days);
  const changed = await deps.reviews.snoozeActionItem(
    item.id,
    until,
    { by: input.userId, at: now },
    { ownerId: item.ownerId },
  );
  if (!changed) throw changedMeanwhile();
  deps.trackerSync?.kick();
  return changed;
}
