// A PagerDuty incident event as the use case takes it (src/services/on-call/handle-pagerduty-event.ts):
// what the webhook adapter (src/pagerduty/webhook.ts) parses a delivery into, and the store records.

export type PagerDutyEventKind = 'triggered' | 'acknowledged' | 'resolved' | 'other';

/** A PagerDuty incident event, as the bot's use case takes it. */
export interface PagerDutyEvent {
  eventId: string;
  kind: PagerDutyEventKind;
  occurredAt: Date;
  agentName: string | null;
  incident: {
    id: string;
    title: string;
    number: number | null;
    htmlUrl: string | null;
    urgency: 'high' | 'low' | null;
    serviceId: string | null;
    serviceName: string | null;
    incidentKey: string | null;
  };
}
