import type { KnownBlock } from '@slack/types';
import type { LoadChange } from '../../domain/on-call-load.ts';
import { formatWorkingHours } from '../../domain/working-hours.ts';
import { formatInZone } from '../../domain/time.ts';
import type { OnCallLoad } from '../../services/on-call/show-on-call-load.ts';
import { clip, escapeMrkdwn, fieldsSection, header, mrkdwnContext, mrkdwnSection, plural } from './format.ts';
import { cell, freshnessNote, num } from './on-call-shared.ts';
import type { SlackMessage } from './incident-summary.ts';
import type { ChatFile } from '../../ports/chat-platform.ts';
import { renderLoadFiles } from '../../charts/render-off-thread.ts';

const ROWS_SHOWN = 15;
const signedNumber = (n: number) => (n > 0 ? `+${num(n)}` : n < 0 ? `−${num(-n)}` : '±0');

/** The `/incident load` answer: totals, fairness, change against the previous period and a table per responder. */
export function onCallLoadMessage(
  load: OnCallLoad,
  opts: {
    filesSent: boolean /** Show only these people's rows (a member who is not a lead sees their own). */;
    onlyPeople?: readonly string[];
  },
): SlackMessage {
  const { report, change } = load;
  // A change against a period with gaps would mislead: shown as a dash instead.
  const signed = (n: number) => (load.sync.missingDays.previous > 0 ? '–' : signedNumber(n));
  const t = report.totals;
  const c = change.totals;
  const title = `On-call load: ${load.scope.name}, last ${load.periodDays} days`;
  const blocks: KnownBlock[] = [header(title)];
  const note = freshnessNote(load);
  if (note) blocks.push(mrkdwnContext(note));
  if (report.responders.length === 0) {
    blocks.push(mrkdwnSection('Nobody in this scope was on call in the period.'));
    return { text: title, blocks };
  }
  blocks.push(
    fieldsSection([
      `*On call*\n${num(t.onCallHours)} h (${signed(c.onCallHours)})`,
      `*Pages*\n${t.pages} (${signed(c.pages)})`,
      `*Out of hours*\n${t.outOfHoursPages} (${signed(c.outOfHoursPages)})`,
      `*At night (22:00–07:00)*\n${t.nightPages} (${signed(c.nightPages)}), ${plural(t.nightsInterrupted, 'night')} interrupted`,
      `*Incidents worked*\n${t.incidentsWorked}, ${num(t.incidentHours)} h in incidents`,
      `*Fairness*\n${fairnessText(load.report.fairness, change)}`,
    ]),
  );
  const head = `${cell('Responder', 22)} ${'On-call h'.padStart(9)} ${'Pages'.padStart(5)} ${'OOH'.padStart(4)} ${'Night'.padStart(5)} ${'Nights'.padStart(6)} ${'Inc'.padStart(4)} ${'Δ pages'.padStart(7)}`;
  const visible = opts.onlyPeople
    ? report.responders.filter((r) => opts.onlyPeople!.includes(r.personId))
    : report.responders;
  const rows = visible.slice(0, ROWS_SHOWN).map((r) => {
    const d = change.responders.get(r.personId)?.delta;
    return `${cell(r.name, 22)} ${num(r.onCallHours).padStart(9)} ${String(r.pages).padStart(5)} ${String(r.outOfHoursPages).padStart(4)} ${String(r.nightPages).padStart(5)} ${String(r.nightsInterrupted).padStart(6)} ${String(r.incidentsWorked).padStart(4)} ${signed(d?.pages ?? 0).padStart(7)}`;
  });
  blocks.push(mrkdwnSection(clip(`\`\`\`\n${[head, ...rows].join('\n')}\n\`\`\``, 3000)));
  const busiest = report.responders[0]!;
  const more = visible.length > ROWS_SHOWN ? ` · ${visible.length - ROWS_SHOWN} more in the CSV` : '';
  const who = opts.onlyPeople
    ? 'Your own row and the team’s totals: each person’s figures are for the on-call leads (ONCALL_LEADS).'
    : `Most load: ${escapeMrkdwn(busiest.name)}.`;
  blocks.push(
    mrkdwnContext(
      `${who} Out of hours: outside ${escapeMrkdwn(formatWorkingHours(load.workingHours))} in each responder's own time zone; ` +
        `Δ against the ${load.periodDays} days before.${more}` +
        (opts.filesSent ? ' Charts and the CSV are in your direct messages with me.' : ''),
    ),
  );
  return { text: title, blocks };
}

function fairnessText(f: { gini: number | null; maxToMedian: number | null }, change: LoadChange): string {
  if (f.gini === null) return 'n/a (fewer than two people on call)';
  const spread = f.gini < 0.2 ? 'even' : f.gini < 0.4 ? 'uneven' : 'very uneven';
  const prev = change.gini.previous === null ? '' : `, was ${change.gini.previous.toFixed(2)}`;
  return `Gini ${f.gini.toFixed(2)} (${spread}${prev})${f.maxToMedian !== null ? `; busiest ${num(f.maxToMedian)}× the median` : ''}`;
}

/** The lead's section of the App Home tab: the last period's totals and busiest responders, from the cache. */
export function onCallLoadHomeBlocks(load: OnCallLoad): KnownBlock[] {
  const t = load.report.totals;
  const top = load.report.responders
    .slice(0, 5)
    .map(
      (r) => `• ${escapeMrkdwn(r.name)}: ${r.pages} pages, ${r.nightPages} at night, ${num(r.onCallHours)} h on call`,
    );
  const note =
    freshnessNote(load) ??
    (load.sync.asOf ? `The current week as of ${formatInZone(load.sync.asOf, load.teamTimeZone)}.` : null);
  return [
    { type: 'divider' },
    header(`On-call load, last ${load.periodDays} days`),
    mrkdwnSection(
      clip(
        `${t.pages} pages, ${t.outOfHoursPages} out of hours, ${t.nightPages} at night (${t.nightsInterrupted} nights interrupted); ${num(t.onCallHours)} h on call.\n${top.join('\n') || '_Nobody was on call._'}`,
        3000,
      ),
    ),
    mrkdwnContext(
      `${note ? `${note} · ` : ''}\`/incident load [schedule|team] [30d]\` for the full report, charts and CSV.`,
    ),
  ];
}

/**
 * The files sent with the report: load per person, the week × hour heatmap of pages, and the CSV.
 * Made on a worker thread (charts/render-off-thread.ts): 150-300 ms of CPU at a large trust's size
 * that would otherwise hold every other request (docs/performance.md).
 */
export async function onCallLoadFiles(load: OnCallLoad): Promise<ChatFile[]> {
  const stamp = load.report.to.toISOString().slice(0, 10);
  const slug =
    load.scope.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'all';
  const bars = load.report.responders.map((r) => {
    const night = Math.min(r.nightPages, r.outOfHoursPages);
    return { name: r.name, inHours: r.pages - r.outOfHoursPages, outOfHours: r.outOfHoursPages - night, night };
  });
  const period = `${load.scope.name}, last ${load.periodDays} days`;
  const { bar, heatmap, csv } = await renderLoadFiles({
    barTitle: `Pages per person - ${period}`,
    bars,
    heatmapTitle: `Pages by weekday and hour - ${period}`,
    heatmap: load.report.heatmap,
    heatmapCaption: `Hours in ${load.teamTimeZone}`,
    report: load.report,
    change: load.change,
  });
  return [
    {
      filename: `on-call-load-${slug}-${stamp}.png`,
      title: `Pages per person: ${period}`,
      content: bar,
      comment: '',
    },
    {
      filename: `pages-heatmap-${slug}-${stamp}.png`,
      title: `Pages by weekday and hour: ${period}`,
      content: heatmap,
      comment: '',
    },
    {
      filename: `on-call-load-${slug}-${stamp}.csv`,
      title: `On-call load: ${period}`,
      content: csv,
      comment: '',
    },
  ];
}
