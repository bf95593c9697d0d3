// What the on-call views (the load report, the allowances) share: how fresh the cached PagerDuty
// figures are, and the fixed-width table cells.

import { formatInZone } from '../../domain/time.ts';
import type { SyncOutcome } from '../../services/on-call/sync-on-call-history.ts';
import { escapeMrkdwn, plural } from './format.ts';

/** Hours and counts: whole numbers as they are, else one decimal. */
export const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** A name that fits a fixed-width column (Slack code blocks do not escape: only backticks matter). */
export const cell = (s: string, width: number) => {
  const t = s.replace(/`/g, "'");
  return t.length > width ? `${t.slice(0, width - 1)}…` : t.padEnd(width);
};

/** How old the figures are and what is missing, when that matters (the load report, the allowances). */
export function freshnessNote(figures: { sync: SyncOutcome; teamTimeZone: string }): string | null {
  const parts: string[] = [];
  const { failed, asOf, missingDays } = figures.sync;
  if (failed) parts.push(`:warning: ${escapeMrkdwn(failed)}: showing cached figures`);
  if (failed && asOf) parts.push(`the current week as of ${formatInZone(asOf, figures.teamTimeZone)}`);
  if (missingDays.current > 0) parts.push(`${plural(missingDays.current, 'day')} of the period have no data`);
  if (missingDays.previous > 0)
    parts.push(`${plural(missingDays.previous, 'day')} of the period before have no data, so changes are not shown`);
  return parts.length ? parts.join(' · ') : null;
}
