// Action items of post-incident reviews: the guardrail-improvement backlog.
import type { ActionCategory, ActionPriority } from './review.ts';

export const ACTION_STATUSES = ['open', 'done'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** An action item as the backlog shows it, with the incident it came from. */
export interface ActionItem {
  id: string;
  /** Human reference: ACT-12. */
  number: number;
  incidentId: string;
  incidentNumber: number;
  incidentTitle: string;
  incidentPrivate: boolean;
  incidentChannelId: string | null;
  text: string;
  ownerId: string | null;
  /** Calendar date YYYY-MM-DD (in the team's time zone), or null. */
  due: string | null;
  category: ActionCategory;
  priority: ActionPriority;
  status: ActionStatus;
  createdBy: string;
  createdAt: Date;
  completedAt: Date | null;
  completedBy: string | null;
  /** No reminders before this calendar date (YYYY-MM-DD). */
  snoozedUntil: string | null;
  /** When the owner was told the item fell due (once). */
  dueRemindedAt: Date | null;
  /** When the owner was last told the item is overdue (weekly). */
  overdueRemindedAt: Date | null;
}

/** A new action item, as a command or the review form gives it (validated). */
export interface NewActionItem {
  text: string;
  ownerId: string | null;
  due: string | null;
  category: ActionCategory;
  priority: ActionPriority;
}

export function actionRef(a: Pick<ActionItem, 'number'>): string {
  return `ACT-${a.number}`;
}
