/**
 * A small stateful stand-in for PagerDuty's REST API (node:http only): GET /services, /schedules and /oncalls with
 * PagerDuty's response shapes and offset pagination (limit/offset/more), plus failure injection and a request log.
 *
 *   const pd = await startPagerDutyFake({ maxLimit: 2 });
 *   pd.state.users.push({ id: 'PU1', name: 'Ann', email: 'ann@example.com' });
 *   pd.failNext('/oncalls', { status: 429, retryAfter: 3 });
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUser {
  id: string;
  name: string;
  email?: string | null;
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

export interface FakeState {
  users: FakeUser[];
  escalationPolicies: FakeEscalationPolicy[];
  services: FakeService[];
  schedules: FakeSchedule[];
  oncalls: FakeOnCall[];
}

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
}

export interface PagerDutyFake {
  url: string;
  /** Requests must carry `Authorization: Token token=<token>` (else 401). */
  token: string;
  state: FakeState;
  requests: RecordedRequest[];
  failNext(path: string, failure: Failure): void;
  close(): Promise<void>;
}

const ref = (type: string, id: string, summary: string) => ({ id, type, summary, self: `https://api.pagerduty.com/${type}/${id}` });

export async function startPagerDutyFake(
  options: { token?: string; maxLimit?: number; state?: Partial<FakeState> } = {},
): Promise<PagerDutyFake> {
  const token = options.token ?? 'fake-pd-token-123';
  const maxLimit = options.maxLimit ?? 100;
  const state: FakeState = {
    users: [],
    escalationPolicies: [],
    services: [],
    schedules: [],
    oncalls: [],
    ...options.state,
  };
  const requests: RecordedRequest[] = [];
  const failures = new Map<string, Array<Failure & { left: number }>>();
  const timers = new Set<NodeJS.Timeout>();

  const policy = (id: string) => state.escalationPolicies.find((p) => p.id === id) ?? { id, name: id };
  const user = (id: string) => state.users.find((u) => u.id === id) ?? { id, name: id };

  function page(key: string, all: unknown[], q: URLSearchParams) {
    const limit = Math.min(Number(q.get('limit') ?? 25) || 25, maxLimit);
    const offset = Number(q.get('offset') ?? 0) || 0;
    const items = all.slice(offset, offset + limit);
    return { [key]: items, limit, offset, more: offset + items.length < all.length, total: null };
  }

  function answer(path: string, q: URLSearchParams): { status: number; body: unknown } {
    const includes = q.getAll('include[]');
    const query = (q.get('query') ?? '').toLowerCase();
    if (path === '/services') {
      const items = state.services
        .filter((s) => s.name.toLowerCase().includes(query))
        .map((s) => {
          const ep = policy(s.escalationPolicyId);
          return {
            ...ref('service', s.id, s.name),
            name: s.name,
            status: 'active',
            escalation_policy: includes.includes('escalation_policies')
              ? { ...ref('escalation_policy', ep.id, ep.name), name: ep.name }
              : ref('escalation_policy_reference', ep.id, ep.name),
          };
        });
      return { status: 200, body: page('services', items, q) };
    }
    if (path === '/schedules') {
      const items = state.schedules
        .filter((s) => s.name.toLowerCase().includes(query))
        .map((s) => ({ ...ref('schedule', s.id, s.name), name: s.name, time_zone: 'UTC' }));
      return { status: 200, body: page('schedules', items, q) };
    }
    if (path === '/oncalls') {
      const eps = q.getAll('escalation_policy_ids[]');
      const schedules = q.getAll('schedule_ids[]');
      const since = q.get('since') ? Date.parse(q.get('since')!) : null;
      const until = q.get('until') ? Date.parse(q.get('until')!) : null;
      const items = state.oncalls
        .filter((o) => eps.length === 0 || eps.includes(o.escalationPolicyId))
        .filter((o) => schedules.length === 0 || (o.scheduleId != null && schedules.includes(o.scheduleId)))
        .filter((o) => {
          const start = o.start === null ? -Infinity : Date.parse(o.start);
          const end = o.end === null ? Infinity : Date.parse(o.end);
          // Without a window PagerDuty answers the current on-calls only.
          const from = since ?? Date.now();
          const to = until ?? from;
          return start <= to && end > from;
        })
        .map((o) => {
          const u = user(o.userId);
          const ep = policy(o.escalationPolicyId);
          const sched = o.scheduleId ? state.schedules.find((s) => s.id === o.scheduleId) : undefined;
          return {
            user: includes.includes('users')
              ? { ...ref('user', u.id, u.name), name: u.name, ...(u.email != null ? { email: u.email } : {}) }
              : ref('user_reference', u.id, u.name),
            schedule: o.scheduleId ? ref('schedule_reference', o.scheduleId, sched?.name ?? o.scheduleId) : null,
            escalation_policy: ref('escalation_policy_reference', ep.id, ep.name),
            escalation_level: o.level,
            start: o.start,
            end: o.end,
          };
        });
      return { status: 200, body: page('oncalls', items, q) };
    }
    return { status: 404, body: { error: { message: 'Not Found', code: 2100 } } };
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query: Record<string, string[]> = {};
    for (const k of new Set(url.searchParams.keys())) query[k] = url.searchParams.getAll(k);
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query, headers: req.headers });

    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(body);
    };
    const normal = () => {
      if (req.headers.authorization !== `Token token=${token}`) {
        return send(401, JSON.stringify({ error: { message: 'Unauthorized', code: 2006 } }));
      }
      const { status, body } = answer(url.pathname, url.searchParams);
      send(status, JSON.stringify(body));
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
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    state,
    requests,
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
