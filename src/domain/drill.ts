import type { Incident } from './incident.ts';

/**
 * Drills (exercises): `/incident declare drill sev2 <title>` or the form's "This is an exercise"
 * box. A drill runs the full incident flow (channel, summary, announcement, roles, paging, review)
 * so a team can rehearse it, marked as an exercise everywhere people see it, and it is left out of
 * every figure: insights, the guardrail report, delivery metrics, on-call load and its wellbeing
 * checks. Evidence packs include drills, marked, because auditors ask for exercise records.
 *
 * One rule decides what counts: countsInMetrics here, and `NOT drill` in SQL beside the near-miss
 * filters (src/db).
 */

/** The word that declares a drill: `/incident declare drill sev2 <title>`. */
export const DRILL_WORD = 'drill';

/** How a drill is marked wherever it is shown (Slack, web, exports). */
export const EXERCISE_LABEL = 'EXERCISE';
/** The mark in front of text that leaves Slack (PagerDuty pages, tickets): `[DRILL] INC-42 …`. */
export const DRILL_TAG = '[DRILL]';
/** The line every Slack message about a drill starts with. */
export const EXERCISE_BANNER = ':test_tube: *EXERCISE (drill): no real impact.*';

export const DRILL_NEAR_MISS =
  'A drill cannot also be a near miss: a drill rehearses responding to an incident, a near miss records one that did no harm. Declare one or the other, e.g. `/incident declare drill sev2 <title>`.';

/** Whether an incident counts in metrics and reports (insights, guardrails, delivery metrics, on-call load): drills never do. */
export function countsInMetrics(i: Pick<Incident, 'drill'>): boolean {
  return !i.drill;
}

/** `[DRILL] <text>` for a drill, the text unchanged otherwise: for text read outside Slack (PagerDuty). */
export function drillTagged(i: Pick<Incident, 'drill'>, text: string): string {
  return i.drill ? `${DRILL_TAG} ${text}` : text;
}

/** A Slack message's text with the exercise banner in front for a drill (notices, announcements). */
export function exerciseMarked(i: Pick<Incident, 'drill'>, text: string): string {
  return i.drill ? `${EXERCISE_BANNER}\n${text}` : text;
}

/** The channel name's prefix for a drill (`drill-inc-42-…`): Slack names stay lowercase a-z, 0-9 and hyphens. */
export const DRILL_CHANNEL_PREFIX = 'drill-';
