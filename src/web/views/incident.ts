import { currentSignoff, ratingOf, VOID_REASON_TEXT, type RiskAssessment } from '../../domain/clinical-safety.ts';
import { labelOf } from '../../domain/clinical-risk.ts';
import type { People } from '../people.ts';
import { actionRef } from '../../domain/action-items.ts';
import { formatDuration } from '../../domain/durations.ts';
import { incidentRef, ROLE_LABELS, ROLES, STATUS_LABELS } from '../../domain/incident.ts';
import { CONTRIBUTING_FACTOR_LABELS, DETECTION_LABELS } from '../../domain/review.ts';
import { formatInZone } from '../../domain/time.ts';
import type { TimelineCursor } from '../../ports/incident-store.ts';
import type { IncidentRecord } from '../../services/records/show-incident.ts';
import { html, type VNode } from '../html.ts';
import { issueCell } from './backlog.ts';
import { incidentMarks, severityBadge } from './register.ts';

/** A timeline cursor as the address carries it: `2026-11-24T14:05:00.000Z_<entry id>`. */
export function cursorParam(c: TimelineCursor): string {
  return `${c.occurredAt.toISOString()}_${c.id}`;
}

const yesNo = (b: boolean) => (b ? 'Yes' : 'No');

function summary(r: IncidentRecord, zone: string, people: People): VNode {
  const i = r.incident;
  const when = (d: Date | null) => (d ? formatInZone(d, zone) : '—');
  return html`<dl class="facts">
    <dt>Severity</dt>
    <dd>${severityBadge(i.severity)}</dd>
    <dt>Status</dt>
    <dd>${STATUS_LABELS[i.status]}</dd>
    <dt>Service</dt>
    <dd>${i.affectedService ?? '—'}</dd>
    <dt>Owning team</dt>
    <dd>${i.serviceOwner ?? '—'}</dd>
    <dt>Private</dt>
    <dd>${yesNo(i.isPrivate)}</dd>
    <dt>Near miss</dt>
    <dd>${yesNo(i.nearMiss)}</dd>
    <dt>Exercise (drill)</dt>
    <dd>${i.drill ? 'Yes: an exercise, no real impact; left out of metrics and on-call load' : 'No'}</dd>
    <dt>Clinical impact</dt>
    <dd>${yesNo(i.clinicalImpact)}</dd>
    <dt>Personal-data breach</dt>
    <dd>
      ${
        i.dataBreach
          ? `Yes; ${i.breachNotifiedAt ? `regulator notified ${when(i.breachNotifiedAt)}` : 'regulator not yet notified'}`
          : 'No'
      }
    </dd>
    <dt>Declared</dt>
    <dd>${when(r.declaredAt)} by ${people(i.declaredBy)}</dd>
    <dt>Resolved</dt>
    <dd>${when(i.resolvedAt)}</dd>
    <dt>Closed</dt>
    <dd>${when(i.closedAt)}</dd>
    <dt>Time to acknowledge</dt>
    <dd>${formatDuration(r.durations.toAcknowledgeMs)}</dd>
    <dt>Time to mitigate</dt>
    <dd>${formatDuration(r.durations.toMitigateMs)}</dd>
    <dt>Time to resolve</dt>
    <dd>${formatDuration(r.durations.toResolveMs)}</dd>
  </dl>
  ${i.description ? html`<p>${i.description}</p>` : null}`;
}

function roles(r: IncidentRecord, people: People): VNode {
  return html`<h2>Roles</h2>
    <dl class="facts">
      ${ROLES.map((role) => html`<dt>${ROLE_LABELS[role]}</dt><dd>${people(r.incident.roles[role])}</dd>`)}
    </dl>`;
}

function timeline(r: IncidentRecord, zone: string, self: string, people: People): VNode {
  const t = r.timeline;
  const pager = html`<nav class="pager" aria-label="Timeline pages">
    ${t.older ? html`<a href=${`${self}?before=${encodeURIComponent(cursorParam(t.older))}`}>Older</a>` : null}
    ${t.newer ? html`<a href=${`${self}?after=${encodeURIComponent(cursorParam(t.newer))}`}>Newer</a>` : null}
    ${t.newer ? html`<a href=${self}>Latest</a>` : null}
  </nav>`;
  return html`<h2 id="timeline">Timeline</h2>
    <p class="muted">${`${t.total.toLocaleString('en-GB')} ${t.total === 1 ? 'entry' : 'entries'}; ${t.entries.length} shown, times in ${zone}.`}</p>
    ${pager}
    <table>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">What</th>
          <th scope="col">Who</th>
          <th scope="col">Entry</th>
        </tr>
      </thead>
      <tbody>
        ${t.entries.map(
          (e) => html`<tr>
            <td>${formatInZone(e.occurredAt, zone)}</td>
            <td>${e.kind.replaceAll('_', ' ')}</td>
            <td>${e.actorId ? people(e.actorId) : ''}</td>
            <td>
              ${e.deletedAt ? html`<span class="muted">(deleted)</span> ` : null}${e.text}
              ${e.permalink ? html` <a href=${e.permalink}>message</a>` : null}
            </td>
          </tr>`,
        )}
      </tbody>
    </table>
    ${pager}`;
}

function review(r: IncidentRecord, zone: string, people: People): VNode {
  if (!r.review) return html`<h2>Review</h2><p class="muted">No review has been written yet.</p>`;
  const { input } = r.review;
  const part = (label: string, text: string | undefined | null) =>
    text ? html`<dt>${label}</dt><dd>${text}</dd>` : null;
  return html`<h2>Review</h2>
    <p class="muted">Last changed ${formatInZone(r.review.updatedAt, zone)}${r.review.updatedBy ? ` by ${people(r.review.updatedBy)}` : ''}.</p>
    <dl class="facts">
      ${part('Users affected', input.impact?.usersAffected)} ${part('Clinical impact', input.impact?.clinicalImpact)}
      ${part('Data impact', input.impact?.dataImpact)}
      ${part(
        'Detected by',
        input.detection
          ? `${DETECTION_LABELS[input.detection.how]}${input.detection.note ? `: ${input.detection.note}` : ''}`
          : null,
      )}
      ${(input.contributingFactors ?? []).map((f) =>
        part('Contributing factor', `${CONTRIBUTING_FACTOR_LABELS[f.factor]}${f.detail ? `: ${f.detail}` : ''}`),
      )}
      ${part('Other factors', input.otherFactors)} ${part('What went well', input.wentWell)}
      ${part('What was hard', input.wasHard)}
    </dl>`;
}

/** The clinical safety record: hazards with their ratings before and after, and the sign-offs. */
function clinicalSafety(r: IncidentRecord, zone: string, people: People): VNode | null {
  const c = r.clinical;
  if (!c) return null;
  const cell = (a: RiskAssessment | null) =>
    a ? `${labelOf(a.likelihood)} × ${labelOf(a.severity)} = ${ratingOf(a)}` : 'Not assessed';
  const inForce = currentSignoff(c);
  return html`<h2>Clinical safety</h2>
    <p>
      ${
        inForce
          ? `Signed off by ${people(inForce.signedBy)} at ${formatInZone(inForce.signedAt, zone)}${inForce.note ? `: ${inForce.note}` : '.'}`
          : r.incident.clinicalImpact
            ? 'Not signed off by the clinical safety officer.'
            : 'No sign-off (no clinical impact).'
      }
    </p>
    ${
      c.hazards.length
        ? html`<table>
          <thead>
            <tr>
              <th scope="col">Hazard</th>
              <th scope="col">Title</th>
              <th scope="col">Before</th>
              <th scope="col">After</th>
            </tr>
          </thead>
          <tbody>
            ${c.hazards.map(
              (h) =>
                html`<tr>
                  <td>${h.hazardId}</td>
                  <td>${h.title}</td>
                  <td>${cell(h.before)}</td>
                  <td>${cell(h.after)}</td>
                </tr>`,
            )}
          </tbody>
        </table>`
        : html`<p class="muted">No hazard-log entries linked.</p>`
    }
    ${c.signoffs
      .filter((s) => s.voidedAt)
      .map(
        (s) =>
          html`<p class="muted">
            Sign-off by ${people(s.signedBy)} at ${formatInZone(s.signedAt, zone)} void at
            ${formatInZone(s.voidedAt!, zone)}${s.voidReason ? ` (${VOID_REASON_TEXT[s.voidReason]})` : ''}.
          </p>`,
      )}`;
}

function actionItems(r: IncidentRecord, people: People): VNode {
  if (r.actionItems.length === 0) return html`<h2>Action items</h2><p class="muted">None.</p>`;
  return html`<h2>Action items</h2>
    <table>
      <thead>
        <tr>
          <th scope="col">Item</th>
          <th scope="col">What</th>
          <th scope="col">Owner</th>
          <th scope="col">Due</th>
          <th scope="col">Priority</th>
          <th scope="col">Status</th>
          <th scope="col">Tracker</th>
        </tr>
      </thead>
      <tbody>
        ${r.actionItems.map(
          (a) => html`<tr>
            <td>${actionRef(a)}</td>
            <td>${a.text}</td>
            <td>${people(a.ownerId)}</td>
            <td>${a.due ?? '—'}</td>
            <td>${a.priority}</td>
            <td>${a.status === 'done' ? 'Done' : 'Open'}</td>
            <td>
              ${a.tracker ? issueCell(a) : '—'}
            </td>
          </tr>`,
        )}
      </tbody>
    </table>`;
}

/** What is wrong with an audit trail (none: intact), as a paragraph and a list. */
export function auditFindings(entries: number, problems: readonly string[]): VNode {
  return problems.length === 0
    ? html`<p class="ok">Intact: ${entries.toLocaleString('en-GB')} entries, every link and the record agree.</p>`
    : html`<p class="bad">Not intact: ${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}.</p>
        <ul class="problems">
          ${problems.slice(0, 50).map((p) => html`<li>${p}</li>`)}
        </ul>
        ${problems.length > 50 ? html`<p class="muted">and ${problems.length - 50} more.</p>` : null}`;
}

function audit(r: IncidentRecord, self: string): VNode {
  return html`<h2>Audit trail</h2>
    ${
      r.audit.problems
        ? auditFindings(r.audit.entries, r.audit.problems)
        : html`<p>
            ${r.audit.entries.toLocaleString('en-GB')} entries: too many to check with this page.
            <a href=${`${self}/audit`}>Check the audit trail</a> (it reads the whole trail: a few seconds).
          </p>`
    }`;
}

/** The audit check's own page: the whole trail of one incident checked. */
export function auditView(a: {
  incident: { number: number; title: string };
  entries: number;
  problems: string[];
}): VNode {
  const ref = incidentRef(a.incident);
  return html`<p><a href=${`/web/incidents/${ref}`}>Back to ${ref}</a></p>
    <h1>${ref}: the audit trail</h1>
    <p class="muted">${a.incident.title}</p>
    ${auditFindings(a.entries, a.problems)}`;
}

/** The incident page: summary, roles, one page of the timeline, the review, action items and the audit chain. */
export function incidentView(r: IncidentRecord, zone: string, people: People): VNode {
  const ref = incidentRef(r.incident);
  const self = `/web/incidents/${ref}`;
  return html`<p><a href="/web/incidents">All incidents</a></p>
    <h1>${ref}: ${r.incident.title} ${incidentMarks(r.incident)}</h1>
    <p class="muted">Times in ${zone}.</p>
    ${summary(r, zone, people)} ${roles(r, people)} ${timeline(r, zone, self, people)} ${review(r, zone, people)}
    ${clinicalSafety(r, zone, people)}
    ${actionItems(r, people)} ${audit(r, self)}`;
}
