import { calendarDate } from '../../domain/action-items.ts';
import { guardrailReportOf, type GuardrailReport } from '../../domain/guardrail-report.ts';
import type { ServiceDeps } from '../deps.ts';
import { redactString } from '../../domain/redaction.ts';
import {
  CHANGE_FAILURE_WINDOW_HOURS,
  DELIVERY_SERVICES_MAX,
  deliveryByOwner,
  TEAMS_MAX,
} from '../../domain/delivery-metrics.ts';

/**
 * `/incident guardrails [90d]`: what keeps causing incidents, and how the backlog is doing. The
 * database counts (ReviewStore.guardrailFigures): no incident or action item is read to build it.
 */
export async function showGuardrailReport(deps: ServiceDeps, input: { periodDays: number }): Promise<GuardrailReport> {
  const now = deps.clock.now();
  const since = new Date(now.getTime() - input.periodDays * 24 * 3600_000);
  const today = calendarDate(now, deps.settings.defaultTimeZone);
  const [figures, delivery, teams] = await Promise.all([
    deps.reviews.guardrailFigures(since, now, today),
    deps.reviews.deliveryFigures(since, now, DELIVERY_SERVICES_MAX + 1),
    deps.reviews.openActionsByTeam(today, TEAMS_MAX + 1),
  ]);
  const report = guardrailReportOf({ now, periodDays: input.periodDays }, figures);
  // Owners by the catalog's group titles.
  const labels = new Map(deps.catalog.current().groups.map((g) => [g.ref, g.title ?? g.name]));
  const owners = deliveryByOwner(delivery.slice(0, DELIVERY_SERVICES_MAX), labels);
  // A report across incidents is read outside their channels: service names are redacted.
  return {
    ...report,
    recurringServices: report.recurringServices.map((s) => ({ ...s, service: redactString(s.service).value })),
    delivery: {
      owners: owners.map((o) => ({
        ...o,
        label: redactString(o.label).value,
        services: o.services.map((s) => ({ ...s, service: redactString(s.service).value })),
      })),
      windowHours: CHANGE_FAILURE_WINDOW_HOURS,
      servicesMax: DELIVERY_SERVICES_MAX,
      truncated: delivery.length > DELIVERY_SERVICES_MAX,
    },
    teams: {
      rows: teams.slice(0, TEAMS_MAX).map((t) => ({
        ...t,
        label: redactString(labels.get(t.team) ?? t.team.replace(/^group:default\//, '')).value,
      })),
      teamsMax: TEAMS_MAX,
      truncated: teams.length > TEAMS_MAX,
    },
  };
}
