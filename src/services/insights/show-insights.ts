import { factorsOf, type GuardrailReport } from '../../domain/guardrail-report.ts';
import { insightsReport, type InsightPeriod, type InsightsReport } from '../../domain/insights.ts';
import { redactString } from '../../domain/redaction.ts';
import { listablePrivateChannels, type Reader } from '../access.ts';
import type { ServiceDeps } from '../deps.ts';

export interface Insights extends InsightsReport {
  /** The contributing factors the period's reviews list, most first (the guardrail report's count). */
  factors: GuardrailReport['factors'];
  /** Of the period's incidents, how many have a review listing a factor. */
  reviewed: number;
}

/**
 * The web view's insights over a period as `reader` may see them: counted by the database
 * (InsightFigures, and the guardrail report's figures for the contributing factors), never by
 * reading the incidents. A private incident counts only for the members of its channel (as the
 * register lists it: otherwise comparing the two over a day would tell its severity, durations and
 * factors); its service is never named (left out of the per-service list).
 */
export async function showInsights(
  deps: Pick<ServiceDeps, 'clock' | 'insights' | 'reviews'>,
  input: { reader: Reader; period: InsightPeriod },
): Promise<Insights> {
  const { period } = input;
  const now = deps.clock.now();
  const channels = await listablePrivateChannels(input.reader);
  // The guardrail figures take a closed period [since, until]: the last millisecond before `until`.
  const last = new Date(period.until.getTime() - 1);
  const [figures, guardrail] = await Promise.all([
    deps.insights.figures(period, now, channels),
    deps.reviews.factorFigures(period.since, last, channels),
  ]);
  const report = insightsReport(period, figures);
  const factors = factorsOf(guardrail.factorCounts);
  return {
    ...report,
    // A report across incidents is read outside their channels: service names are redacted.
    byService: report.byService.map((s) => ({ ...s, service: redactString(s.service).value })),
    factors,
    reviewed: guardrail.reviewed,
  };
}
