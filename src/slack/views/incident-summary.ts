import { ROLES, ROLE_LABELS, STATUS_LABELS, incidentRef, type Incident } from '../../domain/incident.ts';
import { SEVERITY_INFO, severityText } from '../../domain/severity.ts';
import { clip, escapeMrkdwn, slackDate } from './format.ts';

export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

function flags(i: Incident): string[] {
  const out: string[] = [];
  if (i.isPrivate) out.push(':lock: Private incident');
  if (i.clinicalImpact) out.push(':hospital: Clinical impact');
  return out;
}

/** The pinned summary at the top of an incident channel. */
export function incidentSummary(i: Incident, timeZone = 'UTC'): SlackMessage {
  const ref = incidentRef(i);
  const roleLines = ROLES.map((r) => {
    const who = i.roles[r];
    const fallback = r === 'COMMANDER' ? `_unassigned: <@${i.declaredBy}> (declarer) acts until one is set_` : '_unassigned_';
    return `*${ROLE_LABELS[r]}:* ${who ? `<@${who}>` : fallback}`;
  });
  const fields = [
    `*Severity*\n${SEVERITY_INFO[i.severity].emoji} ${severityText(i.severity)}`,
    `*Status*\n${STATUS_LABELS[i.status]}`,
    `*Declared by*\n<@${i.declaredBy}>`,
    `*Declared*\n${slackDate(i.createdAt, timeZone)}`,
  ];
  if (i.affectedService) fields.push(`*Affected service*\n${escapeMrkdwn(i.affectedService)}`);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`${ref}: ${i.title}`, 150), emoji: true } },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
  ];
  if (i.description) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(escapeMrkdwn(i.description), 3000) } });
  }
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: roleLines.join('\n') } });
  const f = flags(i);
  if (f.length) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: f.join('  ·  ') }] });
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `Incident id \`${i.id}\` · times show in your own time zone · \`/incident help\` for commands` }],
  });
  return {
    text: `${ref} ${i.severity} ${STATUS_LABELS[i.status]}: ${escapeMrkdwn(i.title)}`,
    blocks,
  };
}
