// The OnCallProvider port on PagerDuty's REST API: a service (→ its escalation policy) or a schedule matched by
// name, then GET /oncalls over the next week split into who is on call now and who takes over next, per level.
// Paging: POST /incidents (From header, incident_key = dedupKey) on a service matched by name, or assigned to a user
// (GET /users?query=email) on the configured default service; resolving: PUT /incidents/{id}.
import { z } from 'zod';
import { nameOf, parseAll, parseOne, type Named } from './parse.ts';

import {
  OnCallUnavailable,
  type OnCallAnswer,
  type OnCallProvider,
  type OnCallShift,
  type PagedIncident,
  type PageTarget,
} from '../ports/on-call-provider.ts';
import {
  createPagerDutyClient,
  PagerDutyHttpError,
  type PagerDutyClient,
  type PagerDutyClientOptions,
} from './client.ts';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

// Only the fields used; extra fields are ignored (zod objects strip unknown keys).
const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'is not a date' });
const reference = z.object({ id: z.string(), name: z.string().nullish(), summary: z.string().nullish() });
const serviceSchema = z.object({
  id: z.string(),
  name: z.string().nullish(),
  summary: z.string().nullish(),
  escalation_policy: reference,
});
const namedSchema = z.object({ id: z.string(), name: z.string().nullish(), summary: z.string().nullish() });
const scheduleSchema = namedSchema;
const onCallSchema = z.object({
  user: z.object({
    id: z.string(),
    name: z.string().nullish(),
    summary: z.string().nullish(),
    email: z.string().nullish(),
  }),
  schedule: reference.nullish(),
  escalation_policy: reference,
  escalation_level: z.number().int(),
  start: isoDate.nullish(),
  end: isoDate.nullish(),
});

const userSchema = z.object({ id: z.string(), email: z.string().nullish() });
const incidentSchema = z.object({
  id: z.string(),
  incident_number: z.number().int().nullish(),
  title: z.string().nullish(),
  html_url: z.string().nullish(),
  status: z.string().nullish(),
});
const incidentAnswer = z.object({ incident: incidentSchema });

function toPaged(i: z.infer<typeof incidentSchema>): PagedIncident {
  return {
    id: i.id,
    number: i.incident_number ?? null,
    title: i.title ?? '',
    htmlUrl: i.html_url ?? null,
    status: i.status ?? 'triggered',
  };
}

/** Exact (case-insensitive) name first, else the first name containing the query. */
function bestMatch<T extends Named>(items: T[], query: string): { item: T; exact: boolean } | null {
  const q = query.toLowerCase();
  const exact = items.find((i) => nameOf(i).trim().toLowerCase() === q);
  if (exact) return { item: exact, exact: true };
  const partial = items.find((i) => nameOf(i).toLowerCase().includes(q));
  return partial ? { item: partial, exact: false } : null;
}

export interface PagerDutyOnCallOptions {
  /** How far ahead to look for the next shift; a week by default. */
  horizonMs?: number;
  /** Service for incidents paging a person (PagerDuty needs one per incident); config PAGERDUTY_DEFAULT_SERVICE. */
  defaultServiceId?: string | null;
}

/** PagerDuty's 4xx message when an open incident on the service already has this incident_key. */
const DUPLICATE_KEY = /dedup key|incident[ _]key/i;
const ALREADY_RESOLVED = /already resolved/i;

export class PagerDutyOnCall implements OnCallProvider {
  private readonly horizonMs: number;
  private readonly defaultServiceId: string | null;

  private readonly client: PagerDutyClient;

  constructor(client: PagerDutyClient, options: PagerDutyOnCallOptions = {}) {
    this.client = client;
    this.horizonMs = options.horizonMs ?? WEEK_MS;
    this.defaultServiceId = options.defaultServiceId ?? null;
  }

  async page(
    target: PageTarget,
    input: { title: string; details: string; fromEmail: string; dedupKey: string },
  ): Promise<PagedIncident | null> {
    let serviceId: string;
    let assignments: Array<{ assignee: { id: string; type: 'user_reference' } }> | undefined;
    if (target.kind === 'service') {
      const q = target.query.trim();
      if (q === '') return null;
      const services = parseAll(
        namedSchema,
        await this.client.getAll('/services', 'services', { query: q }),
        'services',
      );
      const service = bestMatch(services, q);
      if (!service) return null;
      serviceId = service.item.id;
    } else {
      if (!this.defaultServiceId) throw new OnCallUnavailable('paging a person needs PAGERDUTY_DEFAULT_SERVICE');
      serviceId = this.defaultServiceId;
      const email = target.email.trim().toLowerCase();
      const users = parseAll(userSchema, await this.client.getAll('/users', 'users', { query: email }), 'users');
      const user = users.find((u) => u.email?.trim().toLowerCase() === email);
      if (!user) return null;
      assignments = [{ assignee: { id: user.id, type: 'user_reference' } }];
    }

    const incident = {
      type: 'incident',
      title: input.title,
      service: { id: serviceId, type: 'service_reference' },
      urgency: 'high',
      incident_key: input.dedupKey,
      // PagerDuty takes details as a string (its spec says object); left out when empty.
      ...(input.details.trim() ? { body: { type: 'incident_body', details: input.details } } : {}),
      ...(assignments ? { assignments } : {}),
    };
    const from = { From: input.fromEmail };
    try {
      return toPaged(
        parseOne(incidentAnswer, await this.client.post('/incidents', { incident }, from), 'incident').incident,
      );
    } catch (err) {
      // A retried page (the first POST went through but its answer was lost): the open incident with this key.
      if (err instanceof PagerDutyHttpError && err.status === 400 && DUPLICATE_KEY.test(JSON.stringify(err.body))) {
        const open = await this.findByKey(input.dedupKey, serviceId);
        if (open) return open;
      }
      throw err;
    }
  }

  async resolvePaged(id: string, fromEmail: string): Promise<void> {
    const body = { incident: { type: 'incident_reference', status: 'resolved' } };
    try {
      await this.client.put(`/incidents/${encodeURIComponent(id)}`, body, { From: fromEmail });
    } catch (err) {
      if (err instanceof PagerDutyHttpError && err.status < 500 && ALREADY_RESOLVED.test(JSON.stringify(err.body)))
        return;
      throw err;
    }
  }

  private async findByKey(key: string, serviceId: string): Promise<PagedIncident | null> {
    const raw = await this.client.getAll('/incidents', 'incidents', {
      incident_key: key,
      'service_ids[]': [serviceId],
      'statuses[]': ['triggered', 'acknowledged'],
    });
    const [first] = parseAll(incidentSchema, raw, 'incidents');
    return first ? toPaged(first) : null;
  }

  static create(options: PagerDutyClientOptions & PagerDutyOnCallOptions): PagerDutyOnCall {
    return new PagerDutyOnCall(createPagerDutyClient(options), options);
  }

  async onCall(
    query: string | null,
    now: Date,
    opts: { exactService?: boolean; serviceId?: string } = {},
  ): Promise<OnCallAnswer | null> {
    const q = query?.trim() ?? '';
    let target: OnCallAnswer['target'];
    let filter: Record<string, string[]> = {};
    if (opts.serviceId !== undefined) {
      const found = await this.serviceById(opts.serviceId);
      if (!found) return null;
      ({ target, filter } = found);
    } else if (q === '') {
      target = { kind: 'all', id: null, name: 'all' };
    } else {
      const found = await this.findTarget(q, opts.exactService ?? false);
      if (!found) return null;
      ({ target, filter } = found);
    }

    const raw = await this.client.getAll('/oncalls', 'oncalls', {
      'include[]': 'users',
      ...filter,
      since: now.toISOString(),
      until: new Date(now.getTime() + this.horizonMs).toISOString(),
    });
    const shifts = parseAll(onCallSchema, raw, 'on-calls').map(
      (o): OnCallShift => ({
        level: o.escalation_level,
        userId: o.user.id,
        name: nameOf(o.user),
        email: o.user.email ?? null,
        scheduleName: o.schedule ? nameOf(o.schedule) : null,
        escalationPolicyId: o.escalation_policy.id,
        escalationPolicyName: nameOf(o.escalation_policy),
        start: o.start ? new Date(o.start) : null,
        end: o.end ? new Date(o.end) : null,
      }),
    );
    return { target, ...splitNowNext(shifts, now) };
  }

  /** The service with this id (GET /services/{id}) through its escalation policy; null when PagerDuty has none. */
  private async serviceById(
    id: string,
  ): Promise<{ target: OnCallAnswer['target']; filter: Record<string, string[]> } | null> {
    const trimmed = id.trim();
    if (!trimmed) return null;
    let raw: unknown;
    try {
      raw = await this.client.get(`/services/${encodeURIComponent(trimmed)}`, { 'include[]': 'escalation_policies' });
    } catch (err) {
      if (err instanceof PagerDutyHttpError && err.status === 404) return null;
      throw err;
    }
    const { service } = parseOne(z.object({ service: serviceSchema }), raw, 'service');
    return {
      target: { kind: 'service', id: service.id, name: nameOf(service) },
      filter: { 'escalation_policy_ids[]': [service.escalation_policy.id] },
    };
  }

  private async findTarget(
    q: string,
    exactService: boolean,
  ): Promise<{ target: OnCallAnswer['target']; filter: Record<string, string[]> } | null> {
    const services = parseAll(
      serviceSchema,
      await this.client.getAll('/services', 'services', { query: q, 'include[]': 'escalation_policies' }),
      'services',
    );
    const service = bestMatch(services, q);
    const serviceTarget = (s: z.infer<typeof serviceSchema>) => ({
      target: { kind: 'service' as const, id: s.id, name: nameOf(s) },
      filter: { 'escalation_policy_ids[]': [s.escalation_policy.id] },
    });
    if (service?.exact) return serviceTarget(service.item);
    if (exactService) return null;

    const schedules = parseAll(
      scheduleSchema,
      await this.client.getAll('/schedules', 'schedules', { query: q }),
      'schedules',
    );
    const schedule = bestMatch(schedules, q);
    const scheduleTarget = (s: z.infer<typeof scheduleSchema>) => ({
      target: { kind: 'schedule' as const, id: s.id, name: nameOf(s) },
      filter: { 'schedule_ids[]': [s.id] },
    });
    // An exact schedule name beats a service whose name merely contains the query.
    if (schedule?.exact) return scheduleTarget(schedule.item);
    if (service) return serviceTarget(service.item);
    if (schedule) return scheduleTarget(schedule.item);
    return null;
  }
}

const byLevel = (a: OnCallShift, b: OnCallShift): number =>
  a.level - b.level ||
  a.escalationPolicyName.localeCompare(b.escalationPolicyName) ||
  (a.start?.getTime() ?? -Infinity) - (b.start?.getTime() ?? -Infinity) ||
  a.name.localeCompare(b.name);

/** now: start ≤ now < end (null = unbounded). next: per escalation policy and level, the earliest later start. */
export function splitNowNext(shifts: OnCallShift[], now: Date): { now: OnCallShift[]; next: OnCallShift[] } {
  const t = now.getTime();
  const current = shifts.filter(
    (s) => (s.start === null || s.start.getTime() <= t) && (s.end === null || t < s.end.getTime()),
  );
  const earliest = new Map<string, number>();
  const later = shifts.filter((s) => s.start !== null && s.start.getTime() > t);
  for (const s of later) {
    const key = `${s.escalationPolicyId}\u0000${s.level}`;
    const start = s.start!.getTime();
    if (start < (earliest.get(key) ?? Infinity)) earliest.set(key, start);
  }
  const next = later.filter((s) => s.start!.getTime() === earliest.get(`${s.escalationPolicyId}\u0000${s.level}`));
  return { now: dedupe(current).sort(byLevel), next: dedupe(next).sort(byLevel) };
}

/** The same person can be on call at one level through several schedules: keep one entry. */
function dedupe(shifts: OnCallShift[]): OnCallShift[] {
  const seen = new Set<string>();
  return shifts.filter((s) => {
    const key = [s.escalationPolicyId, s.level, s.userId, s.start?.getTime(), s.end?.getTime()].join('|');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
