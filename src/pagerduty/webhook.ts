import type { PagerDutyEvent } from '../domain/pagerduty-event.ts';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { cleanUnstorable } from '../domain/storable-text.ts';

/**
 * PagerDuty v3 webhooks sign the raw body: `X-PagerDuty-Signature: v1=<hex HMAC-SHA256>`, several
 * comma-separated while a secret is being rotated. True when any of them matches `secret`.
 */
export function verifyPagerDutySignature(rawBody: Buffer, header: string | undefined, secret: string): boolean {
  if (!header) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return header.split(',').some((part) => {
    const m = /^\s*v1=([0-9a-f]{64})\s*$/i.exec(part);
    if (!m) return false;
    const given = Buffer.from(m[1]!, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const reference = z.object({ id: z.string(), summary: z.string().nullish() });

/** The parts of a v3 incident event the bot uses. */
export const pagerDutyWebhookSchema = z.object({
  event: z.object({
    id: z.string(),
    event_type: z.string(),
    resource_type: z.string(),
    occurred_at: z.iso.datetime({ offset: true }),
    agent: reference.nullish(),
    data: z.object({
      id: z.string(),
      type: z.string(),
      title: z.string().nullish(),
      number: z.number().nullish(),
      html_url: z.string().nullish(),
      urgency: z.enum(['high', 'low']).nullish(),
      status: z.string().nullish(),
      incident_key: z.string().nullish(),
      service: reference.nullish(),
    }),
  }),
});

/**
 * Null for anything that is not an incident event the bot understands. Text the database cannot
 * store (U+0000, unpaired surrogates) is cleaned first (storable-text.ts), so such a title is
 * recorded without it instead of failing the event.
 */
export function toPagerDutyEvent(body: unknown): PagerDutyEvent | null {
  let storable: unknown;
  try {
    storable = cleanUnstorable(body).value;
  } catch {
    return null; // nested deeper than any PagerDuty event
  }
  const parsed = pagerDutyWebhookSchema.safeParse(storable);
  if (!parsed.success || parsed.data.event.resource_type !== 'incident') return null;
  const e = parsed.data.event;
  const kind =
    (['triggered', 'acknowledged', 'resolved'] as const).find((k) => e.event_type === `incident.${k}`) ?? 'other';
  return {
    eventId: e.id,
    kind,
    occurredAt: new Date(e.occurred_at),
    agentName: e.agent?.summary ?? null,
    incident: {
      id: e.data.id,
      title: e.data.title ?? `PagerDuty incident ${e.data.id}`,
      number: e.data.number ?? null,
      htmlUrl: e.data.html_url ?? null,
      urgency: e.data.urgency ?? null,
      serviceId: e.data.service?.id ?? null,
      serviceName: e.data.service?.summary ?? null,
      incidentKey: e.data.incident_key ?? null,
    },
  };
}
