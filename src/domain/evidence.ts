import { actionRef, type ActionItem } from './action-items.ts';
import { breachReviewLines, type BreachReviewSection } from './breach-review.ts';
import type { AuditRecord } from './audit-chain.ts';
import { ROLE_LABELS, incidentRef, type Incident, type RoleName } from './incident.ts';
import { cell } from './review-markdown.ts';
import { severityText } from './severity.ts';
import { formatInZone } from './time.ts';

/**
 * The evidence pack of one incident: its record (the incident, roles, timeline, PagerDuty links,
 * review input, action items) and its audit trail with the verification of its hash chain and of
 * the records against the state the trail implies, as of `generatedAt`. What `/incident evidence`
 * exports, as JSON and as Markdown. Deterministic: the same record gives the same pack.
 */
export const EVIDENCE_FORMAT = 'incident-evidence/1';

export interface EvidenceTimelineEntry {
  occurredAt: Date;
  kind: string;
  actorId: string | null;
  text: string;
  permalink: string | null;
  editedAt: Date | null;
  deletedAt: Date | null;
}

export interface EvidenceInput {
  incident: Incident;
  timeline: readonly EvidenceTimelineEntry[];
  pagerDuty: readonly {
    pagerDutyIncidentId: string;
    htmlUrl: string | null;
    title: string;
    origin: string;
    status: string;
  }[];
  review: { input: Record<string, unknown>; updatedBy: string | null; updatedAt: Date } | null;
  actionItems: readonly ActionItem[];
  audit: readonly AuditRecord[];
  /** Problems the verification found, in the chain or in the records against the trail; empty: intact. */
  auditProblems: readonly string[];
  generatedAt: Date;
  generatedBy: string;
  /** A personal data breach's assessment (the decision and its reason) and its obligations with the notifications made. */
  breach?: BreachReviewSection | null;
}

/**
 * Columns of the audit rows that are working state, not evidence: a Slack response URL is a
 * short-lived credential for replying to someone, and is never exported.
 */
const WITHHELD_COLUMNS = new Set(['response_url']);

function withheld(row: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!row) return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = WITHHELD_COLUMNS.has(k) && v !== null ? '[withheld]' : v;
  return out;
}

export function buildEvidence(input: EvidenceInput) {
  const i = input.incident;
  return {
    format: EVIDENCE_FORMAT,
    generatedAt: input.generatedAt,
    generatedBy: input.generatedBy,
    incident: {
      id: i.id,
      number: i.number,
      title: i.title,
      description: i.description,
      affectedService: i.affectedService,
      severity: i.severity,
      status: i.status,
      isPrivate: i.isPrivate,
      clinicalImpact: i.clinicalImpact,
      nearMiss: i.nearMiss,
      dataBreach: i.dataBreach,
      breachAwareAt: i.breachAwareAt,
      breachNotifiedAt: i.breachNotifiedAt,
      breachNotifiedBy: i.breachNotifiedBy,
      declaredBy: i.declaredBy,
      channelId: i.channelId,
      channelName: i.channelName,
      declaredAt: i.createdAt,
      resolvedAt: i.resolvedAt,
      closedAt: i.closedAt,
      roles: (Object.keys(ROLE_LABELS) as RoleName[])
        .filter((r) => i.roles[r])
        .map((role) => ({ role, userId: i.roles[role]! })),
    },
    timeline: input.timeline.map((e) => ({
      occurredAt: e.occurredAt,
      kind: e.kind,
      actorId: e.actorId,
      text: e.text,
      permalink: e.permalink,
      editedAt: e.editedAt,
      deletedAt: e.deletedAt,
    })),
    pagerDuty: input.pagerDuty.map((l) => ({ ...l })),
    breach: input.breach ?? null,
    review: input.review ? { ...input.review, input: { ...input.review.input } } : null,
    actionItems: input.actionItems.map((a) => ({
      ref: actionRef(a),
      text: a.text,
      ownerId: a.ownerId,
      team: a.team,
      due: a.due,
      category: a.category,
      priority: a.priority,
      status: a.status,
      createdBy: a.createdBy,
      createdAt: a.createdAt,
      completedBy: a.completedBy,
      completedAt: a.completedAt,
    })),
    auditTrail: {
      intact: input.auditProblems.length === 0,
      problems: [...input.auditProblems],
      entries: input.audit.map((e) => ({ ...e, before: withheld(e.before), after: withheld(e.after) })),
    },
  };
}

export type Evidence = ReturnType<typeof buildEvidence>;

/** The pack as JSON: times in UTC (ISO 8601), as stored. */
export function evidenceToJson(e: Evidence): string {
  return `${JSON.stringify(e, null, 2)}\n`;
}

const who = (id: string | null) => (id ? id : '—');

/** A value from an audit row, short enough for a table cell. */
function shortValue(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

/** What an audit entry changed, in a line: `severity: SEV2 → SEV1`, or the row made or removed. */
function changeSummary(e: Evidence['auditTrail']['entries'][number]): string {
  if (e.before && e.after) {
    return (
      Object.keys(e.after)
        .filter((k) => k !== 'updated_at')
        .map((k) => `${k}: ${shortValue(e.before![k])} → ${shortValue(e.after![k])}`)
        .join('; ') || 'updated_at only'
    );
  }
  const row = e.after ?? e.before ?? {};
  const label =
    typeof row.text === 'string'
      ? row.text
      : typeof row.title === 'string'
        ? row.title
        : typeof row.user_id === 'string'
          ? `${row.role ?? ''} ${row.user_id}`.trim()
          : '';
  return `${e.after ? 'created' : 'deleted'}${label ? `: ${shortValue(label)}` : ''}`;
}

/** The pack as a Markdown document (GitHub-flavoured tables), times in `timeZone`. Deterministic. */
export function evidenceToMarkdown(e: Evidence, timeZone: string): string {
  const t = (d: Date | null) => (d ? `${formatInZone(d, timeZone)} (${d.toISOString()})` : '—');
  const i = e.incident;
  const out: string[] = [];
  out.push(`# Evidence: ${incidentRef(i)} ${i.title}`, '');
  out.push(
    `Generated ${t(e.generatedAt)} for ${e.generatedBy}. Format \`${e.format}\`; times are stored in UTC and shown in ${timeZone}.`,
    '',
  );
  out.push(
    e.auditTrail.intact
      ? `**Audit trail: intact** (${e.auditTrail.entries.length} entries, hash chain verified, records match the trail).`
      : `**Audit trail: NOT intact** (${e.auditTrail.entries.length} entries):\n${e.auditTrail.problems.map((p) => `- ${p}`).join('\n')}`,
    '',
  );
  out.push('## Record', '', '| Field | Value |', '| --- | --- |');
  const rows: [string, string][] = [
    ['Incident', `${incidentRef(i)} (${i.id})`],
    ['Title', i.title],
    ['Description', i.description],
    ['Affected service', i.affectedService ?? '—'],
    ['Severity', severityText(i.severity)],
    ['Status', i.status.toLowerCase()],
    ['Private', i.isPrivate ? 'yes' : 'no'],
    ['Clinical impact', i.clinicalImpact ? 'yes' : 'no'],
    ['Near miss', i.nearMiss ? 'yes' : 'no'],
    [
      'Data breach',
      i.dataBreach
        ? `yes (aware ${t(i.breachAwareAt)}; regulator notified ${i.breachNotifiedAt ? `${t(i.breachNotifiedAt)} by ${who(i.breachNotifiedBy)}` : 'not yet'})`
        : 'no',
    ],
    ['Declared', `${t(i.declaredAt)} by ${i.declaredBy}`],
    ['Resolved', t(i.resolvedAt)],
    ['Closed', t(i.closedAt)],
    ['Channel', i.channelName ? `#${i.channelName} (${i.channelId})` : '—'],
    ['Roles', i.roles.length ? i.roles.map((r) => `${ROLE_LABELS[r.role as RoleName]}: ${r.userId}`).join(', ') : '—'],
  ];
  for (const [k, v] of rows) out.push(`| ${k} | ${cell(v)} |`);
  out.push('', `## Timeline (${e.timeline.length})`, '', '| When | Who | What | Entry |', '| --- | --- | --- | --- |');
  for (const x of e.timeline) {
    const marks = [x.editedAt ? `edited ${t(x.editedAt)}` : '', x.deletedAt ? `message deleted ${t(x.deletedAt)}` : '']
      .filter(Boolean)
      .join('; ');
    out.push(
      `| ${cell(t(x.occurredAt))} | ${cell(who(x.actorId))} | ${cell(x.kind)} | ${cell(x.text + (marks ? ` (${marks})` : ''))} |`,
    );
  }
  if (e.breach) out.push('', ...breachReviewLines(e.breach, cell));
  if (e.pagerDuty.length) {
    out.push('', '## PagerDuty', '', '| Incident | Origin | Status | Title |', '| --- | --- | --- | --- |');
    for (const l of e.pagerDuty)
      out.push(`| ${cell(l.htmlUrl ?? l.pagerDutyIncidentId)} | ${l.origin} | ${l.status} | ${cell(l.title)} |`);
  }
  out.push('', '## Review', '');
  out.push(
    e.review
      ? `Last saved ${t(e.review.updatedAt)} by ${who(e.review.updatedBy)}:\n\n\`\`\`json\n${JSON.stringify(e.review.input, null, 2)}\n\`\`\``
      : 'No review input saved.',
  );
  out.push('', `## Action items (${e.actionItems.length})`, '');
  if (e.actionItems.length) {
    out.push(
      '| Item | Status | Owner | Due | Category | Priority | Text |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const a of e.actionItems) {
      out.push(
        `| ${a.ref} | ${a.status}${a.completedAt ? ` ${t(a.completedAt)}` : ''} | ${who(a.ownerId)} | ${a.due ?? '—'} | ${a.category} | ${a.priority} | ${cell(a.text)} |`,
      );
    }
  }
  out.push('', `## Audit trail (${e.auditTrail.entries.length})`, '');
  out.push(
    "Every change to the incident's records, written in the same transaction as the change. `hash` = sha256(previous hash + entry); `npm run audit:verify` checks it.",
    '',
  );
  out.push('| # | When (UTC) | Who | Via | Action | Change | Hash |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const a of e.auditTrail.entries) {
    // A session that was not the bot's role is its role (db:<role>); what it claimed is shown as a claim.
    const actor = a.claimedActor ? `${a.actor} (claimed ${a.claimedActor})` : a.actor;
    out.push(
      `| ${a.seq} | ${a.at.toISOString()} | ${cell(actor)} | ${cell(a.via)} | ${a.action} | ${cell(changeSummary(a))} | \`${a.hash.slice(0, 12)}\` |`,
    );
  }
  return `${out.join('\n')}\n`;
}
