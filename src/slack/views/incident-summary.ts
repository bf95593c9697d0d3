import type { ActionsBlock, ActionsBlockElement, Button, KnownBlock, PlainTextOption } from '@slack/types';
import {
  ROLES,
  ROLE_LABELS,
  STATUS_LABELS,
  SYSTEM_DECLARER,
  incidentRef,
  type Incident,
} from '../../domain/incident.ts';
import { allowedMoves, isActive } from '../../domain/lifecycle.ts';
import { SEVERITIES, SEVERITY_INFO, severityText } from '../../domain/severity.ts';
import { REVIEW_ACTIONS, SUMMARY_ACTIONS } from '../ids.ts';
import { breachClock, formatSpan } from '../../domain/breach.ts';
import { formatInZone } from '../../domain/time.ts';
import { EXERCISE_BANNER, EXERCISE_LABEL } from '../../domain/drill.ts';
import { breachObligationLines, showsIcoClock } from './breach-summary.ts';
import { serviceLabel, type CatalogLink, type CatalogService } from '../../domain/catalog.ts';
import { ALL_SERVICES, type ChangeEvent } from '../../domain/changes.ts';
import type { SummaryContext } from '../../ports/chat-platform.ts';
import { currentSignoff, ratingChangeText } from '../../domain/clinical-safety.ts';
import {
  clip,
  clipMrkdwn,
  fieldsSection,
  declarerText,
  escapeMrkdwn,
  header,
  mention,
  mrkdwnContext,
  mrkdwnSection,
  oneLine,
  slackDate,
} from './format.ts';

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** The breach clock's line: the deadline in the team's zone and the time left, overdue, or notified. */
export function breachLine(i: Incident, timeZone: string, now: Date): string | null {
  const clock = breachClock(i, now);
  if (!clock) return null;
  switch (clock.state) {
    case 'running':
      return `:closed_lock_with_key: *Data breach*: regulator notification due *${formatInZone(clock.deadline, timeZone)}* (in ${formatSpan(clock.leftMs)}) · aware since ${formatInZone(clock.awareAt, timeZone)} · record it with \`/incident breach notified [reference]\``;
    case 'overdue':
      return `:rotating_light: *Data breach*: regulator notification *overdue by ${formatSpan(clock.overdueMs)}* (due ${formatInZone(clock.deadline, timeZone)}) · record it with \`/incident breach notified [reference]\``;
    case 'notified':
      return `:white_check_mark: *Data breach*: regulator notified ${formatInZone(clock.notifiedAt, timeZone)}${clock.notifiedBy ? ` by ${mention(clock.notifiedBy)}` : ''}${clock.late ? ' (after the 72-hour deadline)' : ''}`;
  }
}

function flags(i: Incident, context: SummaryContext): string[] {
  const out: string[] = [];
  if (i.isPrivate) out.push(':lock: Private incident');
  if (i.clinicalImpact) out.push(':hospital: Clinical impact');
  if (i.clinicalImpact && !i.roles.CLINICAL_SAFETY) out.push(':warning: *Clinical safety officer required*');
  if (i.clinicalImpact) out.push(...clinicalFlags(context));
  if (i.freezeActive) out.push(':ice_cube: Change freeze in effect');
  out.push(...freezeFlags(context));
  return out;
}

/** How many linked hazards the summary names (the rest are counted). */
const SUMMARY_HAZARDS = 5;

/**
 * A clinical-impact incident's hazards with their risk before and after, and whether its clinical
 * safety officer has signed it off (resolving and closing need it).
 */
export function clinicalFlags(context: Pick<SummaryContext, 'clinical'>): string[] {
  const record = context.clinical;
  if (!record) return [];
  const out = record.hazards
    .slice(0, SUMMARY_HAZARDS)
    .map(
      (h) => `:clipboard: Hazard *${escapeMrkdwn(h.hazardId)}* ${oneLine(h.title, 80)}: risk ${ratingChangeText(h)}`,
    );
  if (record.hazards.length > SUMMARY_HAZARDS)
    out.push(`… and ${record.hazards.length - SUMMARY_HAZARDS} more hazards`);
  const signoff = currentSignoff(record);
  out.push(
    signoff
      ? `:white_check_mark: Clinical safety signed off by ${mention(signoff.signedBy)}`
      : ':warning: *Clinical safety sign-off required* before resolving: `/incident clinical signoff [note]`',
  );
  return out;
}

/**
 * The incident's own freezes (`/incident freeze on`) and overrides not used yet, beside the SEV1
 * freeze's line: `:ice_cube: Change freeze on ehr-api: Database failover`.
 */
export function freezeFlags(context: Pick<SummaryContext, 'freezes' | 'overrides'>): string[] {
  const scope = (s: string) => (s === ALL_SERVICES ? 'every service' : oneLine(s, 80));
  return [
    ...(context.freezes ?? []).map((f) => `:ice_cube: Change freeze on ${scope(f.scope)}: ${oneLine(f.reason, 150)}`),
    ...(context.overrides ?? []).map(
      (o) => `:unlock: Override not used yet: one deployment of ${scope(o.service)} may go through`,
    ),
  ];
}

const button = (text: string, action_id: string, extra: Partial<Button> = {}): Button => ({
  type: 'button',
  text: { type: 'plain_text', text },
  action_id,
  ...extra,
});

/** Buttons for what can be done next, and the severity menu (the same rules as the commands apply). */
function actions(i: Incident, context: Pick<SummaryContext, 'clinical'> = {}): ActionsBlock {
  const A = SUMMARY_ACTIONS;
  const elements: ActionsBlockElement[] = [];
  // Only its clinical safety officer may press it (the service refuses anyone else, privately).
  if (i.clinicalImpact && i.roles.CLINICAL_SAFETY && context.clinical && !currentSignoff(context.clinical))
    elements.push(
      button('Clinical sign-off', A.clinicalSignoff, {
        confirm: {
          title: { type: 'plain_text', text: 'Sign off clinical safety?' },
          text: {
            type: 'mrkdwn',
            text: `Sign off the clinical safety of ${incidentRef(i)} as its clinical safety officer (${mention(i.roles.CLINICAL_SAFETY)} only), accepting its hazards' residual risk as listed? The sign-off is void if it is reopened or a hazard changes.`,
          },
          confirm: { type: 'plain_text', text: 'Sign off' },
          deny: { type: 'plain_text', text: 'Not yet' },
        },
      }),
    );
  if (isActive(i.status)) {
    for (const s of allowedMoves(i.status)) {
      if (s !== 'RESOLVED')
        elements.push(button(STATUS_LABELS[s], `${A.statusPrefix}${s.toLowerCase()}`, { value: s }));
    }
    elements.push(
      button('Resolve', A.resolve, {
        style: 'primary',
        confirm: {
          title: { type: 'plain_text', text: 'Resolve the incident?' },
          text: {
            type: 'mrkdwn',
            text: `Resolve ${incidentRef(i)}? Reminders stop and a SEV1 change freeze is lifted.${i.dataBreach && !i.breachNotifiedAt ? ' The data breach clock keeps running until the regulator notification is recorded.' : ''}`,
          },
          confirm: { type: 'plain_text', text: 'Resolve' },
          deny: { type: 'plain_text', text: 'Not yet' },
        },
      }),
    );
    elements.push(button('Post update', A.update), button('Assign role', A.role));
    const option = (s: (typeof SEVERITIES)[number]): PlainTextOption => ({
      text: { type: 'plain_text', text: `${s}: ${SEVERITY_INFO[s].label}` },
      value: s,
    });
    elements.push({
      type: 'static_select',
      action_id: A.severity,
      placeholder: { type: 'plain_text', text: 'Severity' },
      initial_option: option(i.severity),
      options: SEVERITIES.map(option),
    });
  } else {
    if (i.status === 'RESOLVED') elements.push(button('Close', A.close));
    if (!i.nearMiss) elements.push(button('Reopen', A.reopen));
    elements.push(button('Review', REVIEW_ACTIONS.edit));
  }
  if (i.clinicalImpact && i.status !== 'CLOSED') elements.push(button('Link hazard', A.hazard));
  elements.push(button('Add note', A.note), button('Timeline', A.timeline));
  return { type: 'actions', block_id: A.blockId, elements };
}

/** A link's URL when it is one Slack may show as a link: http(s) only, nothing that breaks `<url|text>`. */
export function safeUrl(url: string | null): string | null {
  if (!url || url.length > 2000 || /[\s<>|]/.test(url)) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/** `<url|text>` when the URL is safe to link, else the text alone (escaped either way). */
function linked(url: string | null, text: string): string {
  const safe = safeUrl(url);
  return safe ? `<${safe}|${escapeMrkdwn(text)}>` : escapeMrkdwn(text);
}

const CRITICALITY_TEXT: Record<NonNullable<CatalogService['clinicalCriticality']>, string> = {
  'patient-facing': ':hospital: Patient-facing',
  'clinical-support': ':stethoscope: Clinical support',
  none: 'Not clinical',
};

/** A team channel from the catalog: a channel link for an ID, else its name. */
function teamChannel(channel: string): string {
  const c = channel.trim();
  return /^[CG][A-Z0-9]{6,}$/.test(c) ? `<#${c}>` : escapeMrkdwn(c.startsWith('#') ? c : `#${c}`);
}

/** How many links of each kind the summary lists. */
const LINKS_SHOWN = 5;

/** The affected service as the catalog describes it: owner (and channel), criticality, runbooks, dashboards. */
export function serviceLines(s: CatalogService): string {
  const links = (kind: CatalogLink['kind']) =>
    s.links
      .filter((l) => l.kind === kind && safeUrl(l.url))
      .slice(0, LINKS_SHOWN)
      .map((l) => linked(l.url, clip(l.title || l.url, 100)))
      .join(', ');
  const owner = s.ownerName ?? s.owner;
  const lines = [
    `*Owner:* ${owner ? escapeMrkdwn(owner) : '_none in the catalog_'}${s.slackChannel ? ` (${teamChannel(s.slackChannel)})` : ''}`,
    `*Clinical criticality:* ${s.clinicalCriticality ? CRITICALITY_TEXT[s.clinicalCriticality] : '_not set in the catalog_'}`,
    `*Runbooks:* ${links('runbook') || '_none in the catalog_'}`,
    `*Dashboards:* ${links('dashboard') || '_none in the catalog_'}`,
  ];
  return clipMrkdwn(
    `:bookmark_tabs: *${escapeMrkdwn(serviceLabel(s))}* in the service catalog\n${lines.join('\n')}`,
    3000,
  );
}

/** One recent change: when, to what, which version, who made and who approved it, and whether it landed in a freeze. */
export function changeLine(c: ChangeEvent, timeZone: string): string {
  const service = c.serviceName
    ? `*${escapeMrkdwn(c.serviceName)}*`
    : `*${escapeMrkdwn(clip(c.service, 80))}* (unknown service)`;
  const what = [c.version ? `\`${clip(c.version.replace(/`/g, "'"), 60)}\`` : null, clip(c.summary, 200)]
    .filter((x): x is string => !!x)
    .join(' ');
  // Names from pipelines are text, never mentions: `U0CEO123` must not show as someone's approval.
  const approvers = c.approvers.length
    ? `approved by ${c.approvers
        .slice(0, 5)
        .map((a) => oneLine(a, 80))
        .join(', ')}`
    : '_no approver recorded_';
  return [
    `• ${slackDate(c.occurredAt, timeZone)} · ${service}${c.environment ? ` (${escapeMrkdwn(clip(c.environment, 40))})` : ''}`,
    c.url && safeUrl(c.url) ? linked(c.url, what) : escapeMrkdwn(what),
    `by ${c.author ? oneLine(c.author, 80) : '_unknown_'}`,
    approvers,
    ...(c.flagged ? [':warning: landed during a freeze'] : []),
  ].join(' · ');
}

/**
 * The changes to the service (and its system): the 24 hours before the declaration first (the
 * suspects, never pushed out by later deploys), then those since, each group newest first.
 */
export function recentChangesText(
  changes: readonly ChangeEvent[],
  timeZone: string,
  since: readonly ChangeEvent[] = [],
): string {
  const head = '*Recent changes*';
  const out = [head];
  let length = head.length;
  const group = (label: string, list: readonly ChangeEvent[], none: string) => {
    out.push(label);
    length += label.length + 1;
    if (list.length === 0) {
      out.push(none);
      length += none.length + 1;
    }
    for (const c of list) {
      const line = changeLine(c, timeZone);
      // Whole lines only, within Slack's 3000 characters.
      if (length + line.length + 1 > 2900) break;
      out.push(line);
      length += line.length + 1;
    }
  };
  group('_In the 24 hours before it was declared:_', changes, '_None recorded._');
  if (since.length) group('_Since it was declared:_', since, '');
  return out.join('\n');
}

/**
 * The pinned summary at the top of an incident channel; with `context`, its affected service as the
 * catalog describes it and the recent changes to it.
 */
export function incidentSummary(
  i: Incident,
  timeZone = 'UTC',
  now: Date = new Date(),
  context: SummaryContext = { service: null, changes: [] },
): SlackMessage {
  const ref = incidentRef(i);
  // The data protection officer matters for a personal data breach: shown then, or once assigned.
  const roleLines = ROLES.filter((r) => r !== 'DPO' || i.dataBreach || i.roles.DPO).map((r) => {
    const who = i.roles[r];
    const fallback =
      r !== 'COMMANDER'
        ? '_unassigned_'
        : i.declaredBy === SYSTEM_DECLARER
          ? '_unassigned: take command with `/incident role commander @you`_'
          : `_unassigned: ${mention(i.declaredBy)} (declarer) acts until one is set_`;
    return `*${ROLE_LABELS[r]}:* ${who ? mention(who) : fallback}`;
  });
  const fields = [
    i.nearMiss
      ? '*Severity*\n:large_yellow_circle: Near miss (no harm done)'
      : `*Severity*\n${SEVERITY_INFO[i.severity].emoji} ${severityText(i.severity)}`,
    `*Status*\n${STATUS_LABELS[i.status]}`,
    `*Declared by*\n${declarerText(i)}`,
    `*Declared*\n${slackDate(i.createdAt, timeZone)}`,
  ];
  if (i.affectedService) fields.push(`*Affected service*\n${escapeMrkdwn(i.affectedService)}`);
  if (i.resolvedAt) fields.push(`*Resolved*\n${slackDate(i.resolvedAt, timeZone)}`);
  if (i.closedAt) fields.push(`*Closed*\n${slackDate(i.closedAt, timeZone)}`);
  const blocks: KnownBlock[] = [
    header(`${i.drill ? `${EXERCISE_LABEL}: ` : ''}${ref}: ${i.title}`),
    // A drill says so first: the whole flow runs, but nothing real is happening.
    ...(i.drill
      ? [mrkdwnSection(`${EXERCISE_BANNER} This is a drill: it is left out of metrics, reports and on-call load.`)]
      : []),
    fieldsSection(fields),
  ];
  if (i.description) {
    blocks.push(mrkdwnSection(clip(escapeMrkdwn(i.description), 3000)));
  }
  if (context.service) blocks.push(mrkdwnSection(serviceLines(context.service)));
  if (context.service || context.changes.length || context.changesSince?.length)
    blocks.push(mrkdwnSection(recentChangesText(context.changes, timeZone, context.changesSince)));
  const breach = showsIcoClock(context) ? breachLine(i, timeZone, now) : null;
  if (breach) blocks.push(mrkdwnSection(breach));
  const obligations = breachObligationLines(i, context, timeZone, now);
  if (obligations.length) blocks.push(mrkdwnSection(clipMrkdwn(obligations.join('\n'), 3000)));
  blocks.push(mrkdwnSection(roleLines.join('\n')));
  const f = flags(i, context);
  if (f.length) blocks.push(mrkdwnContext(f.join('  ·  ')));
  blocks.push(actions(i, context));
  blocks.push(
    mrkdwnContext(`Incident id \`${i.id}\` · times show in your own time zone · \`/incident help\` for commands`),
  );
  return {
    text: `${i.drill ? `${EXERCISE_LABEL}: ` : ''}${ref} ${i.nearMiss ? 'near miss' : i.severity} ${STATUS_LABELS[i.status]}: ${escapeMrkdwn(i.title)}`,
    blocks,
  };
}
