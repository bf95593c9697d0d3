import { SYSTEM_DECLARER } from '../domain/incident.ts';
import type { PagerDutyEvent } from '../pagerduty/webhook.ts';
import { declareIncident } from './declare-incident.ts';
import type { ServiceDeps } from './deps.ts';

export type PagerDutyEventOutcome = 'declared' | 'duplicate' | 'recorded' | 'ignored';

/**
 * A PagerDuty incident event: a high-urgency trigger on a mapped service declares an incident
 * (once per PagerDuty incident, however often the webhook is retried); acknowledge and resolve of a
 * linked PagerDuty incident land on our timeline.
 */
export async function handlePagerDutyEvent(
  deps: ServiceDeps,
  event: PagerDutyEvent,
  settings: { autoDeclareServiceIds: ReadonlySet<string> },
): Promise<PagerDutyEventOutcome> {
  const pd = event.incident;
  if (event.kind === 'triggered') {
    if (pd.urgency !== 'high' || !pd.serviceId || !settings.autoDeclareServiceIds.has(pd.serviceId)) return 'ignored';
    // The bot's own pages (its dedup key, or already linked) belong to the incident that paged.
    if (pd.incidentKey?.startsWith('incident-bot:') || (await deps.store.findByPagerDutyIncident(pd.id))) return 'ignored';
    const title = pd.title.length > 150 ? `${pd.title.slice(0, 149)}…` : pd.title;
    const result = await declareIncident(deps, {
      declareKey: `pagerduty:${pd.id}`,
      declaration: {
        title,
        severity: 'SEV2',
        description: `Declared from PagerDuty incident ${pd.number ?? pd.id}${pd.htmlUrl ? ` (${pd.htmlUrl})` : ''}.`,
        affectedService: pd.serviceName,
      },
      declaredBy: SYSTEM_DECLARER,
      originChannelId: null,
      responseUrl: null,
      via: 'pagerduty',
    });
    const incident = result.duplicate ? result.incident : result.outcome.incident;
    await deps.store.linkPagerDuty(incident.id, { pagerDutyIncidentId: pd.id, htmlUrl: pd.htmlUrl, title: pd.title, origin: 'webhook', status: 'triggered' });
    return result.duplicate ? 'duplicate' : 'declared';
  }
  if (event.kind === 'other') return 'ignored';
  const incident = await deps.store.findByPagerDutyIncident(pd.id);
  if (!incident) return 'ignored';
  // PagerDuty retries a webhook it thinks failed: one entry per event.
  if ((await deps.store.timeline(incident.id)).some((e) => e.data?.eventId === event.eventId)) return 'duplicate';
  await deps.store.setPagerDutyStatus(pd.id, event.kind);
  await deps.store.addTimelineEntry(incident.id, {
    occurredAt: event.occurredAt,
    kind: 'pagerduty',
    actorId: null,
    text: `PagerDuty incident ${pd.number ?? pd.id} ${event.kind}${event.agentName ? ` by ${event.agentName}` : ''}`,
    data: { pagerDutyIncidentId: pd.id, event: event.kind, eventId: event.eventId, htmlUrl: pd.htmlUrl },
  });
  return 'recorded';
}
