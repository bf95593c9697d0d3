import type { People } from '../people.ts';
import { formatDuration } from '../../domain/durations.ts';
import { incidentRef, STATUS_LABELS, STATUSES } from '../../domain/incident.ts';
import {
  REGISTER_CSV_MAX,
  REGISTER_PAGE_SIZE,
  registerParams,
  timeToResolveMs,
  type RegisterFilter,
  type RegisterRow,
} from '../../domain/register.ts';
import { SEVERITIES } from '../../domain/severity.ts';
import { formatInZone } from '../../domain/time.ts';
import type { RegisterPage } from '../../services/records/list-incidents.ts';
import { html, type VNode } from '../html.ts';

const count = (n: number) => `${n.toLocaleString('en-GB')} ${n === 1 ? 'incident' : 'incidents'}`;

/** A severity as its coloured badge (the text says it too). */
export function severityBadge(severity: string): VNode {
  return html`<span class=${`badge ${severity.toLowerCase()}`}>${severity}</span>`;
}

/** The marks beside an incident: exercise (drill), private, near miss. */
export function incidentMarks(i: Pick<RegisterRow, 'isPrivate' | 'nearMiss' | 'drill'>): VNode[] {
  return [
    i.drill ? html`<span class="badge drill">Exercise</span> ` : null,
    i.isPrivate ? html`<span class="badge private">Private</span> ` : null,
    i.nearMiss ? html`<span class="badge nearmiss">Near miss</span>` : null,
  ].filter((v): v is VNode => v !== null);
}

function filters(f: RegisterFilter): VNode {
  const several = f.severities.length > 1 ? f.severities.join(',') : null;
  return html`<form class="filters" method="get" action="/web/incidents" aria-label="Filter the incidents">
    <label>From <input type="date" name="from" value=${f.from} /></label>
    <label>To <input type="date" name="to" value=${f.to} /></label>
    <label
      >Severity
      <select name="severity">
        <option value="">Any</option>
        ${several && html`<option value=${several} selected>${several}</option>`}
        ${SEVERITIES.map(
          (s) => html`<option value=${s} selected=${f.severities.length === 1 && f.severities[0] === s}>${s}</option>`,
        )}
      </select></label
    >
    <label
      >Status
      <select name="status">
        <option value="">Any</option>
        <option value="active" selected=${f.status === 'active'}>Active</option>
        ${STATUSES.map(
          (s) => html`<option value=${s.toLowerCase()} selected=${f.status === s}>${STATUS_LABELS[s]}</option>`,
        )}
      </select></label
    >
    <label>Service <input type="text" name="service" value=${f.service ?? ''} size="12" /></label>
    <label>Owning team <input type="text" name="owner" value=${f.owner ?? ''} size="16" /></label>
    <label
      >Near miss
      <select name="near_miss">
        <option value="">Either</option>
        <option value="yes" selected=${f.nearMiss === true}>Yes</option>
        <option value="no" selected=${f.nearMiss === false}>No</option>
      </select></label
    >
    <label
      >Exercise (drill)
      <select name="drill">
        <option value="">Either</option>
        <option value="yes" selected=${f.drill === true}>Yes</option>
        <option value="no" selected=${f.drill === false}>No</option>
      </select></label
    >
    <label>Search <input type="search" name="q" value=${f.q ?? ''} placeholder="Title or INC-42" /></label>
    <button type="submit">Show</button>
  </form>`;
}

function row(r: RegisterRow, timeZone: string, teamNames: ReadonlyMap<string, string>, people: People): VNode {
  const ref = incidentRef(r);
  return html`<tr>
    <td><a href=${`/web/incidents/${ref}`}>${ref}</a></td>
    <td>${r.title}</td>
    <td>${severityBadge(r.severity)}</td>
    <td>${STATUS_LABELS[r.status]}</td>
    <td>${r.affectedService ?? ''}</td>
    <td title=${r.serviceOwner ?? undefined}>${r.serviceOwner ? (teamNames.get(r.serviceOwner.toLowerCase()) ?? r.serviceOwner) : ''}</td>
    <td>${people(r.commanderId)}</td>
    <td>${formatInZone(r.declaredAt, timeZone)}</td>
    <td class="num">${formatDuration(timeToResolveMs(r))}</td>
    <td>${incidentMarks(r)}</td>
  </tr>`;
}

/** The register: its filters, the count, one page of incidents, the pager and the CSV link. */
export function registerView(p: RegisterPage, people: People): VNode {
  const { filter: f } = p;
  const link = (page: number) => `/web/incidents?${registerParams(f, page).toString()}`;
  const first = p.total === 0 ? 0 : (p.page - 1) * REGISTER_PAGE_SIZE + 1;
  const last = Math.min(p.total, p.page * REGISTER_PAGE_SIZE);
  return html`<h1>Incidents</h1>
    ${filters(f)}
    <p>
      <strong>${count(p.total)}</strong> declared from ${f.from} to ${f.to} (${f.timeZone})${
        p.total > 0 && html`, showing ${first}–${last}`
      }.${' '}
      <a href=${`/web/incidents.csv?${registerParams(f).toString()}`} download
        >Download as CSV${p.total > REGISTER_CSV_MAX ? ` (the first ${REGISTER_CSV_MAX.toLocaleString('en-GB')})` : ''}</a
      >
    </p>
    ${
      p.rows.length === 0
        ? html`<p class="muted">No incidents match${p.page > 1 ? ' on this page' : ''}.</p>`
        : html`<table>
            <caption class="muted">Newest first; times in ${f.timeZone}</caption>
            <thead>
              <tr>
                <th scope="col">Reference</th>
                <th scope="col">Title</th>
                <th scope="col">Severity</th>
                <th scope="col">Status</th>
                <th scope="col">Service</th>
                <th scope="col">Owning team</th>
                <th scope="col">Commander</th>
                <th scope="col">Declared</th>
                <th scope="col" class="num">Time to resolve</th>
                <th scope="col">Marks</th>
              </tr>
            </thead>
            <tbody>
              ${p.rows.map((r) => row(r, f.timeZone, p.teamNames, people))}
            </tbody>
          </table>`
    }
    <nav class="pager" aria-label="Pages">
      ${p.page > 1 ? html`<a href=${link(p.page - 1)} rel="prev">Previous</a>` : null}
      <span>Page ${p.page} of ${p.pages}</span>
      ${p.page < p.pages ? html`<a href=${link(p.page + 1)} rel="next">Next</a>` : null}
    </nav>`;
}
