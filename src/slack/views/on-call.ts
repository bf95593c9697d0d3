import type { KnownBlock } from '@slack/types';
import type { OnCallPerson, OnCallView } from '../../services/on-call/show-on-call.ts';
import { escapeMrkdwn, mention, mrkdwnSection, slackDate } from './format.ts';
import type { SlackMessage } from './incident-summary.ts';

const who = (p: OnCallPerson) =>
  p.slackUserId ? mention(p.slackUserId) : `${escapeMrkdwn(p.name)} _(not found in Slack)_`;

function line(p: OnCallPerson): string {
  return `• Level ${p.level}: ${who(p)}${p.scheduleName ? ` (${escapeMrkdwn(p.scheduleName)})` : ''}`;
}

/** The `/incident oncall` answer (ephemeral). */
export function onCallMessage(v: OnCallView, timeZone = 'UTC'): SlackMessage {
  const title =
    v.target.kind === 'all' ? 'On call now' : `On call for ${escapeMrkdwn(v.target.name)} (${v.target.kind})`;
  const now = v.now.length
    ? v.now.map((p) => `${line(p)}${p.end ? ` until ${slackDate(p.end, timeZone)}` : ''}`)
    : ['_Nobody is on call._'];
  const next = v.next.map((p) => `${line(p)}${p.start ? ` from ${slackDate(p.start, timeZone)}` : ''}`);
  const blocks: KnownBlock[] = [mrkdwnSection(`*${title}*\n${now.join('\n')}`.slice(0, 3000))];
  if (next.length) blocks.push(mrkdwnSection(`*Next*\n${next.join('\n')}`.slice(0, 3000)));
  return {
    text: `${title}: ${v.now.map((p) => (p.slackUserId ? mention(p.slackUserId) : p.name)).join(', ') || 'nobody'}`,
    blocks,
  };
}
