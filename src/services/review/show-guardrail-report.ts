import { calendarDate } from '../../domain/action-items.ts';
import { guardrailReportOf, type GuardrailReport } from '../../domain/guardrail-report.ts';
import type { ServiceDeps } from '../deps.ts';
import { redactString } from '../../domain/redaction.ts';

/**
 * `/incident guardrails [90d]`: what keeps causing incidents, and how the backlog is doing. The
 * database counts (ReviewStore.guardrailFigures): no incident or action item is read to build it.
 */
export async function showGuardrailReport(deps: ServiceDeps, input: { periodDays: number }): Promise<GuardrailReport> {
  const now = deps.clock.now();
  const since = new Date(now.getTime() - input.periodDays * 24 * 3600_000);
  const today = calendarDate(now, deps.settings.defaultTimeZone);
  const figures = await deps.reviews.guardrailFigures(since, now, today);
  const report = guardrailReportOf({ now, periodDays: input.periodDays }, figures);
  // A report across incidents is read outside their channels: service names are redacted.
  return {
    ...report,
    recurringServices: report.recurringServices.map((s) => ({ ...s, service: redactString(s.service).value })),
  };
}
