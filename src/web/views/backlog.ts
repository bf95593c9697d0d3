// The backlog page: the open items per team (and how many are overdue), the period's items by
// category and by where they live, with charts and tables, then the listing itself a page at a time.
// Item texts arrive already hidden where the viewer may not read them (services/access.ts).
import {
  ACTION_FILTERS,
  calendarDate,
  TRACKER_FILTERS,
  type ActionFilter,
  type ActionItem,
  type BacklogCursor,
  type TrackerFilter,
} from '../../domain/action-items.ts';
import type { GuardrailReport } from '../../domain/guardrail-report.ts';
import { TRACKER_NAMES } from '../../domain/trackers.ts';
import type { ItemsForReader } from '../../services/access.ts';
import type { ActionItemList } from '../../services/review/show-action-items.ts';
import { html, type VNode } from '../html.ts';
import { chartImage } from './chart-image.ts';

export const FILTER_LABELS: Record<ActionFilter, string> = {
  mine: 'Mine (open)',
  team: 'All open',
  overdue: 'Overdue',
  all: 'All, done too',
};
const WHERE_LABELS: Record<TrackerFilter, string> = {
  github: 'In GitHub',
  jira: 'In Jira',
  slack: 'Slack only',
  pending: 'Issue being created',
};

/** `status~due~priority~number`: where the next page starts, as the address carries it. */
export const cursorText = (c: BacklogCursor) => `${c.status}~${c.due ?? ''}~${c.priority}~${c.number}`;

/** A link only when it is http(s): a tracker's URL is never trusted to be one. */
export const httpUrl = (u: string | null | undefined) => (u && /^https?:\/\//i.test(u) ? u : null);

/** The incident's reference, linked to its page when the viewer may read it (else the reference only). */
function incidentCell(item: ActionItem, readable: ReadonlySet<string>): VNode {
  const ref = `INC-${item.incidentNumber}`;
  return html`${readable.has(item.incidentId) ? html`<a href=${`/web/incidents/${ref}`}>${ref}</a>` : ref}${
    item.incidentPrivate ? html` <span class="badge private">private</span>` : null
  }`;
}

/** The item's team, linked to the register of the incidents it owns. */
function teamCell(team: string | null): VNode | string {
  if (!team) return '—';
  return html`<a href=${`/web/incidents?${new URLSearchParams({ owner: team })}`}>${team.replace(/^group:default\//, '')}</a>`;
}

function itemRow(item: ActionItem, today: string, readable: ReadonlySet<string>): VNode {
  const overdue = item.status === 'open' && item.due !== null && item.due < today;
  return html`<tr>
    <th scope="row">ACT-${item.number}</th>
    <td>${incidentCell(item, readable)}</td>
    <td>${item.text}</td>
    <td>${teamCell(item.team)}</td>
    <td>${item.category}</td>
    <td>${item.priority}</td>
    <td class=${overdue ? 'bad' : undefined}>${item.due ?? '—'}${overdue ? ' (overdue)' : ''}</td>
    <td>${item.status}</td>
    <td>${issueCell(item)}</td>
  </tr>`;
}

/**
 * Where an item lives, linked to its issue when there is one. A private incident's item the viewer
 * may not read has no key or link (domain/access.ts actionItemAsSeenBy): only where it is tracked.
 */
export function issueCell(item: Pick<ActionItem, 'tracker'>): VNode | string {
  const issue = item.tracker;
  if (!issue) return 'Slack only';
  const name = TRACKER_NAMES[issue.tracker];
  if (issue.state !== 'linked') return `${name} (being created)`;
  const url = httpUrl(issue.url);
  const label = issue.key ?? `Tracked in ${name}`;
  return url ? html`<a href=${url} rel="noreferrer noopener">${label}</a>` : label;
}

const DAY_MS = 24 * 3600_000;

export async function backlogBody(
  report: GuardrailReport,
  list: ActionItemList,
  oldest: ItemsForReader<ActionItem>,
  q: {
    show: ActionFilter;
    where: TrackerFilter | undefined;
    period: string;
    nextHref: string | null;
    now: Date;
    timeZone: string;
  },
): Promise<VNode> {
  const teams = report.teams?.rows ?? [];
  const teamChart = teams.length
    ? await chartImage(
        {
          builder: 'horizontalCount',
          args: [
            'Open action items per team',
            'Open now; overdue ones are in the table',
            teams.map((t) => ({ label: t.label, count: t.open })),
            'Open action items',
          ],
        },
        'Bar chart of the open action items per team. The figures are in the table below.',
      )
    : null;
  const categoryChart = await chartImage(
    {
      builder: 'horizontalCount',
      args: [
        'Action items by category',
        `Added in the last ${report.periodDays} days, open and done`,
        report.actionsByCategory.map((c) => ({ label: c.label, count: c.open + c.done })),
        'Action items',
      ],
    },
    `Bar chart of the action items added in the last ${report.periodDays} days by category. The figures are in the table below.`,
  );
  return html`<h1>Backlog</h1>
    <div class="cards">
      <div class="card"><div class="figure">${report.overdueOpen}</div>open items overdue (all teams)</div>
      <div class="card">
        <div class="figure">${report.medianOpenAgeDays === null ? '—' : `${report.medianOpenAgeDays} d`}</div>
        median age of the open items
      </div>
      <div class="card"><div class="figure">${report.openActions}</div>${`added in the last ${report.periodDays} days, still open`}</div>
    </div>

    <h2>By team</h2>
    ${teamChart}
    ${
      teams.length
        ? html`<table>
            <caption>Open action items per team (by the catalog's owner)</caption>
            <thead><tr><th scope="col">Team</th><th scope="col" class="num">Open</th><th scope="col" class="num">Overdue</th></tr></thead>
            <tbody>
              ${teams.map((t) => html`<tr><th scope="row">${t.label}</th><td class="num">${t.open}</td><td class="num">${t.overdue}</td></tr>`)}
            </tbody>
          </table>
          ${report.teams?.truncated ? html`<p class="muted">${`The ${report.teams.teamsMax} teams with most open items.`}</p>` : null}`
        : html`<p>No open action item belongs to a team.</p>`
    }

    <h2>Oldest open</h2>
    ${
      oldest.items.length
        ? html`<table>
            <caption>The open action items that have waited longest</caption>
            <thead>
              <tr>
                <th scope="col">Item</th><th scope="col">Incident</th><th scope="col">Text</th><th scope="col">Added</th>
                <th scope="col" class="num">Days open</th><th scope="col">Due</th><th scope="col">Issue</th>
              </tr>
            </thead>
            <tbody>
              ${oldest.items.map(
                (i) => html`<tr>
                  <th scope="row">ACT-${i.number}</th>
                  <td>${incidentCell(i, oldest.readableIncidents)}</td>
                  <td>${i.text}</td>
                  <td>${calendarDate(i.createdAt, q.timeZone)}</td>
                  <td class="num">${Math.max(0, Math.floor((q.now.getTime() - i.createdAt.getTime()) / DAY_MS))}</td>
                  <td>${i.due ?? '—'}</td>
                  <td>${issueCell(i)}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p>No action item is open.</p>`
    }

    <h2>By category and where they live</h2>
    <form class="filters" method="get" action="/web/backlog">
      <label>Period <input type="text" name="period" value=${q.period} pattern="[0-9]{1,6}[dwDW]" /></label>
      <button type="submit">Show</button>
    </form>
    ${categoryChart}
    <table>
      <caption>${`Action items added in the last ${report.periodDays} days by category`}</caption>
      <thead><tr><th scope="col">Category</th><th scope="col" class="num">Open</th><th scope="col" class="num">Done</th></tr></thead>
      <tbody>
        ${report.actionsByCategory.map((c) => html`<tr><th scope="row">${c.label}</th><td class="num">${c.open}</td><td class="num">${c.done}</td></tr>`)}
      </tbody>
    </table>
    <table>
      <caption>${`Action items added in the last ${report.periodDays} days by where they live`}</caption>
      <thead>
        <tr><th scope="col">Where</th><th scope="col" class="num">Open</th><th scope="col" class="num">Done</th><th scope="col" class="num">Median days open (done)</th></tr>
      </thead>
      <tbody>
        ${(report.byTracker ?? []).map(
          (w) => html`<tr>
            <th scope="row">${w.label}</th><td class="num">${w.open}</td><td class="num">${w.done}</td>
            <td class="num">${w.medianDaysOpen ?? '—'}</td>
          </tr>`,
        )}
      </tbody>
    </table>

    <h2>The items</h2>
    <form class="filters" method="get" action="/web/backlog">
      <label>Show
        <select name="show">
          ${ACTION_FILTERS.map((f) => html`<option value=${f} selected=${f === q.show}>${FILTER_LABELS[f]}</option>`)}
        </select>
      </label>
      <label>Where
        <select name="in">
          <option value="" selected=${q.where === undefined}>Anywhere</option>
          ${TRACKER_FILTERS.map((w) => html`<option value=${w} selected=${w === q.where}>${WHERE_LABELS[w]}</option>`)}
        </select>
      </label>
      <input type="hidden" name="period" value=${q.period} />
      <button type="submit">Show</button>
    </form>
    <p class="muted">
      ${`${list.totalCapped ? `${list.total}+` : list.total} item(s), in backlog order (overdue and due first, then priority). A private incident's items say what they are only to the members of its channel, their owner and whoever added them.`}
    </p>
    ${
      list.items.length
        ? html`<table>
            <caption>Action items</caption>
            <thead>
              <tr>
                <th scope="col">Item</th><th scope="col">Incident</th><th scope="col">Text</th><th scope="col">Team</th>
                <th scope="col">Category</th><th scope="col">Priority</th><th scope="col">Due</th><th scope="col">Status</th>
                <th scope="col">Issue</th>
              </tr>
            </thead>
            <tbody>${list.items.map((i) => itemRow(i, list.today, list.readableIncidents ?? new Set()))}</tbody>
          </table>`
        : html`<p>No action item matches.</p>`
    }
    ${q.nextHref ? html`<p class="pager"><a href=${q.nextHref} rel="next">Next page</a></p>` : null}`;
}
