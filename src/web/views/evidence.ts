import type { People } from '../people.ts';
import type { EvidenceDownload } from '../../domain/evidence-pack.ts';
import { formatInZone } from '../../domain/time.ts';
import type { Viewer } from '../context.ts';
import { html } from '../html.ts';
import { layout } from './layout.ts';

/** What a pack holds, as the page lists it before the download. */
const CONTENTS = [
  ['README.md', 'what is in the pack, the period, who generated it and when, and the verification result'],
  ['register.csv, .json, .md', 'every incident declared in the period, its numbering shown complete'],
  ['reviews/INC-n.md, .json', 'each post-incident review as saved'],
  [
    'roles-and-approvals.csv',
    'role holders and who assigned them, regulator notifications, clinical impact, freeze overrides',
  ],
  ['action-items.csv, .json', 'status, due date, completed when and by whom, on time or not, tracker link'],
  [
    'audit-verification.json, .md',
    "each incident's audit chain (and the evidence downloads' own) intact or its problems, with the signed checkpoints of the period when a folder keeps them",
  ],
  ['manifest.json', 'the SHA-256 of every file'],
] as const;

/** The evidence page: the period form, what the pack contains, and the recent downloads (the trail auditors see). */
export function evidencePage(opts: {
  viewer: Viewer;
  fromDate: string;
  toDate: string;
  downloads: readonly EvidenceDownload[];
  /** Who downloaded each, by name. */
  people: People;
}): string {
  const { viewer } = opts;
  const tz = viewer.timeZone;
  return layout({
    title: 'Evidence pack',
    viewer,
    section: 'evidence',
    body: html`<h1>Evidence pack</h1>
      <p>
        A ZIP for auditors (SOC 2 CC7.3–CC7.5, ISO 27001 A.5.24–A.5.28, NHS DSPT) of the incidents declared in a period.
        Text that could be personal or patient data is redacted, as in every export. Private incidents whose channel you
        are not in are listed as their reference only. Each download is recorded in the audit trail (who, when, which
        period, the ZIP's SHA-256) before it is sent.
      </p>
      <form class="filters" method="post" action="/web/evidence">
        <input type="hidden" name="csrf" value=${viewer.csrfToken} />
        <label>From <input type="date" name="from" value=${opts.fromDate} required /></label>
        <label>To <input type="date" name="to" value=${opts.toDate} required /></label>
        <button type="submit">Download the evidence pack</button>
      </form>
      <p class="muted">Dates are in your time zone (${tz}), both included.</p>
      <h2>What the pack contains</h2>
      <dl class="facts">
        ${CONTENTS.map(([file, what]) => html`<dt>${file}</dt><dd>${what}</dd>`)}
      </dl>
      <h2>Recent downloads</h2>
      ${
        opts.downloads.length
          ? html`<table>
              <caption>The newest ${opts.downloads.length} evidence packs downloaded</caption>
              <thead>
                <tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Period</th><th scope="col" class="num">Incidents</th><th scope="col">ZIP SHA-256</th></tr>
              </thead>
              <tbody>
                ${opts.downloads.map(
                  (d) =>
                    html`<tr>
                      <td>${formatInZone(d.downloadedAt, tz)}</td>
                      <td>${opts.people(d.downloadedBy)}</td>
                      <td>${d.period.fromDate} to ${d.period.toDate} (${d.period.timeZone})</td>
                      <td class="num">${d.incidents}${d.withheld ? ` (${d.withheld} withheld)` : ''}</td>
                      <td><code>${d.zipSha256.slice(0, 16)}…</code></td>
                    </tr>`,
                )}
              </tbody>
            </table>`
          : html`<p class="muted">No evidence pack has been downloaded yet.</p>`
      }`,
  });
}
