// What the review's message and its form share.
import type { ActionPriority } from '../../domain/review.ts';

export const PRIORITY_LABELS: Record<ActionPriority, string> = { high: 'High', medium: 'Medium', low: 'Low' };
