import { serviceOfPagerDutyService } from '../../domain/declared-service.ts';
import { SYSTEM_DECLARER } from '../../domain/incident.ts';
import type { PagerDutyEvent } from '../../domain/pagerduty-event.ts';
import { declareIncident } from '../incident/declare-incident.ts';
import type { ServiceDeps } from '../deps.ts';

export type PagerDutyEventOutcome = 'declared' | 'duplicate' | 'recorded' | 'ignored';

/**
 * A PagerDuty incident event: a high-urgency trigger on a mapped service declares an incident
 * (once per PagerDuty incident, however often or however concurrently the webhook is delivered:
 * the declare key and the link are unique, and the link is written with the incident); acknowledge
 * and resolve of a linked PagerDuty incident land on our timeline once per event id (a unique
 * index decides, in the same transaction as the link's status).
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
    // (Only a shortcut: two deliveries at once both pass it, and the unique declare key decides.)
    if (pd.incidentKey?.startsWith('incident-bot:') || (await deps.store.findByPagerDutyIncident(pd.id)))
      return 'ignored';
    const title = pd.title.length > 150 ? `${pd.title.slice(0, 149)}…` : pd.title;
    // The catalog service of this PagerDuty service (its pagerduty.com/service-id), else PagerDuty's
    // own name as given: an alert is never refused for a service the catalog does not know.
    const known = serviceOfPagerDutyService(deps.catalog.current(), pd.serviceId);
    const result = await declareIncident(deps, {
      declareKey: `pagerduty:${pd.id}`,
      declaration: {
        title,
        severity: 'SEV2',
        description: `Declared from PagerDuty incident ${pd.number ?? pd.id}${pd.htmlUrl ? ` (${pd.htmlUrl})` : ''}.`,
        affectedService: known?.name ?? pd.serviceName,
      },
      declaredBy: SYSTEM_DECLARER,
      originChannelId: null,
      responseUrl: null,
      via: 'pagerduty',
      service: known
        ? { name: known.name, owner: known.owner }
        : pd.serviceName
          ? { name: pd.serviceName, owner: null }
          : null,
      pagerDutyLink: {
        pagerDutyIncidentId: pd.id,
        htmlUrl: pd.htmlUrl,
        title: pd.title,
        origin: 'webhook',
        status: 'triggered',
      },
    });
    return result.duplicate ? 'duplicate' : 'declared';
  }
  if (event.kind === 'other') return 'ignored';
  const outcome = await deps.store.recordPagerDutyEvent({
    pagerDutyIncidentId: pd.id,
    eventId: event.eventId,
    status: event.kind,
    entry: {
      occurredAt: event.occurredAt,
      kind: 'pagerduty',
      actorId: null,
      text: `PagerDuty incident ${pd.number ?? pd.id} ${event.kind}${event.agentName ? ` by ${event.agentName}` : ''}`,
      data: { pagerDutyIncidentId: pd.id, event: event.kind, eventId: event.eventId, htmlUrl: pd.htmlUrl },
    },
  });
  return outcome === 'unlinked' ? 'ignored' : outcome;
}
