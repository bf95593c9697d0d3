// Block Kit for `/incident service <name>`: a catalog service, who owns it and carries its pager,
// its incidents, its open action items and its latest changes (an ephemeral answer).
import type { KnownBlock } from '@slack/types';
import { actionRef } from '../../domain/action-items.ts';
import { serviceLabel, type CatalogLink, type ClinicalCriticality } from '../../domain/catalog.ts';
import { STATUS_LABELS } from '../../domain/incident.ts';
import type {
  CatalogHealth,
  ServiceIncidentLine,
  ServiceOnCall,
  ServiceView,
} from '../../services/catalog/show-service.ts';
import { context, escapeMrkdwn, header, mention, oneLine, plural, section, slackDate, slackDay } from './format.ts';
import type { SlackMessage } from './incident-summary.ts';
import { teamText } from './action-items.ts';

const CRITICALITY_TEXT: Record<ClinicalCriticality, string> = {
  'patient-facing': ':hospital: *Patient-facing*',
  'clinical-support': ':stethoscope: Clinical support',
  none: 'Not clinical',
};

/** A channel from the catalog: an ID as a link, a name as text. */
function channelText(channel: string): string {
  return /^[CG][A-Z0-9]{2,}$/.test(channel) ? `<#${channel}>` : escapeMrkdwn(channel);
}

/** A link from the catalog (http(s) only, checked when read). */
function linkText(l: CatalogLink): string {
  const title = oneLine(l.title, 100).replace(/\|/g, '¦');
  return `<${l.url.replace(/[<>|\s]/g, encodeURIComponent)}|${title}>`;
}

function incidentLine(i: ServiceIncidentLine, timeZone: string): string {
  const where = i.channelId ? ` in <#${i.channelId}>` : '';
  const kind = i.nearMiss ? 'near miss' : i.drill ? `${i.severity} :test_tube: exercise (drill)` : i.severity;
  return `• *${i.ref}*${i.isPrivate ? ' :lock:' : ''} ${oneLine(i.title, 150)} · ${kind} · ${STATUS_LABELS[i.status]} · ${slackDate(i.declaredAt, timeZone)}${where}`;
}

function onCallText(o: ServiceOnCall, pagerDutyServiceId: string | null): string {
  switch (o.status) {
    case 'not-configured':
      return '_PagerDuty is not configured (PAGERDUTY_TOKEN)._';
    case 'unknown':
      return pagerDutyServiceId
        ? `_PagerDuty has no service ${escapeMrkdwn(pagerDutyServiceId)}: check the pagerduty.com/service-id annotation._`
        : '_PagerDuty has no service of this name: add the pagerduty.com/service-id annotation._';
    case 'unavailable':
      return `_PagerDuty could not be asked just now (${oneLine(o.reason, 200)})._`;
    case 'ok':
      if (o.now.length === 0) return '_Nobody is on call._';
      return o.now
        .slice(0, 5)
        .map(
          (p) =>
            `Level ${p.level}: ${p.slackUserId ? mention(p.slackUserId) : `${escapeMrkdwn(p.name)} _(not in Slack)_`}`,
        )
        .join(', ');
  }
}

/** The catalog's problems as a short context line, or null when it has none. */
export function catalogProblemsText(c: CatalogHealth): string | null {
  if (c.problemCount === 0) return null;
  const first = c.problems.map((p) => `${escapeMrkdwn(p.source)}: ${oneLine(p.message, 300)}`).join('; ');
  const more =
    c.problemCount > c.problems.length ? ` …and ${c.problemCount - c.problems.length} more (see the bot's log)` : '';
  return `:warning: The catalog has ${plural(c.problemCount, 'problem')}: ${first}${more}`;
}

/** The `/incident service` answer. */
export function serviceMessage(v: ServiceView, timeZone = 'UTC'): SlackMessage {
  const s = v.service;
  const name = serviceLabel(s);
  const blocks: KnownBlock[] = [header(`${name}${s.title ? ` (${s.name})` : ''}`)];
  if (s.description) blocks.push(section(oneLine(s.description, 1000)));

  const owner = s.owner
    ? `*Owner:* ${escapeMrkdwn(s.ownerName ?? teamText(s.owner))}${s.slackChannel ? ` · ${channelText(s.slackChannel)}` : ''}`
    : '*Owner:* _none in the catalog_';
  const facts = [
    owner,
    `*Clinical criticality:* ${s.clinicalCriticality ? CRITICALITY_TEXT[s.clinicalCriticality] : '_not set_'}`,
    `*On call now:* ${onCallText(v.onCall, s.pagerDutyServiceId)}`,
  ];
  if (s.system) facts.push(`*System:* ${escapeMrkdwn(s.system)}`);
  const runbooks = s.links.filter((l) => l.kind === 'runbook');
  const dashboards = s.links.filter((l) => l.kind === 'dashboard');
  if (runbooks.length) facts.push(`*Runbooks:* ${runbooks.map(linkText).join(' · ')}`);
  if (dashboards.length) facts.push(`*Dashboards:* ${dashboards.map(linkText).join(' · ')}`);
  blocks.push(section(facts.join('\n')));

  const open = v.openIncidents.length
    ? v.openIncidents.map((i) => incidentLine(i, timeZone)).join('\n')
    : '_No open incidents._ :white_check_mark:';
  blocks.push(section(`*Open incidents*\n${open}`));

  const recent = v.recent.length
    ? `\n${v.recent.map((i) => incidentLine(i, timeZone)).join('\n')}${v.recentCount > v.recent.length ? `\n_…and ${v.recentCount - v.recent.length} more._` : ''}`
    : '';
  blocks.push(section(`*Incidents in the last 90 days:* ${v.recentCount}${recent}`));

  const count = `${v.actionItemsTotal}${v.actionItemsCapped ? '+' : ''}`;
  const items = v.actionItems.length
    ? v.actionItems
        .map((a) => {
          const text = oneLine(a.text, 150);
          const due = a.due ? ` · due ${escapeMrkdwn(a.due)}` : '';
          return `• *${actionRef(a)}* ${text} · ${a.ownerId ? mention(a.ownerId) : '_no owner_'}${due}`;
        })
        .join('\n')
    : '_None._';
  blocks.push(section(`*Open action items:* ${count}\n${items}`));

  const changes =
    v.changes === null
      ? '_The changes could not be read just now._'
      : v.changes.length
        ? v.changes
            .map((c) => {
              const what =
                c.url && /^https?:\/\//.test(c.url)
                  ? `<${c.url.replace(/[<>|\s]/g, encodeURIComponent)}|${oneLine(c.summary, 120).replace(/\|/g, '¦')}>`
                  : oneLine(c.summary, 120);
              const flag = c.flagged ? ' :rotating_light: during a freeze' : '';
              return `• ${slackDay(c.occurredAt)} ${escapeMrkdwn(c.kind)}${c.version ? ` ${oneLine(c.version, 40)}` : ''}: ${what}${c.author ? ` by ${oneLine(c.author, 60)}` : ''}${flag}`;
            })
            .join('\n')
        : '_No changes recorded in the last 30 days._';
  blocks.push(section(`*Latest changes*\n${changes}`));

  const foot = [`${escapeMrkdwn(s.ref)}`];
  if (v.catalog.loadedAt) foot.push(`catalog read ${slackDate(v.catalog.loadedAt, timeZone)}`);
  blocks.push(context(foot.join(' · ')));
  const problems = catalogProblemsText(v.catalog);
  if (problems) blocks.push(context(problems));
  return { text: escapeMrkdwn(`${name}: owned by ${s.ownerName ?? s.owner ?? 'nobody in the catalog'}`), blocks };
}
