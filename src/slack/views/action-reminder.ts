import { actionRef, daysBetween, type ActionItem } from '../../domain/action-items.ts';
import { incidentRef } from '../../domain/incident.ts';
import { ACTION_CATEGORY_LABELS } from '../../domain/review.ts';
import { actionItemControls } from './action-items.ts';
import { escapeMrkdwn, mrkdwnContext, mrkdwnSection, plural, trackerText } from './format.ts';
import type { SlackMessage } from './incident-summary.ts';

/** The direct message to an owner whose action item fell due today, or is overdue (weekly). */
export function actionReminderMessage(item: ActionItem, reminder: 'due' | 'overdue', today: string): SlackMessage {
  const late = item.due ? daysBetween(item.due, today) : 0;
  const when = reminder === 'due' ? 'is due today' : `is overdue by ${plural(late, 'day')} (it was due ${item.due})`;
  const ref = incidentRef({ number: item.incidentNumber });
  const from = item.incidentPrivate ? `${ref} (private incident)` : `${ref} ${escapeMrkdwn(item.incidentTitle)}`;
  const tracker = trackerText(item.tracker);
  const text = `:alarm_clock: Your action item *${actionRef(item)}* ${when}: ${escapeMrkdwn(item.text)}${tracker ? ` (${tracker})` : ''}`;
  return {
    text: `${actionRef(item)} ${when}`,
    blocks: [
      mrkdwnSection(text),
      mrkdwnContext(
        `From ${from} · ${ACTION_CATEGORY_LABELS[item.category]} · ${item.priority} priority · complete it, hand it on, or snooze reminders below.`,
      ),
      actionItemControls(item),
    ],
  };
}
