// The review's (and the evidence's) personal data breach section: the assessment and its decision
// with the reason, and each obligation of the regimes with when it was notified. Pure.
import { breachFactsOf, DATA_CATEGORY_LABELS, isHighRisk, type RecordedBreachAssessment } from './breach-assessment.ts';
import { notifiedNotice, type ObligationNotice } from './breach-obligations.ts';
import { breachObligations, type BreachRegime } from './breach-regimes.ts';
import type { Incident } from './incident.ts';

export const REGIME_NAMES: Record<BreachRegime, string> = { 'uk-gdpr': 'UK GDPR', hipaa: 'HIPAA', dspt: 'NHS DSPT' };

export interface BreachReviewSection {
  regimes: string[];
  /** null: not assessed. */
  assessment: {
    decision: 'reportable' | 'not reportable' | 'not decided';
    reason: string;
    categories: string[];
    people: string;
    likelihood: string;
    severity: string;
    highRisk: boolean;
    contained: boolean;
    containment: string;
    assessedBy: string;
    assessedAt: string;
    assessedText: string;
  } | null;
  obligations: {
    regime: string;
    recipient: string;
    basis: string;
    /** The deadline for people (`without undue delay`, a time, or the end of a day). */
    due: string;
    status: 'required' | 'pending';
    notifiedAt: string | null;
    notifiedText: string | null;
    notifiedBy: string | null;
    reference: string | null;
    /** Notified after the deadline; null while not notified. */
    late: boolean | null;
  }[];
}

export function breachReviewSection(
  incident: Pick<Incident, 'breachAwareAt' | 'breachNotifiedAt' | 'breachNotifiedBy'>,
  regimes: readonly BreachRegime[],
  assessment: RecordedBreachAssessment | null,
  notices: readonly ObligationNotice[],
  fmt: (d: Date) => string,
  zone: string,
): BreachReviewSection {
  const a = assessment;
  const section: BreachReviewSection = {
    regimes: regimes.map((r) => REGIME_NAMES[r]),
    assessment: a
      ? {
          decision: a.reportable === null ? 'not decided' : a.reportable ? 'reportable' : 'not reportable',
          reason: a.reason,
          categories: a.categories.map((c) => DATA_CATEGORY_LABELS[c]),
          people:
            a.peopleAffected === null
              ? 'not known yet'
              : `${a.peopleAffected}${a.peopleEstimated ? ' (estimated)' : ''}${a.mostInOneState !== null ? `; most in one state: ${a.mostInOneState}` : ''}`,
          likelihood: a.likelihood,
          severity: a.severity,
          highRisk: isHighRisk(a),
          contained: a.contained,
          containment: a.containment,
          assessedBy: a.assessedBy,
          assessedAt: a.assessedAt.toISOString(),
          assessedText: fmt(a.assessedAt),
        }
      : null,
    obligations: [],
  };
  const awareAt = incident.breachAwareAt;
  if (!awareAt) return section;
  for (const o of breachObligations(regimes, breachFactsOf(awareAt, a), zone)) {
    const n = notifiedNotice(o, notices, awareAt);
    // The ICO's notification recorded before regimes lived on the incident alone.
    const ico = o.regime === 'uk-gdpr' && o.kind === 'regulator' && !n && incident.breachNotifiedAt;
    const at = n?.notifiedAt ?? (ico ? incident.breachNotifiedAt : null);
    section.obligations.push({
      regime: REGIME_NAMES[o.regime],
      recipient: o.recipient,
      basis: o.basis,
      due: !o.dueAt ? 'without undue delay' : o.dueDate ? `end of ${o.dueDate} (${zone})` : fmt(o.dueAt),
      status: o.status,
      notifiedAt: at?.toISOString() ?? null,
      notifiedText: at ? fmt(at) : null,
      notifiedBy: n?.notifiedBy ?? (ico ? incident.breachNotifiedBy : null),
      reference: n?.reference ?? null,
      late: at ? o.dueAt !== null && at.getTime() > o.dueAt.getTime() : null,
    });
  }
  return section;
}

/** The section in Markdown (`cell` escapes a table cell). */
export function breachReviewLines(s: BreachReviewSection, cell: (t: string | null | undefined) => string): string[] {
  const lines = ['## Personal data breach: assessment and notifications', ''];
  lines.push(`- **Regimes**: ${s.regimes.join(', ')}`);
  const a = s.assessment;
  if (!a) lines.push('- **Assessment**: not recorded');
  else
    lines.push(
      `- **Decision**: ${a.decision}${a.reason ? `. Reason: ${cell(a.reason)}` : ''}`,
      `- **Assessed by** ${a.assessedBy} at ${a.assessedText}`,
      `- **Data**: ${cell(a.categories.join('; '))}`,
      `- **People affected**: ${cell(a.people)}`,
      `- **Harm**: likelihood ${a.likelihood}, severity ${a.severity}${a.highRisk ? ' (high risk)' : ''}`,
      `- **Contained**: ${a.contained ? 'yes' : 'no'}${a.containment ? `. ${cell(a.containment)}` : ''}`,
    );
  lines.push('');
  if (!s.obligations.length) {
    lines.push(
      a?.decision === 'not reportable' ? '_No notification required: assessed not reportable._' : '_No obligations._',
    );
    return lines;
  }
  lines.push('| Regime | Recipient | Due | Status | Notified | Reference |', '| --- | --- | --- | --- | --- | --- |');
  for (const o of s.obligations)
    lines.push(
      `| ${o.regime} | ${cell(o.recipient)} (${o.basis}) | ${cell(o.due)} | ${o.status} | ${o.notifiedText ? `${cell(o.notifiedText)}${o.notifiedBy ? ` by ${cell(o.notifiedBy)}` : ''}${o.late ? ' (late)' : ''}` : 'not yet'} | ${cell(o.reference)} |`,
    );
  return lines;
}
