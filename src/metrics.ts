// Prometheus metrics of one running bot, on its own registry (several bots in one process do not
// share counters): Slack requests and acks, Slack Web API and PagerDuty API calls, open incidents.
// GET /metrics serves them in the Prometheus text format.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from './logger.ts';
import { SEVERITIES, type Severity } from './domain/severity.ts';
import type { PagerDutyCallSample } from './pagerduty/client.ts';

export type SlackRequestKind = 'command' | 'action' | 'view' | 'event' | 'shortcut' | 'options' | 'other';

/** What Bolt hands its app for each request (ReceiverEvent), as far as the metrics need it. */
export interface SlackReceiverEvent {
  body: unknown;
  // biome-ignore lint/suspicious/noExplicitAny: Bolt's own AckFn takes any response.
  ack: (response?: any) => Promise<void>;
}

type FetchFn = typeof globalThis.fetch;

export interface Metrics {
  readonly registry: Registry;
  /** GET /metrics, for Bolt's customRoutes. */
  readonly route: { path: string; method: string[]; handler: (req: IncomingMessage, res: ServerResponse) => void };
  /** Counts each request Bolt's receiver passes to the app, and times its ack. */
  // biome-ignore lint/suspicious/noExplicitAny: Bolt's App.processEvent takes its ReceiverEvent, whose ack is typed with any.
  instrumentSlackApp(app: { processEvent(event: any): Promise<void> }): void;
  /** A fetch for Bolt's WebClients (clientOptions.fetch) timing every Web API call under `apiUrl`. */
  slackFetch(apiUrl: string, fetchFn?: FetchFn): FetchFn;
  /** For the PagerDuty client's `observe` option. */
  observePagerDuty(sample: PagerDutyCallSample): void;
}

export interface MetricsOptions {
  /** How many incidents are not resolved or closed, by severity (IncidentStore.countActiveBySeverity: one aggregate query), read on each scrape. */
  openIncidents: () => Promise<Partial<Record<Severity, number>>>;
  logger: Logger;
  /** Work after acks running and waiting for a slot (WorkLimit.stats), read on each scrape. */
  work?: () => { running: number; waiting: number };
  /** Node's process metrics (CPU, memory, event loop lag, GC); default on. */
  processMetrics?: boolean;
  /** METRICS_TOKEN: when set, GET /metrics needs `Authorization: Bearer <token>` (else 401). */
  token?: string | null;
}

/** True when the Authorization header carries `Bearer <token>` (compared in constant time, whatever the lengths). */
export function bearerMatches(header: string | string[] | undefined, token: string): boolean {
  if (typeof header !== 'string') return false;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!m) return false;
  // Digests of both, so neither the length nor the content shows in the time taken.
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(m[1]!), digest(token));
}

const PREFIX = 'incident_bot_';
/** Slack wants an ack within 3 s. */
const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5];
const API_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];

/** Which of Bolt's kinds of incoming request a body is. */
export function slackRequestKind(body: unknown): SlackRequestKind {
  if (!body || typeof body !== 'object') return 'other';
  const b = body as Record<string, unknown>;
  if (typeof b.command === 'string') return 'command';
  switch (b.type) {
    case 'event_callback':
      return 'event';
    case 'block_actions':
    case 'interactive_message':
      return 'action';
    case 'view_submission':
    case 'view_closed':
      return 'view';
    case 'shortcut':
    case 'message_action':
      return 'shortcut';
    case 'block_suggestion':
    case 'dialog_suggestion':
      return 'options';
    default:
      return 'other';
  }
}

const SLACK_METHOD = /^[a-zA-Z]+(?:\.[a-zA-Z0-9]+)+$/;
const SLACK_ERROR_CODE = /^[a-z0-9_]{1,64}$/;

function urlOf(input: Parameters<FetchFn>[0]): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

export function createMetrics(opts: MetricsOptions): Metrics {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const requests = new Counter({
    name: `${PREFIX}slack_requests_total`,
    help: 'Requests from Slack that passed signature verification, by kind.',
    labelNames: ['kind'],
    registers,
  });
  const acks = new Counter({
    name: `${PREFIX}slack_acks_total`,
    help: 'Requests from Slack acknowledged, by kind.',
    labelNames: ['kind'],
    registers,
  });
  const ackSeconds = new Histogram({
    name: `${PREFIX}slack_ack_duration_seconds`,
    help: 'Time from a verified Slack request reaching the app to its acknowledgement (Slack allows 3 s).',
    labelNames: ['kind'],
    buckets: ACK_BUCKETS,
    registers,
  });
  const slackApiSeconds = new Histogram({
    name: `${PREFIX}slack_api_request_duration_seconds`,
    help: 'Slack Web API requests (each attempt, retries included), by method, until the answer was read.',
    labelNames: ['method'],
    buckets: API_BUCKETS,
    registers,
  });
  const slackApiErrors = new Counter({
    name: `${PREFIX}slack_api_errors_total`,
    help: "Slack Web API requests that failed, by method and error (Slack's error code, ratelimited, http_<status>, timeout or network).",
    labelNames: ['method', 'error'],
    registers,
  });
  const pdSeconds = new Histogram({
    name: `${PREFIX}pagerduty_request_duration_seconds`,
    help: 'PagerDuty REST API requests (each attempt, retries included), by HTTP method and route.',
    labelNames: ['method', 'route'],
    buckets: API_BUCKETS,
    registers,
  });
  const pdErrors = new Counter({
    name: `${PREFIX}pagerduty_request_errors_total`,
    help: 'PagerDuty REST API attempts that failed, by HTTP method, route and error (timeout, network, http_429, http_5xx, http_4xx).',
    labelNames: ['method', 'route', 'error'],
    registers,
  });
  const { openIncidents, logger } = opts;
  new Gauge({
    name: `${PREFIX}open_incidents`,
    help: 'Incidents not resolved or closed, by severity (read from the database on each scrape; absent when it does not answer).',
    labelNames: ['severity'],
    registers,
    async collect() {
      this.reset();
      let counts: Partial<Record<Severity, number>>;
      try {
        counts = await openIncidents();
      } catch (err) {
        logger.warn({ err }, 'metrics: open incidents could not be read');
        return;
      }
      for (const severity of SEVERITIES) this.set({ severity }, counts[severity] ?? 0);
    },
  });

  const { work } = opts;
  if (work) {
    new Gauge({
      name: `${PREFIX}work_after_ack`,
      help: 'Work after Slack acks (declaring, updates, reports): running, and waiting for a slot (WORK_CONCURRENCY).',
      labelNames: ['state'],
      registers,
      collect() {
        const { running, waiting } = work();
        this.set({ state: 'running' }, running);
        this.set({ state: 'waiting' }, waiting);
      },
    });
  }

  const route = {
    path: '/metrics',
    method: ['GET'],
    handler: (req: IncomingMessage, res: ServerResponse) => {
      if (opts.token && !bearerMatches(req.headers.authorization, opts.token)) {
        logger.warn({}, 'metrics: scrape without the bearer token (METRICS_TOKEN) refused');
        res.writeHead(401, {
          'content-type': 'text/plain; charset=utf-8',
          'www-authenticate': 'Bearer realm="metrics"',
        });
        res.end('unauthorized\n');
        return;
      }
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        },
        (err: unknown) => {
          logger.error({ err }, 'metrics: scrape failed');
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('metrics unavailable\n');
        },
      );
    },
  };

  function instrumentSlackApp(app: { processEvent(event: SlackReceiverEvent): Promise<void> }): void {
    const processEvent = app.processEvent.bind(app);
    app.processEvent = (event: SlackReceiverEvent) => {
      const kind = slackRequestKind(event.body);
      const start = performance.now();
      requests.inc({ kind });
      let acked = false;
      const ack = async (response?: unknown) => {
        const first = !acked;
        acked = true;
        await event.ack(response);
        if (first) {
          acks.inc({ kind });
          ackSeconds.observe({ kind }, (performance.now() - start) / 1000);
        }
      };
      return processEvent({ ...event, ack });
    };
  }

  function slackFetch(apiUrl: string, fetchFn: FetchFn = globalThis.fetch): FetchFn {
    const base = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
    return async (input, init) => {
      const url = urlOf(input);
      // Bolt's respond() (response URLs) shares this fetch: only Web API calls are counted.
      if (!url.startsWith(base)) return fetchFn(input, init);
      const name = url.slice(base.length).split(/[?#]/)[0] ?? '';
      const method = SLACK_METHOD.test(name) ? name : 'other';
      const start = performance.now();
      const done = (error: string | null) => {
        slackApiSeconds.observe({ method }, (performance.now() - start) / 1000);
        if (error) slackApiErrors.inc({ method, error });
      };
      let res: Response;
      try {
        res = await fetchFn(input, init);
      } catch (err) {
        done(isTimeout(err) ? 'timeout' : 'network');
        throw err;
      }
      if (res.status === 429) done('ratelimited');
      else if (res.status !== 200) done(`http_${res.status}`);
      else if (!(res.headers.get('content-type') ?? '').includes('json')) done(null);
      else {
        // Slack answers 200 with {"ok": false, "error": "..."} for a refused call.
        let error: string | null = null;
        try {
          const body = JSON.parse(await res.clone().text()) as { ok?: unknown; error?: unknown };
          if (body.ok === false)
            error = typeof body.error === 'string' && SLACK_ERROR_CODE.test(body.error) ? body.error : 'unknown';
        } catch {
          error = 'invalid_body';
        }
        done(error);
      }
      return res;
    };
  }

  function observePagerDuty(sample: PagerDutyCallSample): void {
    const labels = { method: sample.method, route: sample.route };
    pdSeconds.observe(labels, sample.seconds);
    if (sample.error) pdErrors.inc({ ...labels, error: sample.error });
  }

  return { registry, route, instrumentSlackApp, slackFetch, observePagerDuty };
}
