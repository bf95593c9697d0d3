// The summary's breach lines beyond the ICO's clock (incident-summary.ts breachLine): the
// assessment's decision with its reason, and one line per obligation of the configured regimes.
import { breachFactsOf, type RecordedBreachAssessment } from '../../domain/breach-assessment.ts';
import { formatDeadlineSpan, notifiedNotice, wordOf } from '../../domain/breach-obligations.ts';
import { formatSpan } from '../../domain/breach.ts';
import { breachObligations, type BreachRegime, type Obligation } from '../../domain/breach-regimes.ts';
import type { Incident } from '../../domain/incident.ts';
import { formatInZone } from '../../domain/time.ts';
import type { SummaryContext } from '../../ports/chat-platform.ts';
import { assessmentFacts } from './notices.ts';
import { clip, escapeMrkdwn, mention } from './format.ts';

export const REGIME_LABELS: Record<BreachRegime, string> = { 'uk-gdpr': 'UK GDPR', hipaa: 'HIPAA', dspt: 'NHS DSPT' };
/** Longest reason shown on the summary (the review has it whole). */
const REASON_SHOWN = 300;

/** The assessment's line: not assessed yet, or the decision with its reason and the facts. */
export function assessmentLine(a: RecordedBreachAssessment | null, timeZone: string): string {
  if (!a) return ':clipboard: *Breach assessment*: not recorded yet · `/incident breach assess`';
  const decision = a.reportable === null ? '*not decided*' : a.reportable ? '*reportable*' : '*not reportable*';
  const reason = a.reason ? ` · reason: ${escapeMrkdwn(clip(a.reason.replace(/\s+/g, ' '), REASON_SHOWN))}` : '';
  return `:clipboard: *Breach assessment*: ${decision}${reason} · ${assessmentFacts(a)} · by ${mention(a.assessedBy)} ${formatInZone(a.assessedAt, timeZone)} · \`/incident breach assess\``;
}

/** One obligation: recipient, due, countdown or overdue, pending or required, notified when recorded. */
export function obligationLine(
  o: Obligation,
  notified: { at: Date; by: string | null; reference: string | null } | null,
  timeZone: string,
  now: Date,
): string {
  const who = `*${REGIME_LABELS[o.regime]}* · ${o.recipient}`;
  const due = !o.dueAt
    ? 'without undue delay'
    : o.dueDate
      ? `by the end of ${o.dueDate}`
      : `by ${formatInZone(o.dueAt, timeZone)}`;
  if (notified) {
    const late = o.dueAt && notified.at.getTime() > o.dueAt.getTime() ? ' (after the deadline)' : '';
    return `:white_check_mark: ${who}: notified ${formatInZone(notified.at, timeZone)}${notified.by ? ` by ${mention(notified.by)}` : ''}${late}${notified.reference ? ` · ref. ${escapeMrkdwn(clip(notified.reference, 80))}` : ''}`;
  }
  const status = o.status === 'required' ? 'required' : 'pending the assessment';
  const record = `\`/incident breach notified ${wordOf(o)}\``;
  if (!o.dueAt) return `:hourglass: ${who}: ${due} · ${status} · ${record}`;
  const left = o.dueAt.getTime() - now.getTime();
  // Day-counted deadlines in days; the 72-hour ones in hours, like the ICO's clock.
  const span = (ms: number) => (o.dueDate ? formatDeadlineSpan(ms) : formatSpan(ms));
  return left > 0
    ? `:hourglass: ${who}: due ${due} (in ${span(left)}) · ${status} · ${record}`
    : `:rotating_light: ${who}: *overdue by ${span(-left)}* (due ${due}) · ${status} · ${record}`;
}

/**
 * The lines under the ICO's clock, with the breach's context: the assessment, then each obligation
 * of the regimes but UK GDPR's regulator (the ICO's own line above). None without context (an older
 * caller) or without an awareness time.
 */
export function breachObligationLines(i: Incident, context: SummaryContext, timeZone: string, now: Date): string[] {
  const b = context.breach;
  if (!i.dataBreach || !b || !i.breachAwareAt) return [];
  const awareAt = i.breachAwareAt;
  const lines = [assessmentLine(b.assessment, timeZone)];
  const obligations = breachObligations(b.regimes, breachFactsOf(awareAt, b.assessment), timeZone);
  if (b.assessment?.reportable === false) {
    lines.push(
      'No notification is required: assessed not reportable (the reason is recorded). The deadlines and reminders stop.',
    );
    return lines;
  }
  for (const o of obligations) {
    if (o.regime === 'uk-gdpr' && o.kind === 'regulator') continue;
    const n = notifiedNotice(o, b.notices, awareAt);
    lines.push(
      obligationLine(o, n ? { at: n.notifiedAt!, by: n.notifiedBy, reference: n.reference } : null, timeZone, now),
    );
  }
  return lines;
}

/** Whether the ICO's own clock line belongs on the summary: UK GDPR configured (or no context), not assessed not reportable. */
export function showsIcoClock(context: SummaryContext): boolean {
  const b = context.breach;
  if (!b) return true;
  return b.regimes.includes('uk-gdpr') && b.assessment?.reportable !== false;
}
