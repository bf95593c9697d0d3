import { ROLE_LABELS } from './incident.ts';
import { breachReviewLines } from './breach-review.ts';
import { severityText } from './severity.ts';
import { KEY_TIME_LABELS, type KeyTimes, type PostIncidentReview } from './review.ts';
import { TRACKER_NAMES, type ActionItemTracker } from './trackers.ts';
import type { ClinicalSafetySection } from './clinical-safety.ts';

const TBC = '_To be completed_';

/**
 * A table cell: pipes escaped, `<` as an entity (a title's `<img src=…>` never becomes markup where
 * a Markdown viewer renders HTML; a lone `>` or `&` cannot start any), line breaks kept as <br>,
 * never empty.
 */
export function cell(s: string | null | undefined): string {
  const t = (s ?? '').trim();
  if (!t) return '—';
  return t.replace(/</g, '&lt;').replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** Text from outside shown as it is: no HTML, links or mentions (`<`, `>`, `&` as entities; `@` kept). */
export function plain(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[*_~`[\]]/g, (m) => `\\${m}`);
}

/** Free text as a block: kept as written, or "To be completed". */
function block(s: string | null): string {
  return s?.trim() ? s.trim() : TBC;
}

/** Text inside a list item: continuation lines indented so the list holds together. */
function inline(s: string): string {
  return s.trim().replace(/\r?\n/g, '\n  ');
}

const yesNo = (b: boolean) => (b ? 'Yes' : 'No');

/**
 * An action item's tracker issue in a table cell: linked, its key as a link to the issue
 * (`[OPS-12](https://…)`; the key alone when the URL is not http(s)); being created, "Jira issue
 * being created". Null when the item lives in Slack only.
 */
export function trackerMarkdown(t: ActionItemTracker | null | undefined): string | null {
  if (!t) return null;
  const name = TRACKER_NAMES[t.tracker] ?? plain(String(t.tracker));
  if (t.state !== 'linked') return `${name} issue being created`;
  const key = t.key?.trim()
    ? plain(t.key.replace(/\s+/g, ' ').trim().replace(/\\/g, '\\\\')).replace(/\|/g, '\\|')
    : `${name} issue`;
  return t.url && t.url.length <= 1000 && /^https?:\/\/[^\s<>()|\\]+$/i.test(t.url) ? `[${key}](${t.url})` : key;
}

/** A breach's facts in a line: awareness, the regulator deadline, the notification. */
export function breachText(b: NonNullable<PostIncidentReview['header']['dataBreach']>): string {
  const aware = b.awareText ? `aware ${b.awareText}` : 'awareness time not recorded';
  const deadline = b.deadlineText ? `; regulator deadline ${b.deadlineText}` : '';
  const notified = b.notifiedText
    ? `; regulator notified ${b.notifiedText}${b.notifiedBy ? ` by ${b.notifiedBy}` : ''}${b.late ? ' (after the deadline)' : ''}`
    : '; regulator not yet notified';
  return `Yes: ${aware}${deadline}${notified}`;
}

/** ` · [OPS-12](url)` after an item's state, or nothing. */
function trackerSuffix(t: ActionItemTracker | null | undefined): string {
  const md = trackerMarkdown(t);
  return md ? ` · ${md}` : '';
}

/** Timeline lines per chunk of reviewMarkdownChunks: about 40 KB of Markdown. */
export const REVIEW_CHUNK_LINES = 256;

/** The review as a complete Markdown document (GitHub-flavoured: tables), in one string. Deterministic. */
export function reviewToMarkdown(review: PostIncidentReview): string {
  let md = '';
  for (const chunk of reviewMarkdownChunks(review)) md += chunk;
  return md;
}

/**
 * The review as Markdown, chunk by chunk (the header and sections, then the timeline a few hundred
 * lines at a time, then the rest): written out as they come, a 20,000-entry review is never one
 * string, and whoever writes it can let other work run between chunks. The chunks joined are
 * reviewToMarkdown's document exactly.
 */
export function* reviewMarkdownChunks(
  review: PostIncidentReview,
  linesPerChunk = REVIEW_CHUNK_LINES,
): Generator<string> {
  // The document is its lines joined by line breaks, with the blank lines at its end made one line break.
  let chunk = '';
  let lines = 0;
  let owed = 0;
  let first = true;
  const out = {
    push(...add: string[]) {
      for (const line of add) {
        if (!first) owed++;
        first = false;
        if (line === '') continue;
        chunk += `${'\n'.repeat(owed)}${line}`;
        owed = 0;
        lines++;
      }
    },
  };
  const para = (...lines: string[]) => out.push(...lines, '');
  /** The chunk so far, when it holds `min` lines or more. */
  function* flush(min = 0): Generator<string> {
    if (chunk && lines >= min) {
      yield chunk;
      chunk = '';
      lines = 0;
    }
  }
  const h = review.header;

  para(
    `# ${h.drill ? 'Exercise: ' : ''}${h.ref}: ${inline(h.title)} — ${h.drill ? 'Exercise review' : 'Post-incident review'}`,
  );
  if (h.drill)
    para('> **Exercise (drill)**: no real impact. Left out of metrics and on-call load; kept as an exercise record.');
  if (h.nearMiss) para('> **Near miss**: no harm reached users.');
  if (h.description.trim()) para(h.description.trim());

  // Header
  para('## Summary');
  para(
    '| Field | Value |',
    '| --- | --- |',
    `| Reference | ${cell(h.ref)} |`,
    `| Severity | ${cell(severityText(h.severity))} |`,
    `| Status | ${cell(h.statusLabel)} |`,
    `| Affected service | ${cell(h.affectedService)} |`,
    `| Declared by | ${cell(h.declaredBy)} |`,
    `| Private | ${yesNo(h.isPrivate)} |`,
    `| Clinical impact | ${yesNo(h.clinicalImpact)} |`,
    `| Near miss | ${yesNo(h.nearMiss)} |`,
    `| Exercise (drill) | ${yesNo(h.drill)} |`,
    `| Personal data breach | ${h.dataBreach ? cell(breachText(h.dataBreach)) : 'No'} |`,
    ...h.roles.map((r) => `| ${cell(ROLE_LABELS[r.role])} | ${r.userId ? cell(r.userId) : '_Unassigned_'} |`),
  );

  para('### Severity history');
  para(
    ...h.severityHistory.map((s) =>
      s.from === null
        ? `- **${s.atText}** — declared as ${severityText(s.severity)}${s.actorId ? ` by ${s.actorId}` : ''}`
        : `- **${s.atText}** — ${s.from} → ${s.severity}${s.actorId ? ` by ${s.actorId}` : ''}${s.reason ? `: ${inline(s.reason)}` : ''}`,
    ),
  );

  // Impact
  para('## Impact');
  if (review.impact) {
    para(
      '| Impact | Description |',
      '| --- | --- |',
      `| Users affected | ${review.impact.usersAffected ? cell(review.impact.usersAffected) : TBC} |`,
      `| Clinical / patient impact | ${cell(review.impact.clinicalImpact)} |`,
      `| Data impact | ${cell(review.impact.dataImpact)} |`,
    );
  } else para(TBC);

  if (review.clinicalSafety) para(...clinicalSafetyLines(review.clinicalSafety));
  if (review.breach) para(...breachReviewLines(review.breach, cell));

  // Key times and durations
  para(`## Key times (${h.timeZone})`);
  para(
    '| Milestone | Time | UTC |',
    '| --- | --- | --- |',
    ...(Object.keys(KEY_TIME_LABELS) as (keyof KeyTimes)[]).map(
      (k) => `| ${KEY_TIME_LABELS[k]} | ${cell(review.keyTimesText[k])} | ${cell(review.keyTimes[k])} |`,
    ),
  );
  const d = review.durations;
  para(
    '| Duration | Value |',
    '| --- | --- |',
    `| Time to acknowledge | ${cell(d.toAcknowledge.text)} |`,
    `| Time to mitigate | ${cell(d.toMitigate.text)} |`,
    `| Time to resolve | ${cell(d.toResolve.text)} |`,
    `| Time to close | ${cell(d.toClose.text)} |`,
  );

  // What changed before it was declared
  para(`## What changed (${review.whatChanged.hours} hours before it was declared)`);
  const wc = review.whatChanged;
  if (!h.affectedService?.trim()) para('_No affected service was given, so no changes are listed._');
  else if (wc.changes.length === 0) para(`_No change to ${inline(h.affectedService)} or its system was recorded._`);
  else {
    para(
      '| Time | Service | Change | By | Approved by | Link |',
      '| --- | --- | --- | --- | --- | --- |',
      ...wc.changes.map((c) => {
        const service = c.serviceKnown ? cell(c.service) : `${cell(c.service)} _(unknown service)_`;
        const what = [
          c.flagged ? '**Flagged: during a change freeze.**' : '',
          `${c.kind}${c.version ? ` ${c.version}` : ''}${c.environment ? ` to ${c.environment}` : ''}:`,
          c.summary,
        ]
          .filter(Boolean)
          .join(' ');
        // Names from pipelines are plain text: no markup, no mention (`<@U0CEO123>`) passes.
        const approvers = c.approvers.length ? cell(plain(c.approvers.join(', '))) : '_no approver recorded_';
        const link = c.url && /^https?:\/\/[^\s<>()|]+$/.test(c.url) ? `[link](${c.url})` : '—';
        return `| ${cell(c.atText)} | ${service} | ${cell(what)} | ${cell(c.author === null ? null : plain(c.author))} | ${approvers} | ${link} |`;
      }),
    );
    if (wc.more > 0) para(`_… and ${wc.more} more._`);
  }

  // Detection
  para('## Detection');
  const det = review.detection;
  para(
    `- **How**: ${det.howLabel ?? TBC}`,
    ...(det.note ? [`- **Note**: ${inline(det.note)}`] : []),
    `- **Time to acknowledge**: ${det.timeToAcknowledge.text}`,
  );

  // Contributing factors
  para('## Contributing factors');
  const cf = review.contributingFactors;
  if (cf) {
    if (cf.factors.length) para(...cf.factors.map((f) => `- **${f.label}**${f.detail ? `: ${inline(f.detail)}` : ''}`));
    if (cf.other) para('**Other factors**', '', cf.other.trim());
  } else para(TBC);

  para('## What went well');
  para(block(review.wentWell));
  para('## What was hard');
  para(block(review.wasHard));

  // Action items
  para('## Action items');
  if (review.actionItems === null) para(TBC);
  else if (review.actionItems.length === 0) para('_No action items._');
  else {
    para(
      '| # | Action | Owner | Due | Category | Priority | Status |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...review.actionItems.map(
        (a, i) =>
          `| ${a.ref ? cell(a.ref) : i + 1} | ${cell(a.text)} | ${a.ownerId ? cell(a.ownerId) : '_Unassigned_'} | ${cell(a.due)} | ${cell(a.categoryLabel)} | ${cell(a.priority)} | ${a.status === 'done' ? 'Done' : 'Open'}${trackerSuffix(a.tracker)} |`,
      ),
    );
  }

  // Timeline
  para('## Timeline');
  yield* flush();
  if (review.timeline.length === 0) para('_Nothing on the timeline._');
  else {
    for (const e of review.timeline) {
      const parts = [`- **${e.atText}**`, `\`${e.kind}\``];
      if (e.actorId) parts.push(e.actorId);
      const body = e.text.trim() ? (e.deleted ? `~~${inline(e.text)}~~` : inline(e.text)) : '_(no text)_';
      let line = `${parts.join(' · ')} — ${body}`;
      if (e.deleted) line += ' _(deleted)_';
      else if (e.edited) line += ' _(edited)_';
      if (e.permalink && /^https:\/\/[^\s<>()]+$/.test(e.permalink)) line += ` ([message](${e.permalink}))`;
      out.push(line);
      yield* flush(linesPerChunk);
    }
    out.push('');
  }

  if (review.missing.length) {
    para('---');
    para(`_Still to be completed: ${review.missing.join(', ')}._`);
  }
  if (owed > 0) chunk += '\n';
  yield* flush();
}

/** The review's clinical safety section as Markdown lines: its hazards, their ratings before and after, the sign-off. */
function clinicalSafetyLines(s: ClinicalSafetySection, heading = '##'): string[] {
  const lines = [`${heading} Clinical safety (DCB0129 / DCB0160)`, ''];
  lines.push(
    `- **Clinical impact**: ${yesNo(s.clinicalImpact)}`,
    `- **Clinical safety officer**: ${s.clinicalSafetyOfficer ? cell(s.clinicalSafetyOfficer) : '_Unassigned_'}`,
    `- **Sign-off**: ${
      s.signoff
        ? `signed off by ${cell(s.signoff.by)} at ${s.signoff.atText} (${s.signoff.at})${s.signoff.note ? ` — ${cell(s.signoff.note)}` : ''}`
        : s.clinicalImpact
          ? '**not signed off**'
          : '_none (no clinical impact)_'
    }`,
    '',
  );
  if (s.hazards.length === 0) lines.push('_No hazard-log entries linked._');
  else
    lines.push(
      '| Hazard | Title | Before (likelihood × severity) | Rating before | After (likelihood × severity) | Rating after |',
      '| --- | --- | --- | --- | --- | --- |',
      ...s.hazards.map(
        (h) =>
          `| ${cell(h.hazardId)} | ${cell(h.title)} | ${h.before.likelihood} × ${h.before.severity} | ${h.before.rating} | ${h.after ? `${h.after.likelihood} × ${h.after.severity}` : '_Not assessed_'} | ${h.after ? h.after.rating : '—'} |`,
      ),
    );
  if (s.voided.length)
    lines.push(
      '',
      '**Sign-offs made void**',
      '',
      ...s.voided.map(
        (v) => `- ${cell(v.by)} at ${v.atText} (${v.at}), void at ${v.voidedText} (${v.voidedAt}): ${v.reason}`,
      ),
    );
  return lines;
}

/**
 * The clinical safety section alone, as a Markdown document for the clinical risk management file
 * (`npm run review -- INC-42 --clinical-safety`).
 */
export function clinicalSafetyToMarkdown(s: ClinicalSafetySection): string {
  const lines = [`# ${s.ref}: ${inline(s.title)} — Clinical safety`, '', ...clinicalSafetyLines(s)];
  return `${lines.join('\n')}\n`;
}
