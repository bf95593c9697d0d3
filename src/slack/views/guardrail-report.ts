// Block Kit for `/incident guardrails [90d]`: what incidents keep teaching us, and whether the
// backlog of fixes moves.
import type { KnownBlock } from '@slack/types';
import type { GuardrailReport } from '../../domain/guardrail-report.ts';
import type { OwnerDelivery } from '../../domain/delivery-metrics.ts';
import { formatDuration } from '../../domain/durations.ts';
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

/** A rate as a whole percentage; "—" without changes. */
export function percentText(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 100)}%`;
}

/** One owner's services as a fixed-width table: incidents, changes, failed, change failure rate, restore times. */
function ownerTable(owner: OwnerDelivery): string {
  const head = ['Service', 'Incidents', 'Changes', 'Failed', 'CFR', 'Restore (median / p90)'];
  const rows = owner.services.map((s) => [
    clipMrkdwn(s.service.replace(/\s+/g, ' ').trim(), 40),
    String(s.incidents),
    String(s.changes),
    String(s.failedChanges),
    percentText(s.changeFailureRate),
    s.restored ? `${formatDuration(s.restoreMedianMs)} / ${formatDuration(s.restoreP90Ms)}` : '—',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

/** The change failure rate and time to restore, a section per owner (services by most incidents). */
function deliveryBlocks(delivery: NonNullable<GuardrailReport['delivery']>): KnownBlock[] {
  const intro = `*Change failure rate and time to restore* (per owner and service)\n_CFR: the share of changes followed by an incident on their service within ${plural(delivery.windowHours, 'hour')}. Restore: declared to resolved, near misses left out. Private incidents are not counted._`;
  if (delivery.owners.length === 0)
    return [section(`${intro}\n_No change or incident on a named service in this period._`)];
  const blocks: KnownBlock[] = [section(intro)];
  for (const owner of delivery.owners) {
    const head = `*${escapeMrkdwn(clipMrkdwn(owner.label, 150))}*: ${plural(owner.incidents, 'incident')} · ${plural(owner.changes, 'change')} · CFR ${percentText(owner.changeFailureRate)}`;
    blocks.push(section(`${head}\n\`\`\`\n${escapeMrkdwn(ownerTable(owner))}\n\`\`\``));
  }
  if (delivery.truncated)
    blocks.push(context(`Only the ${delivery.servicesMax} services with the most incidents and changes are listed.`));
  return blocks;
}

/** The open action items per team, most open first. */
function teamBlocks(teams: NonNullable<GuardrailReport['teams']>): KnownBlock[] {
  const intro = '*Open action items by team* (the whole open backlog, now)';
  if (teams.rows.length === 0) return [section(`${intro}\n_No open action item belongs to a team._`)];
  const head = ['Team', 'Open', 'Overdue'];
  const rows = teams.rows.map((t) => [
    clipMrkdwn(t.label.replace(/\s+/g, ' ').trim(), 40),
    String(t.open),
    String(t.overdue),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const blocks: KnownBlock[] = [
    section(`${intro}\n\`\`\`\n${escapeMrkdwn([line(head), ...rows.map(line)].join('\n'))}\n\`\`\``),
  ];
  if (teams.truncated) blocks.push(context(`Only the ${teams.teamsMax} teams with the most open items are listed.`));
  return blocks;
}

/** The period's action items by where they live: open, done, and how long the done ones stayed open. */
function trackerBlocks(rows: NonNullable<GuardrailReport['byTracker']>): KnownBlock[] {
  const intro =
    '*Where action items live* (created in the period)\n_An item whose issue is being created counts in its tracker. Days open: the median, of the done ones._';
  const head = ['Where', 'Open', 'Done', 'Days open'];
  const cells = rows.map((r) => [
    r.label,
    String(r.open),
    String(r.done),
    r.medianDaysOpen === null ? '—' : String(r.medianDaysOpen),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [section(`${intro}\n\`\`\`\n${escapeMrkdwn([line(head), ...cells.map(line)].join('\n'))}\n\`\`\``)];
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

  if (report.delivery) blocks.push(...deliveryBlocks(report.delivery));
  if (report.teams) blocks.push(...teamBlocks(report.teams));

  // Action items by category.
  blocks.push(
    section(
      `*Action items by category* (created in the period)\n\`\`\`\n${escapeMrkdwn(categoryTable(report))}\n\`\`\``,
    ),
  );

  if (report.byTracker) blocks.push(...trackerBlocks(report.byTracker));

  blocks.push(
    context(
      '`/incident guardrails 30d` (or `12w`) for another period · `/incident actions overdue` lists what is late · `/incident actions all in:jira` (or `in:github`, `in:slack`, `pending`) by where they live',
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
