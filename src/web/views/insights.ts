// The insights page: the period's form, the headline figures, and each chart with its figures as a
// table (for screen readers and auditors). Every name shown is escaped by the renderer.
import { format } from 'date-fns/format';
import { OKABE_ITO } from '../../charts/render.ts';
import { formatDuration } from '../../domain/durations.ts';
import {
  DURATION_LABELS,
  DURATION_METRICS,
  INSIGHT_SERVICES_MAX,
  REVIEW_DUE_DAYS,
  type DurationStats,
} from '../../domain/insights.ts';
import { SEVERITIES } from '../../domain/severity.ts';
import type { Insights } from '../../services/insights/show-insights.ts';
import { html, type VNode } from '../html.ts';
import { chartImage } from './chart-image.ts';

const HOUR_MS = 3600_000;
const METRIC_COLORS = [OKABE_ITO.bluishGreen, OKABE_ITO.orange, OKABE_ITO.blue] as const;

const day = (date: string) => format(new Date(`${date}T00:00:00Z`), 'd MMM yyyy');
const shortDay = (date: string) => format(new Date(`${date}T00:00:00Z`), 'd MMM');
const monthLabel = (month: string) => format(new Date(`${month}-01T00:00:00Z`), 'MMM yyyy');
const percent = (share: number | null) => (share === null ? '—' : `${Math.round(share * 100)}%`);
const dur = (ms: number | null) => formatDuration(ms === null ? null : Math.round(ms));

/** The period's form (GET: the address says what is shown, and can be shared). */
export function periodForm(action: string, from: string, to: string): VNode {
  return html`<form class="filters" method="get" action=${action}>
    <label>From <input type="date" name="from" value=${from} required /></label>
    <label>To <input type="date" name="to" value=${to} required /></label>
    <button type="submit">Show</button>
  </form>`;
}

/** A table of groups' durations: incidents, then median and p90 of each duration. */
function durationsTable(caption: string, head: string, rows: readonly { label: string; stats: DurationStats }[]) {
  return html`<table>
    <caption>${caption}</caption>
    <thead>
      <tr>
        <th scope="col">${head}</th>
        <th scope="col" class="num">Incidents</th>
        ${DURATION_METRICS.map(
          (m) => html`<th scope="col" class="num">${DURATION_LABELS[m]}: median</th>
            <th scope="col" class="num">p90</th>`,
        )}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (r) => html`<tr>
          <th scope="row">${r.label}</th>
          <td class="num">${r.stats.incidents}</td>
          ${DURATION_METRICS.map(
            (m) => html`<td class="num">${dur(r.stats.metrics[m].medianMs)}</td>
              <td class="num">${dur(r.stats.metrics[m].p90Ms)}</td>`,
          )}
        </tr>`,
      )}
    </tbody>
  </table>`;
}

/** The page's content. */
export async function insightsBody(insights: Insights): Promise<VNode> {
  const { period } = insights;
  const span = `${day(period.fromDate)} to ${day(period.toDate)} (${period.timeZone})`;
  const weekly = await chartImage(
    {
      builder: 'weeklyIncidents',
      args: [
        'Incidents per week by severity',
        `${span}; near misses beside them`,
        insights.weeks.map((w) => ({ label: shortDay(w.week), bySeverity: w.bySeverity, nearMisses: w.nearMisses })),
      ],
    },
    `Bar chart of incidents per week, stacked by severity, with near misses beside them, ${span}. The figures are in the table below.`,
  );
  const bySeverity = await chartImage(
    {
      builder: 'groupedHours',
      args: [
        'Median time to acknowledge, mitigate and resolve',
        `By severity, in hours; near misses left out; ${span}`,
        [...SEVERITIES],
        DURATION_METRICS.map((m, i) => ({
          name: DURATION_LABELS[m],
          color: METRIC_COLORS[i]!,
          hours: insights.bySeverity.map((s) => {
            const ms = s.stats.metrics[m].medianMs;
            return ms === null ? null : ms / HOUR_MS;
          }),
        })),
      ],
    },
    `Bar chart of the median time to acknowledge, mitigate and resolve by severity, in hours, ${span}. The figures are in the table below.`,
  );
  const factors = insights.factors.length
    ? await chartImage(
        {
          builder: 'horizontalCount',
          args: [
            'Recurring contributing factors',
            `Incidents whose review lists each factor; ${span}`,
            insights.factors.map((f) => ({ label: f.label, count: f.count })),
            'Incidents',
          ],
        },
        `Bar chart of contributing factors by the number of incidents whose review lists them, ${span}. The figures are in the table below.`,
      )
    : null;

  return html`<h1>Insights</h1>
    ${periodForm('/web/insights', period.fromDate, period.toDate)}
    <p class="muted">Incidents declared from ${span}. A private incident counts in the figures only for the members of its channel; its service is not listed.</p>
    <div class="cards">
      <div class="card"><div class="figure">${insights.incidents}</div>incidents</div>
      <div class="card"><div class="figure">${insights.nearMisses}</div>near misses</div>
      <div class="card">
        <div class="figure">${insights.nearMissRatio === null ? '—' : insights.nearMissRatio.toFixed(2)}</div>
        near misses per incident
      </div>
      <div class="card">
        <div class="figure">${percent(insights.reviews.share)}</div>
        ${`SEV1–2 reviews done within ${REVIEW_DUE_DAYS} days (${insights.reviews.onTime} of ${insights.reviews.onTime + insights.reviews.late}; ${insights.reviews.pending} not yet due)`}
      </div>
      <div class="card">
        <div class="figure">${percent(insights.actions.share)}</div>
        ${`action items closed on time (${insights.actions.onTime} of ${insights.actions.due} due)`}
      </div>
    </div>

    <h2>Incidents per week</h2>
    ${weekly}
    <table>
      <caption>Incidents per week by severity (weeks start on Monday)</caption>
      <thead>
        <tr>
          <th scope="col">Week starting</th>
          ${SEVERITIES.map((s) => html`<th scope="col" class="num">${s}</th>`)}
          <th scope="col" class="num">Incidents</th>
          <th scope="col" class="num">Near misses</th>
        </tr>
      </thead>
      <tbody>
        ${insights.weeks.map(
          (w) => html`<tr>
            <th scope="row">${day(w.week)}</th>
            ${SEVERITIES.map((s) => html`<td class="num">${w.bySeverity[s]}</td>`)}
            <td class="num">${w.incidents}</td>
            <td class="num">${w.nearMisses}</td>
          </tr>`,
        )}
      </tbody>
    </table>

    <h2>Time to acknowledge, mitigate and resolve</h2>
    <p class="muted">
      From the declaration to the first move out of “declared” (acknowledge), to the first “monitoring” or
      “resolved” (mitigate), and to the last “resolved” (resolve); near misses left out. Median and 90th percentile.
    </p>
    ${bySeverity}
    ${durationsTable('By severity', 'Severity', [
      ...insights.bySeverity.map((s) => ({ label: s.severity, stats: s.stats })),
      { label: 'All', stats: insights.overall },
    ])}
    ${durationsTable(
      `By service (the ${INSIGHT_SERVICES_MAX} with most incidents; private incidents left out)`,
      'Service',
      insights.byService.map((s) => ({ label: s.service, stats: s.stats })),
    )}
    ${durationsTable(
      'By month of declaration',
      'Month',
      insights.byMonth.map((m) => ({ label: monthLabel(m.month), stats: m.stats })),
    )}

    <h2>Reviews and action items</h2>
    <table>
      <caption>Timeliness</caption>
      <thead>
        <tr>
          <th scope="col">What</th>
          <th scope="col" class="num">On time</th>
          <th scope="col" class="num">Late</th>
          <th scope="col" class="num">Not yet due</th>
          <th scope="col" class="num">Share on time</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">SEV1–2 reviews completed within ${REVIEW_DUE_DAYS} days of the resolve</th>
          <td class="num">${insights.reviews.onTime}</td>
          <td class="num">${insights.reviews.late}</td>
          <td class="num">${insights.reviews.pending}</td>
          <td class="num">${percent(insights.reviews.share)}</td>
        </tr>
        <tr>
          <th scope="row">Action items due in the period, closed on or before their due date</th>
          <td class="num">${insights.actions.onTime}</td>
          <td class="num">${insights.actions.due - insights.actions.onTime}</td>
          <td class="num">—</td>
          <td class="num">${percent(insights.actions.share)}</td>
        </tr>
      </tbody>
    </table>
    <p class="muted">
      A review counts as completed when it first lists a contributing factor. Action items still open and not yet
      past their due date are not counted.
    </p>

    <h2>Recurring contributing factors</h2>
    ${
      factors
        ? html`${factors}
          <table>
            <caption>Contributing factors (incidents whose review lists each)</caption>
            <thead>
              <tr><th scope="col">Factor</th><th scope="col" class="num">Incidents</th></tr>
            </thead>
            <tbody>
              ${insights.factors.map((f) => html`<tr><th scope="row">${f.label}</th><td class="num">${f.count}</td></tr>`)}
            </tbody>
          </table>
          <p class="muted">${insights.reviewed} of the period's incidents have a review listing a factor.</p>`
        : html`<p>No review of the period's incidents lists a contributing factor yet.</p>`
    }`;
}
