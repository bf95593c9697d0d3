// Block Kit for `/incident guardrails [90d]`: what incidents keep teaching us, and whether the
// backlog of fixes moves.
import type { KnownBlock } from '@slack/types';
import type { GuardrailReport } from '../../domain/guardrail-report.ts';
import { clipMrkdwn, context, escapeMrkdwn, fieldsSection, header, plural, section, slackDay } from './format.ts';

/** Longest bar of the factor chart, and how many recurring services are listed. */
export const GUARDRAIL_VIEW_LIMITS = { barWidth: 20, services: 15 } as const;

/** Rows of `label  ▇▇▇ n`, bars scaled to the largest count (any count > 0 gets at least one block). */
export function barChart(
  rows: readonly { label: string; count: number }[],
  width: number = GUARDRAIL_VIEW_LIMITS.barWidth,
): string[] {
  const max = Math.max(0, ...rows.map((r) => r.count));
  const pad = Math.max(0, ...rows.map((r) => r.label.length));
  return rows.map((r) => {
    const n = max === 0 ? 0 : Math.max(r.count > 0 ? 1 : 0, Math.round((r.count / max) * Math.min(width, max)));
    return `${r.label.padEnd(pad)}  ${'▇'.repeat(n)} ${r.count}`;
  });
}

/** The category table: open and done action items per category, with a total row. */
function categoryTable(report: GuardrailReport): string {
  const rows = report.actionsByCategory.map((c) => [c.label, String(c.open), String(c.done)]);
  rows.push(['Total', String(report.openActions), String(report.doneActions)]);
  const head = ['Category', 'Open', 'Done'];
  const w0 = Math.max(head[0]!.length, ...rows.map((r) => r[0]!.length));
  const w1 = Math.max(head[1]!.length, ...rows.map((r) => r[1]!.length));
  const w2 = Math.max(head[2]!.length, ...rows.map((r) => r[2]!.length));
  const line = (r: string[]) => `${r[0]!.padEnd(w0)}  ${r[1]!.padStart(w1)}  ${r[2]!.padStart(w2)}`;
  return [line(head), ...rows.map(line)].join('\n');
}

/** The `/incident guardrails [90d]` answer. */
export function guardrailReportMessage(report: GuardrailReport): { text: string; blocks: KnownBlock[] } {
  const period = `last ${plural(report.periodDays, 'day')}`;
  const blocks: KnownBlock[] = [
    header(`Guardrail report: ${period}`),
    context(`${slackDay(report.from)} – ${slackDay(report.to)}`),
  ];

  const median =
    report.medianOpenAgeDays === null ? '_nothing open_' : `${plural(report.medianOpenAgeDays, 'day')} median age`;
  blocks.push(
    fieldsSection([
      `*Incidents*\n${report.incidents}${report.nearMisses ? ` (${plural(report.nearMisses, 'near miss', 'near misses')})` : ''}`,
      `*Reviewed*\n${report.reviewed} of ${report.incidents} with contributing factors`,
      `*Action items created*\n${report.openActions} open · ${report.doneActions} done`,
      `*Open backlog (all time)*\n${median} · ${report.overdueOpen ? `:warning: ${report.overdueOpen} overdue` : 'none overdue'}`,
    ]),
  );

  if (report.reviewed === 0) {
    blocks.push(
      section(
        ':bulb: No incident in this period has a review with contributing factors yet. Press *Fill in the review* on an incident’s posted review to add them: this report learns from those.',
      ),
    );
  }

  // Contributing factors: what keeps going wrong.
  const factors = report.factors.filter((f) => f.count > 0);
  blocks.push(
    section(
      factors.length
        ? `*Contributing factors* (per incident)\n\`\`\`\n${barChart(
            factors.map((f) => ({ label: f.label, count: f.count })),
          )
            .map(escapeMrkdwn)
            .join('\n')}\n\`\`\``
        : '*Contributing factors*\n_None recorded in this period._',
    ),
  );

  // Services that keep having incidents.
  const services = report.recurringServices;
  const shown = services.slice(0, GUARDRAIL_VIEW_LIMITS.services);
  const lines = shown.map(
    (s) =>
      `• ${clipMrkdwn(escapeMrkdwn(s.service.replace(/\s+/g, ' ').trim()), 150)}: ${plural(s.incidents, 'incident')}`,
  );
  if (services.length > shown.length) lines.push(`_… and ${services.length - shown.length} more_`);
  blocks.push(
    section(
      `*Recurring services* (2 or more incidents)\n${lines.length ? lines.join('\n') : '_None: no service had more than one incident._'}`,
    ),
  );

  // Action items by category.
  blocks.push(
    section(
      `*Action items by category* (created in the period)\n\`\`\`\n${escapeMrkdwn(categoryTable(report))}\n\`\`\``,
    ),
  );

  blocks.push(
    context(
      '`/incident guardrails 30d` (or `12w`) for another period · `/incident actions overdue` lists what is late',
    ),
  );

  const top = factors[0];
  return {
    text: `Guardrail report (${period}): ${plural(report.incidents, 'incident')}, ${report.reviewed} reviewed, ${report.openActions} open action items${
      top ? `; top factor: ${top.label}` : ''
    }`,
    blocks,
  };
}
