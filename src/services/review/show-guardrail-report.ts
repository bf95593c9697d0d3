import { guardrailReport, type GuardrailReport } from '../../domain/guardrail-report.ts';
import type { ServiceDeps } from '../deps.ts';
import { redactString } from '../../domain/redaction.ts';

/** `/incident guardrails [90d]`: what keeps causing incidents, and how the backlog is doing. */
export async function showGuardrailReport(deps: ServiceDeps, input: { periodDays: number }): Promise<GuardrailReport> {
  const now = deps.clock.now();
  const since = new Date(now.getTime() - input.periodDays * 24 * 3600_000);
  const { incidents, actions } = await deps.reviews.guardrailData(since);
  const report = guardrailReport({
    now,
    periodDays: input.periodDays,
    timeZone: deps.settings.defaultTimeZone,
    incidents,
    actions,
  });
  // A report across incidents is read outside their channels: service names are redacted.
  return {
    ...report,
    recurringServices: report.recurringServices.map((s) => ({ ...s, service: redactString(s.service).value })),
  };
}
