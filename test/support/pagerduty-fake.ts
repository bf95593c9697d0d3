/**
 * A small stateful stand-in for PagerDuty's REST API (node:http only): GET /services, /services/{id}, /schedules (query, team_ids[]),
 * /teams, /oncalls (since/until overlap, earliest, include[]=users, schedule/escalation policy filters), /users,
 * /users/{id}, /incidents and /log_entries (since/until, is_overview) with PagerDuty's response shapes and offset
 * pagination (limit/offset/more, refusing offset+limit beyond 10,000 with PagerDuty's 400 "Arguments Caused Error");
 * POST /incidents and PUT /incidents/{id} checking the From header (a known user's email) and the body shape like
 * PagerDuty (400 when wrong); plus failure injection and a request log.
 *
 *   const pd = await startPagerDutyFake({ maxLimit: 2 });
 *   pd.state.users.push({ id: 'PU1', name: 'Ann', email: 'ann@example.com' });
 *   pd.addLogEntry({ id: 'L1', type: 'assign_log_entry', createdAt: '2025-01-01T00:00:00Z', incidentId: 'PI1', assigneeIds: ['PU1'] });
 *   pd.failNext('/oncalls', { status: 429, retryAfter: 3 });
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUser {
  id: string;
  name: string;
  email?: string | null;
  /** The user's `time_zone` (left out of answers when undefined). */
  timeZone?: string | null;
}
export interface FakeEscalationPolicy {
  id: string;
  name: string;
}
export interface FakeService {
  id: string;
  name: string;
  escalationPolicyId: string;
}
export interface FakeSchedule {
  id: string;
  name: string;
  /** Teams the schedule belongs to (GET /schedules?team_ids[]=...). */
  teamIds?: string[];
}
export interface FakeTeam {
  id: string;
  name: string;
}
/** A log entry (GET /log_entries): PagerDuty's `type`, e.g. assign_log_entry, escalate_log_entry, notify_log_entry. */
export interface FakeLogEntry {
  id: string;
  type: string;
  /** ISO. */
  createdAt: string;
  incidentId?: string | null;
  serviceId?: string | null;
  /** assign_log_entry / escalate_log_entry: the users assigned. */
  assigneeIds?: string[];
  /**
   * Listed with is_overview=true ("only the most important changes to the incident"). By default trigger, acknowledge,
   * unacknowledge, resolve and urgency change entries are; assignments, escalations and notifications are not.
   */
  overview?: boolean;
}
export interface FakeOnCall {
  userId: string;
  escalationPolicyId: string;
  level: number;
  scheduleId?: string | null;
  /** ISO; null = unbounded. */
  start: string | null;
  end: string | null;
}

export interface FakeIncident {
  id: string;
  number: number;
  title: string;
  serviceId: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  urgency: string;
  incidentKey: string | null;
  details: string | null;
  assigneeIds: string[];
}

export interface FakeState {
  incidents: FakeIncident[];
  users: FakeUser[];
  escalationPolicies: FakeEscalationPolicy[];
  services: FakeService[];
  schedules: FakeSchedule[];
  oncalls: FakeOnCall[];
  teams?: FakeTeam[];
  logEntries?: FakeLogEntry[];
}

/** The fake's live state: every list present. */
export type FullFakeState = Required<FakeState>;

export interface Failure {
  /** Status to answer with (default 500, or 200 when only `delayMs`/`body` is given). */
  status?: number;
  /** Retry-After header, in seconds. */
  retryAfter?: number;
  /** How many consecutive requests to the path fail this way (default 1). */
  times?: number;
  /** Wait before answering (longer than the client timeout = a timeout). */
  delayMs?: number;
  /** Raw body (e.g. malformed JSON); default a PagerDuty error object, or the normal answer for a pure delay. */
  body?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string[]>;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body of a POST/PUT (undefined when none or not JSON). */
  body?: unknown;
}

export interface PagerDutyFake {
  url: string;
  /** Requests must carry `Authorization: Token token=<token>` (else 401). */
  token: string;
  state: FullFakeState;
  requests: RecordedRequest[];
  /** The recorded GET requests to `path` (e.g. '/log_entries'), in order. */
  requestsTo(path: string): RecordedRequest[];
  failNext(path: string, failure: Failure): void;
  addUser(...users: FakeUser[]): void;
  addTeam(...teams: FakeTeam[]): void;
  addSchedule(...schedules: FakeSchedule[]): void;
  addEscalationPolicy(...policies: FakeEscalationPolicy[]): void;
  addOnCall(...oncalls: FakeOnCall[]): void;
  addLogEntry(...entries: FakeLogEntry[]): void;
  close(): Promise<void>;
}

export interface PagerDutyFakeOptions {
  token?: string;
  /** Largest page PagerDuty gives (it caps `limit` at 100). */
  maxLimit?: number;
  /** PagerDuty's classic pagination refuses offset+limit beyond 10,000 (400, code 2002). */
  maxOffset?: number;
  /**
   * Longest since..until GET /oncalls accepts (its spec: "On-call shifts are limited to 90 days"); longer → 400.
   * null: no limit.
   */
  maxOnCallRangeMs?: number | null;
  state?: Partial<FakeState>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const OVERVIEW_TYPES = new Set([
  'trigger_log_entry',
  'acknowledge_log_entry',
  'unacknowledge_log_entry',
  'resolve_log_entry',
  'urgency_change_log_entry',
]);

const ref = (type: string, id: string, summary: string) => ({
  id,
  type,
  summary,
  self: `https://api.pagerduty.com/${type}/${id}`,
});

export async function startPagerDutyFake(options: PagerDutyFakeOptions = {}): Promise<PagerDutyFake> {
  const token = options.token ?? 'fake-pd-token-123';
  const maxLimit = options.maxLimit ?? 100;
  const maxOffset = options.maxOffset ?? 10_000;
  const maxOnCallRangeMs = options.maxOnCallRangeMs === undefined ? 90 * DAY_MS : options.maxOnCallRangeMs;
  const state: FullFakeState = {
    users: [],
    escalationPolicies: [],
    services: [],
    schedules: [],
    oncalls: [],
    incidents: [],
    teams: [],
    logEntries: [],
    ...(options.state as Partial<FullFakeState> | undefined),
  };
  state.teams ??= [];
  state.logEntries ??= [];
  const requests: RecordedRequest[] = [];
  const failures = new Map<string, Array<Failure & { left: number }>>();
  const timers = new Set<NodeJS.Timeout>();

  const policy = (id: string) => state.escalationPolicies.find((p) => p.id === id) ?? { id, name: id };
  const user = (id: string) => state.users.find((u) => u.id === id) ?? { id, name: id };

  function page(key: string, all: unknown[], q: URLSearchParams): { status: number; body: unknown } {
    const limit = Math.min(Number(q.get('limit') ?? 25) || 25, maxLimit);
    const offset = Number(q.get('offset') ?? 0) || 0;
    if (offset + limit > maxOffset) {
      // What PagerDuty answers past its classic pagination window.
      return {
        status: 400,
        body: {
          error: {
            message: 'Arguments Caused Error',
            code: 2002,
            errors: [
              `Offset+limit exceeds maximum allowed value of ${maxOffset}. Please try to refine your search to reduce the returned set of records below this number, like adding a date range.`,
            ],
          },
        },
      };
    }
    const items = all.slice(offset, offset + limit);
    const total = q.get('total') === 'true' ? all.length : null;
    return { status: 200, body: { [key]: items, limit, offset, more: offset + items.length < all.length, total } };
  }

  const invalid = (...errors: string[]) => ({
    status: 400,
    body: { error: { message: 'Invalid Input Provided', code: 2001, errors } },
  });
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const incidentJson = (i: FakeIncident) => {
    const svc = state.services.find((x) => x.id === i.serviceId);
    return {
      ...ref('incident', i.id, `[#${i.number}] ${i.title}`),
      html_url: `https://fake.pagerduty.com/incidents/${i.id}`,
      incident_number: i.number,
      title: i.title,
      status: i.status,
      urgency: i.urgency,
      incident_key: i.incidentKey,
      service: ref('service_reference', i.serviceId, svc?.name ?? i.serviceId),
      assignments: i.assigneeIds.map((id) => ({
        at: new Date().toISOString(),
        assignee: ref('user_reference', id, user(id).name),
      })),
      created_at: new Date().toISOString(),
    };
  };

  /** PagerDuty rejects writes without a From header naming one of its users. */
  function checkFrom(headers: http.IncomingHttpHeaders) {
    const from = headers.from;
    if (typeof from !== 'string' || from === '') return invalid('You must specify a user in the From header');
    if (!state.users.some((u) => u.email?.toLowerCase() === from.toLowerCase())) {
      return { status: 400, body: { error: { message: 'Requester User Not Found', code: 2100 } } };
    }
    return null;
  }

  function write(method: string, path: string, headers: http.IncomingHttpHeaders, body: unknown) {
    if (method === 'POST' && path === '/incidents') {
      const bad = checkFrom(headers);
      if (bad) return bad;
      const inc = isObj(body) ? body.incident : undefined;
      if (!isObj(inc)) return invalid('incident is required');
      const errors: string[] = [];
      if (inc.type !== 'incident') errors.push('incident.type must be incident');
      if (typeof inc.title !== 'string' || inc.title === '') errors.push('incident.title is required');
      const svc = inc.service;
      if (!isObj(svc) || typeof svc.id !== 'string' || svc.type !== 'service_reference')
        errors.push('incident.service must be a service_reference');
      if (inc.urgency !== undefined && inc.urgency !== 'high' && inc.urgency !== 'low')
        errors.push('incident.urgency must be high or low');
      if (inc.incident_key !== undefined && typeof inc.incident_key !== 'string')
        errors.push('incident.incident_key must be a string');
      if (inc.body !== undefined) {
        if (!isObj(inc.body) || inc.body.type !== 'incident_body')
          errors.push('incident.body.type must be incident_body');
        else if (inc.body.details !== undefined && typeof inc.body.details !== 'string')
          errors.push('incident.body.details must be a string');
      }
      const assigneeIds: string[] = [];
      if (inc.assignments !== undefined) {
        if (!Array.isArray(inc.assignments)) errors.push('incident.assignments must be an array');
        else
          for (const a of inc.assignments as unknown[]) {
            const who = isObj(a) ? a.assignee : undefined;
            if (!isObj(who) || typeof who.id !== 'string' || who.type !== 'user_reference')
              errors.push('assignee must be a user_reference');
            else if (!state.users.some((u) => u.id === who.id)) errors.push(`User ${who.id} not found`);
            else assigneeIds.push(who.id);
          }
      }
      if (errors.length) return invalid(...errors);
      const serviceId = (svc as { id: string }).id;
      if (!state.services.some((x) => x.id === serviceId)) return invalid('Service Not Found');
      const key = (inc.incident_key as string | undefined) ?? null;
      if (
        key !== null &&
        state.incidents.some((i) => i.serviceId === serviceId && i.incidentKey === key && i.status !== 'resolved')
      ) {
        return invalid('Open incident with matching dedup key already exists on this service');
      }
      const number = state.incidents.length + 1;
      const created: FakeIncident = {
        id: `PINC${number}`,
        number,
        title: inc.title as string,
        serviceId,
        status: 'triggered',
        urgency: (inc.urgency as string | undefined) ?? 'high',
        incidentKey: key,
        details: isObj(inc.body) ? ((inc.body.details as string | undefined) ?? null) : null,
        assigneeIds,
      };
      state.incidents.push(created);
      return { status: 201, body: { incident: incidentJson(created) } };
    }
    const m = method === 'PUT' ? /^\/incidents\/([^/]+)$/.exec(path) : null;
    if (m) {
      const bad = checkFrom(headers);
      if (bad) return bad;
      const inc = isObj(body) ? body.incident : undefined;
      if (!isObj(inc) || (inc.type !== 'incident' && inc.type !== 'incident_reference')) {
        return invalid('incident.type must be incident or incident_reference');
      }
      if (inc.status !== undefined && !['resolved', 'acknowledged', 'triggered'].includes(inc.status as string)) {
        return invalid('incident.status is invalid');
      }
      const found = state.incidents.find((i) => i.id === decodeURIComponent(m[1]!));
      if (!found) return { status: 404, body: { error: { message: 'Not Found', code: 2100 } } };
      if (inc.status !== undefined) found.status = inc.status as FakeIncident['status'];
      return { status: 200, body: { incident: incidentJson(found) } };
    }
    return { status: 404, body: { error: { message: 'Not Found', code: 2100 } } };
  }

  /** A full user object (as GET /users, GET /users/{id} and include[]=users give it). */
  const userJson = (u: FakeUser) => ({
    ...ref('user', u.id, u.name),
    name: u.name,
    ...(u.email != null ? { email: u.email } : {}),
    ...(u.timeZone !== undefined ? { time_zone: u.timeZone } : {}),
    role: 'user',
  });
  const notFound = () => ({ status: 404, body: { error: { message: 'Not Found', code: 2100 } } });
  /** A since/until query value: undefined when absent, NaN when not a date. */
  const time = (q: URLSearchParams, key: string): number | undefined => {
    const v = q.get(key);
    return v === null ? undefined : Date.parse(v);
  };

  function answer(path: string, q: URLSearchParams): { status: number; body: unknown } {
    const includes = q.getAll('include[]');
    const query = (q.get('query') ?? '').toLowerCase();
    const serviceJson = (s: FakeService) => {
      const ep = policy(s.escalationPolicyId);
      return {
        ...ref('service', s.id, s.name),
        name: s.name,
        status: 'active',
        escalation_policy: includes.includes('escalation_policies')
          ? { ...ref('escalation_policy', ep.id, ep.name), name: ep.name }
          : ref('escalation_policy_reference', ep.id, ep.name),
      };
    };
    if (path === '/services') {
      const items = state.services.filter((s) => s.name.toLowerCase().includes(query)).map(serviceJson);
      return page('services', items, q);
    }
    const servicePath = /^\/services\/([^/]+)$/.exec(path);
    if (servicePath) {
      const found = state.services.find((s) => s.id === decodeURIComponent(servicePath[1]!));
      return found ? { status: 200, body: { service: serviceJson(found) } } : notFound();
    }
    if (path === '/schedules') {
      const teamIds = q.getAll('team_ids[]');
      const items = state.schedules
        .filter((s) => s.name.toLowerCase().includes(query))
        .filter((s) => teamIds.length === 0 || (s.teamIds ?? []).some((t) => teamIds.includes(t)))
        .map((s) => ({
          ...ref('schedule', s.id, s.name),
          name: s.name,
          time_zone: 'UTC',
          teams: (s.teamIds ?? []).map((t) => ref('team_reference', t, state.teams.find((x) => x.id === t)?.name ?? t)),
        }));
      return page('schedules', items, q);
    }
    if (path === '/teams') {
      const items = state.teams
        .filter((t) => t.name.toLowerCase().includes(query))
        .map((t) => ({ ...ref('team', t.id, t.name), name: t.name, description: null }));
      return page('teams', items, q);
    }
    if (path === '/oncalls') {
      const eps = q.getAll('escalation_policy_ids[]');
      const schedules = q.getAll('schedule_ids[]');
      const since = time(q, 'since');
      const until = time(q, 'until');
      if (Number.isNaN(since) || Number.isNaN(until)) return invalid('since and until must be dates');
      // Without a window PagerDuty answers the current on-calls only.
      const from = since ?? Date.now();
      const to = until ?? from;
      if (to < from) return invalid('The until time cannot be before the since time');
      if (maxOnCallRangeMs !== null && to - from > maxOnCallRangeMs) {
        return invalid(`The time range cannot exceed ${Math.round(maxOnCallRangeMs / DAY_MS)} days`);
      }
      let found = state.oncalls
        .filter((o) => eps.length === 0 || eps.includes(o.escalationPolicyId))
        .filter(
          (o) =>
            schedules.length === 0 ||
            (o.scheduleId != null ? schedules.includes(o.scheduleId) : schedules.includes('null')),
        )
        .filter((o) => {
          const start = o.start === null ? -Infinity : Date.parse(o.start);
          const end = o.end === null ? Infinity : Date.parse(o.end);
          return start <= to && end > from;
        });
      if (q.get('earliest') === 'true') {
        // Only the earliest on-call per escalation policy, level and user.
        const startOf = (o: FakeOnCall) => (o.start === null ? -Infinity : Date.parse(o.start));
        const key = (o: FakeOnCall) => `${o.escalationPolicyId}|${o.level}|${o.userId}`;
        const earliest = new Map<string, number>();
        for (const o of found) earliest.set(key(o), Math.min(earliest.get(key(o)) ?? Infinity, startOf(o)));
        found = found.filter((o) => startOf(o) === earliest.get(key(o)));
      }
      const items = found.map((o) => {
        const u = user(o.userId);
        const ep = policy(o.escalationPolicyId);
        const sched = o.scheduleId ? state.schedules.find((s) => s.id === o.scheduleId) : undefined;
        return {
          user: includes.includes('users') ? userJson(u) : ref('user_reference', u.id, u.name),
          schedule: o.scheduleId ? ref('schedule_reference', o.scheduleId, sched?.name ?? o.scheduleId) : null,
          escalation_policy: ref('escalation_policy_reference', ep.id, ep.name),
          escalation_level: o.level,
          start: o.start,
          end: o.end,
        };
      });
      return page('oncalls', items, q);
    }
    if (path === '/users') {
      const items = state.users
        .filter((u) => u.name.toLowerCase().includes(query) || (u.email ?? '').toLowerCase().includes(query))
        .map((u) => ({ ...userJson(u), email: u.email ?? null }));
      return page('users', items, q);
    }
    const userPath = /^\/users\/([^/]+)$/.exec(path);
    if (userPath) {
      const found = state.users.find((u) => u.id === decodeURIComponent(userPath[1]!));
      return found ? { status: 200, body: { user: userJson(found) } } : notFound();
    }
    if (path === '/incidents') {
      const key = q.get('incident_key');
      const services = q.getAll('service_ids[]');
      const statuses = q.getAll('statuses[]');
      const items = state.incidents
        .filter((i) => key === null || i.incidentKey === key)
        .filter((i) => services.length === 0 || services.includes(i.serviceId))
        .filter((i) => statuses.length === 0 || statuses.includes(i.status))
        .map(incidentJson);
      return page('incidents', items, q);
    }
    if (path === '/log_entries') {
      const since = time(q, 'since');
      const until = time(q, 'until');
      if (Number.isNaN(since) || Number.isNaN(until)) return invalid('since and until must be dates');
      if (since !== undefined && until !== undefined && until < since) return invalid('until cannot be before since');
      const overviewOnly = q.get('is_overview') === 'true';
      const items = state.logEntries
        .filter((e) => {
          const t = Date.parse(e.createdAt);
          return (since === undefined || t >= since) && (until === undefined || t < until);
        })
        .filter((e) => !overviewOnly || (e.overview ?? OVERVIEW_TYPES.has(e.type)))
        // Newest first, like PagerDuty.
        .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map((e) => {
          const inc = e.incidentId ? state.incidents.find((i) => i.id === e.incidentId) : undefined;
          const svc = e.serviceId ? state.services.find((x) => x.id === e.serviceId) : undefined;
          return {
            ...ref('log_entry', e.id, e.type.replace(/_log_entry$/, '').replace(/_/g, ' ')),
            type: e.type,
            created_at: e.createdAt,
            agent: ref('service_reference', e.serviceId ?? 'PAGENT', svc?.name ?? 'agent'),
            channel: { type: 'auto' },
            ...(e.incidentId ? { incident: ref('incident_reference', e.incidentId, inc?.title ?? e.incidentId) } : {}),
            ...(e.serviceId ? { service: ref('service_reference', e.serviceId, svc?.name ?? e.serviceId) } : {}),
            ...(e.assigneeIds
              ? { assignees: e.assigneeIds.map((id) => ref('user_reference', id, user(id).name)) }
              : {}),
            teams: [],
            contexts: [],
          };
        });
      return page('log_entries', items, q);
    }
    return notFound();
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });

  function handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const query: Record<string, string[]> = {};
    for (const k of new Set(url.searchParams.keys())) query[k] = url.searchParams.getAll(k);
    let body: unknown;
    let badJson = false;
    if (raw !== '') {
      try {
        body = JSON.parse(raw) as unknown;
      } catch {
        badJson = true;
      }
    }
    requests.push({ method, path: url.pathname, query, headers: req.headers, body });

    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(body);
    };
    const normal = () => {
      if (req.headers.authorization !== `Token token=${token}`) {
        return send(401, JSON.stringify({ error: { message: 'Unauthorized', code: 2006 } }));
      }
      const out =
        method === 'GET'
          ? answer(url.pathname, url.searchParams)
          : badJson
            ? invalid('body is not JSON')
            : write(method, url.pathname, req.headers, body);
      send(out.status, JSON.stringify(out.body));
    };

    const queue = failures.get(url.pathname);
    const failure = queue?.[0];
    if (!failure) return normal();
    if (--failure.left <= 0) queue.shift();
    const respond = () => {
      const pureDelay = failure.status === undefined && failure.body === undefined;
      if (pureDelay) return normal();
      const status = failure.status ?? (failure.body !== undefined ? 200 : 500);
      const body = failure.body ?? JSON.stringify({ error: { message: `Injected ${status}`, code: 2000 } });
      send(status, body, failure.retryAfter !== undefined ? { 'Retry-After': String(failure.retryAfter) } : {});
    };
    if (failure.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        respond();
      }, failure.delayMs);
      timers.add(timer);
    } else {
      respond();
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    state,
    requests,
    requestsTo: (path) => requests.filter((r) => r.method === 'GET' && r.path === path),
    addUser: (...users) => void state.users.push(...users),
    addTeam: (...teams) => void state.teams.push(...teams),
    addSchedule: (...schedules) => void state.schedules.push(...schedules),
    addEscalationPolicy: (...policies) => void state.escalationPolicies.push(...policies),
    addOnCall: (...oncalls) => void state.oncalls.push(...oncalls),
    addLogEntry: (...entries) => void state.logEntries.push(...entries),
    failNext(path, failure) {
      const list = failures.get(path) ?? [];
      list.push({ ...failure, left: failure.times ?? 1 });
      failures.set(path, list);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
