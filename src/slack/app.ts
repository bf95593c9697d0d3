import type { IncomingMessage, ServerResponse } from 'node:http';
import bolt from '@slack/bolt';
import type { Config } from '../config.ts';
import type { ListenerContext } from './context.ts';
import { registerListeners } from './listeners/index.ts';
import { skipRetriedDeliveries } from './deliveries.ts';
import type { DeliveryLog } from '../ports/delivery-log.ts';
import { actingAs } from '../audit-context.ts';
import { auditActorOf } from './audit-actor.ts';
import type { Metrics } from '../metrics.ts';
import { slackLibraryLogger } from '../logger.ts';
import type { WorkLimit } from '../work-limit.ts';

const { App, LogLevel } = bolt;
type ReceiverEvent = bolt.ReceiverEvent;

export interface SlackAppOptions {
  config: Config;
  ctx: ListenerContext;
  /** Resolves when the database answers; /healthz says 503 otherwise. */
  healthCheck: () => Promise<void>;
  /** Wraps each request's processing, so shutdown and tests can wait for work after the ack. */
  track: <T>(work: Promise<T>) => Promise<T>;
  /** More HTTP routes on the same server (the PagerDuty webhook). */
  extraRoutes?: { path: string; method: string[]; handler: (req: IncomingMessage, res: ServerResponse) => void }[];
  /** Deliveries already handled, so Slack's retries of them are dropped. */
  deliveries: DeliveryLog;
  /** Counts requests and acks, times Web API calls, and serves GET /metrics (the bot always passes it). */
  metrics?: Metrics;
  /** Web API retries (tests use fewer). */
  retries?: { retries: number; factor?: number; minTimeout?: number; maxTimeout?: number };
}

/**
 * The Bolt app: HTTP on /slack/events (Bolt verifies each request's signature) or Socket Mode when
 * SLACK_APP_TOKEN is set; GET /healthz and GET /metrics either way.
 */
export function createSlackApp(opts: SlackAppOptions): InstanceType<typeof App> {
  const { config } = opts;
  const healthz = {
    path: '/healthz',
    method: ['GET'],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      opts.healthCheck().then(
        () => reply(res, 200, { status: 'ok' }),
        () => reply(res, 503, { status: 'unavailable', reason: 'database unreachable' }),
      );
    },
  };
  const app = new App({
    token: config.SLACK_BOT_TOKEN,
    signingSecret: config.SLACK_SIGNING_SECRET,
    ...(config.SLACK_APP_TOKEN
      ? { socketMode: true, appToken: config.SLACK_APP_TOKEN, installerOptions: { port: config.PORT } }
      : {}),
    customRoutes: [healthz, ...(opts.metrics ? [opts.metrics.route] : []), ...(opts.extraRoutes ?? [])],
    // Bolt's and the WebClient's own lines go through our logger, so they are redacted like ours
    // (LogLevel is an enum of the same strings the adapter takes and gives).
    logger: slackLibraryLogger(opts.ctx.deps.logger) as unknown as bolt.Logger,
    logLevel: config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? LogLevel.DEBUG : LogLevel.WARN,
    clientOptions: {
      slackApiUrl: config.SLACK_API_URL,
      // A call that hangs must not hold an incident's provisioning lease for ever.
      timeout: 15_000,
      retryConfig: opts.retries ?? { retries: 5, factor: 2, minTimeout: 500, maxTimeout: 10_000 },
      // Times every Web API call of every WebClient Bolt makes (app.client and the listeners' client).
      ...(opts.metrics ? { fetch: opts.metrics.slackFetch(config.SLACK_API_URL) } : {}),
    },
  });
  opts.metrics?.instrumentSlackApp(app);
  answerFirst(app, opts.ctx.work);
  // Each request's work (after the ack too) is tracked, and done on behalf of whoever sent it.
  app.use(async ({ body, next }) => {
    await opts.track(actingAs(auditActorOf(body), next));
  });
  app.use(skipRetriedDeliveries({ log: opts.deliveries, clock: opts.ctx.deps.clock, logger: opts.ctx.deps.logger }));
  registerListeners(app, opts.ctx);
  app.error(async (err) => {
    opts.ctx.deps.logger.error({ err }, 'unhandled Slack listener error');
  });
  return app;
}

/** Each request counts as being answered from its arrival until its ack (or its end): work waits for it (WorkLimit). */
function answerFirst(app: { processEvent(event: ReceiverEvent): Promise<void> }, work: WorkLimit) {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = (event: ReceiverEvent) => {
    const answered = work.beginAnswering();
    const ack = async (response?: unknown) => {
      try {
        await event.ack(response);
      } finally {
        answered();
      }
    };
    return processEvent({ ...event, ack }).finally(answered);
  };
}

function reply(res: ServerResponse, status: number, body: object) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
