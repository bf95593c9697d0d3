// The on-call load page: the team's totals and fairness, each responder's row (all of them for the
// on-call leads, else only the viewer's own), the pages per person and the weekday × hour heatmap,
// each chart with its figures as a table.
import { DAYS } from '../../charts/load-charts.ts';
import type { ResponderLoad } from '../../domain/on-call-load.ts';
import { formatInZone } from '../../domain/time.ts';
import { formatWorkingHours } from '../../domain/working-hours.ts';
import type { OnCallLoad } from '../../services/on-call/show-on-call-load.ts';
import { html, type VNode } from '../html.ts';
import { chartImage } from './chart-image.ts';
import { csvNumber } from '../../domain/load-csv.ts';

/** Up to one decimal, no trailing `.0`, never `-0` (719.96 h is `720`, not `720.0`). */
const num = (n: number) => csvNumber(n);
/** A change: `+3`, `−2.5`, or `±0` for what rounds to nothing (not `−0.0`). */
const signed = (n: number) => {
  const r = csvNumber(n);
  return r === '0' ? '±0' : r.startsWith('-') ? `−${r.slice(1)}` : `+${r}`;
};

/** The period's form: the same periods as `/incident load` (30d, 12w), and the schedule or team. */
export function loadForm(period: string, scope: string): VNode {
  return html`<form class="filters" method="get" action="/web/on-call">
    <label>Schedule or team <input type="text" name="scope" value=${scope} placeholder="everyone on call" /></label>
    <label>Period <input type="text" name="period" value=${period} pattern="[0-9]{1,6}[dwDW]" placeholder="30d" /></label>
    <button type="submit">Show</button>
  </form>`;
}

/** What is missing or old in the figures, in plain words; null when nothing is. */
function freshness(load: OnCallLoad): string | null {
  const parts: string[] = [];
  const { failed, asOf, missingDays } = load.sync;
  if (failed) parts.push(`${failed}: showing the figures cached before`);
  if (failed && asOf) parts.push(`the current week as of ${formatInZone(asOf, load.teamTimeZone)}`);
  if (missingDays.current > 0) parts.push(`${missingDays.current} day(s) of the period have no data`);
  if (missingDays.previous > 0) parts.push(`${missingDays.previous} day(s) of the period before have no data`);
  return parts.length ? `${parts.join('; ')}.` : null;
}

/** The page's content: `rows` are the responders this viewer may see (all, or their own). */
export async function onCallBody(
  load: OnCallLoad,
  opts: { rows: readonly ResponderLoad[]; everyone: boolean; period: string; scope: string },
): Promise<VNode> {
  const { report, change } = load;
  const t = report.totals;
  const c = change.totals;
  const gaps = load.sync.missingDays.previous > 0;
  const delta = (n: number) => (gaps ? '–' : signed(n));
  const title = `On-call load: ${load.scope.name}, last ${load.periodDays} days`;
  const note = freshness(load);
  const head = html`<h1>${title}</h1>
    ${loadForm(opts.period, opts.scope)}
    ${note ? html`<p class="problem">${note}</p>` : null}`;
  if (report.responders.length === 0) return html`${head}<p>Nobody in this scope was on call in the period.</p>`;

  const bars = opts.rows.map((r) => {
    const night = Math.min(r.nightPages, r.outOfHoursPages);
    return { name: r.name, inHours: r.pages - r.outOfHoursPages, outOfHours: r.outOfHoursPages - night, night };
  });
  const barChart = bars.length
    ? await chartImage(
        { builder: 'loadBar', args: [`Pages per person - ${load.scope.name}, last ${load.periodDays} days`, bars] },
        `Bar chart of pages per person, in hours, out of hours and at night, last ${load.periodDays} days. The figures are in the table below.`,
      )
    : null;
  const heatmap = await chartImage(
    {
      builder: 'pagesHeatmap',
      args: [
        `Pages by weekday and hour - ${load.scope.name}, last ${load.periodDays} days`,
        report.heatmap,
        `Hours in ${load.teamTimeZone}`,
      ],
    },
    `Heatmap of the team's pages by weekday and hour (${load.teamTimeZone}). The figures are in the table below.`,
  );
  const fairness = report.fairness;
  return html`${head}
    <div class="cards">
      <div class="card"><div class="figure">${num(t.onCallHours)} h</div>${`on call (${delta(c.onCallHours)})`}</div>
      <div class="card"><div class="figure">${t.pages}</div>${`pages (${delta(c.pages)})`}</div>
      <div class="card"><div class="figure">${t.outOfHoursPages}</div>${`out of hours (${delta(c.outOfHoursPages)})`}</div>
      <div class="card">
        <div class="figure">${t.nightPages}</div>
        ${`at night, 22:00–07:00 (${delta(c.nightPages)}); ${t.nightsInterrupted} nights interrupted`}
      </div>
      <div class="card"><div class="figure">${t.incidentsWorked}</div>${`incidents worked, ${num(t.incidentHours)} h in incidents`}</div>
      <div class="card">
        <div class="figure">${fairness.gini === null ? 'n/a' : fairness.gini.toFixed(2)}</div>
        ${
          fairness.gini === null
            ? 'fairness (Gini): fewer than two people on call'
            : `fairness (Gini: 0 even)${fairness.maxToMedian !== null ? `; busiest ${num(fairness.maxToMedian)}× the median` : ''}`
        }
      </div>
    </div>
    <p class="muted">
      ${`Out of hours: outside ${formatWorkingHours(load.workingHours)} in each responder's own time zone; changes against the ${load.periodDays} days before.`}
      ${opts.everyone ? '' : ' Your own row and the team’s totals: each person’s figures are for the on-call leads (ONCALL_LEADS).'}
    </p>

    <h2>Per responder</h2>
    ${barChart}
    ${
      opts.rows.length
        ? html`<table>
            <caption>${opts.everyone ? 'Load per responder (most first)' : 'Your load'}</caption>
            <thead>
              <tr>
                <th scope="col">Responder</th>
                <th scope="col" class="num">On-call hours</th>
                <th scope="col" class="num">Pages</th>
                <th scope="col" class="num">Out of hours</th>
                <th scope="col" class="num">Night pages</th>
                <th scope="col" class="num">Nights interrupted</th>
                <th scope="col" class="num">Incidents worked</th>
                <th scope="col" class="num">Load</th>
                <th scope="col" class="num">Δ pages</th>
              </tr>
            </thead>
            <tbody>
              ${opts.rows.map(
                (r) => html`<tr>
                  <th scope="row">${r.name}</th>
                  <td class="num">${num(r.onCallHours)}</td>
                  <td class="num">${r.pages}</td>
                  <td class="num">${r.outOfHoursPages}</td>
                  <td class="num">${r.nightPages}</td>
                  <td class="num">${r.nightsInterrupted}</td>
                  <td class="num">${r.incidentsWorked}</td>
                  <td class="num">${r.load}</td>
                  <td class="num">${delta(change.responders.get(r.personId)?.delta.pages ?? 0)}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p>You were not on call in this scope in the period.</p>`
    }

    <h2>When the pages came</h2>
    ${heatmap}
    <table>
      <caption>${`Pages by weekday and hour (${load.teamTimeZone})`}</caption>
      <thead>
        <tr>
          <th scope="col">Day</th>
          ${Array.from({ length: 24 }, (_, h) => html`<th scope="col" class="num">${String(h).padStart(2, '0')}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${report.heatmap.map(
          (row, d) => html`<tr>
            <th scope="row">${DAYS[d]}</th>
            ${row.map((n) => html`<td class="num">${n}</td>`)}
          </tr>`,
        )}
      </tbody>
    </table>`;
}
