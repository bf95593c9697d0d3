import { AppError } from '../../domain/errors.ts';
import { incidentRef } from '../../domain/incident.ts';
import { drillTagged } from '../../domain/drill.ts';
import type { PageTarget } from '../../ports/on-call-provider.ts';
import { askOnCall, requireOnCall } from './connection.ts';
import type { ServiceDeps } from '../deps.ts';
import { commitChange } from '../commit-change.ts';
import { incidentInChannel } from '../access.ts';
import { outboundIncident, redactString } from '../../domain/redaction.ts';
import { warnAuthor } from '../outbound-text.ts';

/** The PagerDuty user the bot acts as: the person asking (same email), else PAGERDUTY_FROM_EMAIL. */
export async function pagerDutyFrom(deps: ServiceDeps, userId: string): Promise<string> {
  const email = (await deps.chat.userEmail(userId).catch(() => null)) ?? deps.settings.pagerDutyFromEmail;
  if (!email)
    throw new AppError(
      'I cannot tell PagerDuty who you are: your Slack profile has no email, and PAGERDUTY_FROM_EMAIL is not set.',
      'not_configured',
    );
  return email;
}

/**
 * `/incident page <service|@user> [message]`: opens a PagerDuty incident for a service or a person,
 * linked to ours (stored, shown in the channel, on the timeline). Paging the same target again
 * while that PagerDuty incident is open opens nothing new.
 */
export async function pageOnCall(
  deps: ServiceDeps,
  input: {
    channelId: string;
    userId: string;
    target: { kind: 'service'; query: string } | { kind: 'user'; slackUserId: string };
    message: string | null;
    responseUrl?: string | null;
  },
) {
  const onCall = requireOnCall(deps);
  const incident = await incidentInChannel(deps, input.channelId, input.userId);
  const fromEmail = await pagerDutyFrom(deps, input.userId);
  let target: PageTarget;
  let label: string;
  if (input.target.kind === 'user') {
    const email = await deps.chat.userEmail(input.target.slackUserId).catch(() => null);
    if (!email)
      throw new AppError(
        `<@${input.target.slackUserId}> has no email in Slack, so I cannot find them in PagerDuty.`,
        'not_found',
      );
    target = { kind: 'user', email };
    label = `<@${input.target.slackUserId}>`;
  } else {
    target = { kind: 'service', query: input.target.query };
    label = input.target.query;
  }
  // What leaves Slack for a private incident says nothing of it beyond its number and severity; any
  // other page carries its text redacted (PagerDuty reaches phones and email). A drill's page says
  // so first (`[DRILL] INC-42 …`): whoever is woken knows it is an exercise.
  const out = outboundIncident(incident);
  const message = input.message === null ? null : redactString(input.message, 'message');
  const title = drillTagged(
    incident,
    `${incidentRef(incident)} ${incident.severity}: ${incident.isPrivate ? 'private incident' : out.value.title}`,
  );
  const paged = await askOnCall(
    deps,
    () =>
      onCall.page(target, {
        title,
        details: [
          incident.drill ? 'EXERCISE (drill): no real impact.' : null,
          message?.value,
          out.value.channelName && !incident.isPrivate ? `Slack: #${out.value.channelName}` : null,
        ]
          .filter(Boolean)
          .join('\n'),
        fromEmail,
        dedupKey: `incident-bot:${incident.id}:${target.kind}:${target.kind === 'user' ? target.email : target.query.toLowerCase()}`,
      }),
    (reason) => `PagerDuty did not take the page (${reason}). Try again, or phone them.`,
  );
  if (!paged) {
    throw new AppError(
      input.target.kind === 'user'
        ? `${label} has no PagerDuty account I can find.`
        : `No PagerDuty service is called \`${label}\`.`,
      'not_found',
    );
  }
  await deps.store.linkPagerDuty(incident.id, {
    pagerDutyIncidentId: paged.id,
    htmlUrl: paged.htmlUrl,
    title: paged.title,
    origin: 'page',
    status: paged.status,
  });
  const updated = await commitChange(deps, {
    incident,
    change: {},
    guard: {},
    entry: {
      occurredAt: deps.clock.now(),
      kind: 'paged',
      actorId: input.userId,
      text: `Paged ${input.target.kind === 'user' ? input.target.slackUserId : label} through PagerDuty (incident ${paged.number ?? paged.id})${input.message ? `: ${input.message}` : ''}`,
      data: { pagerDutyIncidentId: paged.id, htmlUrl: paged.htmlUrl, target: label },
    },
    notices: [
      { to: 'incident', notice: (i) => ({ kind: 'paged', incident: i, by: input.userId, target: label, paged }) },
    ],
  });
  const sentFindings = [
    ...(incident.isPrivate ? [] : out.findings.filter((f) => f.path === 'title')),
    ...(message?.findings ?? []),
  ];
  await warnAuthor(
    deps,
    { userId: input.userId, responseUrl: input.responseUrl ?? null },
    sentFindings,
    'Your page was sent to PagerDuty.',
  );
  return updated;
}
