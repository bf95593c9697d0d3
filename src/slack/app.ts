import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import bolt from '@slack/bolt';
import type { Config } from '../config.ts';
import type { ListenerContext } from './context.ts';
import { registerListeners } from './listeners/index.ts';
import { skipRepeatedDeliveries } from './deliveries.ts';
import type { DeliveryLog } from '../ports/delivery-log.ts';
import { actingAs } from '../audit-context.ts';
import { auditActorOf } from './audit-actor.ts';
import type { Metrics } from '../metrics.ts';
import { slackLibraryLogger } from '../logger.ts';
import type { WorkLimit } from '../work-limit.ts';
import { cleanUnstorable } from '../domain/storable-text.ts';
import type { Logger } from '../logger.ts';
import { envelopeProblems, slackEnvelopeSchema } from './payloads.ts';
import { guardSlackRequests } from './request-guard.ts';
import { screenResponseUrls, slackResponseUrlCheck, type ResponseUrlCheck } from './response-urls.ts';
import { SocketModeWithRoutes, unreadableAddress } from './socket-mode.ts';

const { App, HTTPReceiver, LogLevel } = bolt;
const { WebClient } = bolt.webApi;
type ReceiverEvent = bolt.ReceiverEvent;

/** The context key under which each HTTP request's Slack signature reaches the middleware. */
export const REQUEST_SIGNATURE = 'slackRequestSignature';

export interface SlackAppOptions {
  config: Config;
  ctx: ListenerContext;
  /** Resolves when the database answers; /healthz says 503 otherwise. */
  healthCheck: () => Promise<void>;
  /** Wraps each request's processing, so shutdown and tests can wait for work after the ack. */
  track: <T>(work: Promise<T>) => Promise<T>;
  /** More HTTP routes on the same server (the PagerDuty webhook). */
  extraRoutes?: { path: string; method: string[]; handler: (req: IncomingMessage, res: ServerResponse) => void }[];
  /** Deliveries already handled, so Slack's retries and any replay of them are dropped. */
  deliveries: DeliveryLog;
  /** Counts requests and acks, times Web API calls, and serves GET /metrics (the bot always passes it). */
  metrics?: Metrics;
  /** Where private answers may be posted (default: Slack's response URLs for SLACK_API_URL). */
  responseUrls?: ResponseUrlCheck;
  /** Web API retries (tests use fewer). */
  retries?: { retries: number; factor?: number; minTimeout?: number; maxTimeout?: number };
}

/** The Web API retries of the bot's clients, unless told otherwise (tests use fewer). */
const DEFAULT_RETRIES = { retries: 5, factor: 2, minTimeout: 500, maxTimeout: 10_000 };

/** How much of Bolt's and the WebClient's own logging is kept. */
function slackLogLevel(config: Config): bolt.LogLevel {
  return config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? LogLevel.DEBUG : LogLevel.WARN;
}

/** What every Web API client of the bot is configured with (Bolt's, the listeners', the chat platform's, Socket Mode's). */
function webApiOptions(config: Config, metrics: Metrics | undefined) {
  return {
    slackApiUrl: config.SLACK_API_URL,
    // A call that hangs must not hold an incident's provisioning lease for ever.
    timeout: 15_000,
    // Times every Web API call of every WebClient (app.client, the listeners' client and createSlackClient's).
    ...(metrics ? { fetch: metrics.slackFetch(config.SLACK_API_URL) } : {}),
  };
}

/**
 * The Web API client the use cases speak through (the chat platform), made before the app and
 * configured as Bolt's own client is in createSlackApp: the bot token, SLACK_API_URL, the timeout,
 * the metrics, the retries, and our logger at the same level.
 */
export function createSlackClient(opts: {
  config: Config;
  logger: Logger;
  metrics?: Metrics;
  retries?: SlackAppOptions['retries'];
}): InstanceType<typeof WebClient> {
  const { config } = opts;
  return new WebClient(config.SLACK_BOT_TOKEN, {
    ...webApiOptions(config, opts.metrics),
    retryConfig: opts.retries ?? DEFAULT_RETRIES,
    logger: slackLibraryLogger(opts.logger, slackLogLevel(config)) as unknown as bolt.Logger,
  });
}

/**
 * The Bolt app: HTTP on /slack/events or Socket Mode when SLACK_APP_TOKEN is set (socket-mode.ts);
 * GET /healthz and GET /metrics on PORT either way, and app.start() resolves with that HTTP server.
 * Over HTTP every request to /slack/events is screened before Bolt sees
 * it (request-guard.ts: signature, time window, size, content type, envelope); every delivery, by
 * either transport, is checked again, cleaned of text the database cannot store and of response
 * URLs that are not Slack's before any middleware runs (screenDeliveries).
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
  const customRoutes = [healthz, ...(opts.metrics ? [opts.metrics.route] : []), ...(opts.extraRoutes ?? [])];
  // Bolt's and the WebClient's own lines go through our logger, so they are redacted like ours
  // (LogLevel is an enum of the same strings the adapter takes and gives).
  const logger = slackLibraryLogger(opts.ctx.deps.logger) as unknown as bolt.Logger;
  const logLevel = slackLogLevel(config);
  const clientOptions = webApiOptions(config, opts.metrics);
  let receiver: InstanceType<typeof HTTPReceiver> | SocketModeWithRoutes;
  let routesServer: (() => Server | null) | undefined;
  if (config.SLACK_APP_TOKEN) {
    // apps.connections.open goes to SLACK_API_URL too, with Socket Mode's own retries (it reconnects).
    const socketMode = new SocketModeWithRoutes({
      appToken: config.SLACK_APP_TOKEN,
      port: config.PORT,
      routes: customRoutes,
      logger,
      logLevel,
      clientOptions: { ...clientOptions },
    });
    routesServer = () => socketMode.server;
    receiver = socketMode;
  } else {
    // loadConfig requires the signing secret when there is no app token.
    if (!config.SLACK_SIGNING_SECRET) throw new Error('SLACK_SIGNING_SECRET is required without SLACK_APP_TOKEN');
    receiver = new HTTPReceiver({
      signingSecret: config.SLACK_SIGNING_SECRET,
      customRoutes,
      logger,
      logLevel,
      // Bolt matches its custom routes with decodeURIComponent before any of ours runs: a malformed
      // %-escape (/web/%E0) throws URIError there, a 400 rather than Bolt's bare 500. Anything else as Bolt does.
      dispatchErrorHandler: (args) => {
        if (args.error instanceof URIError) unreadableAddress(args.response);
        else bolt.HTTPModuleFunctions.defaultDispatchErrorHandler(args);
      },
      // The request's signature is the identity of a delivery that has no other (deliveries.ts).
      customPropertiesExtractor: (req) => {
        const signature = req.headers['x-slack-signature'];
        return typeof signature === 'string' ? { [REQUEST_SIGNATURE]: signature } : {};
      },
    });
    guardSlackRequests(receiver, { signingSecret: config.SLACK_SIGNING_SECRET, logger: opts.ctx.deps.logger });
  }
  const app = new App({
    token: config.SLACK_BOT_TOKEN,
    receiver,
    ...(config.SLACK_APP_TOKEN ? { socketMode: true } : {}),
    logger,
    logLevel,
    clientOptions: { ...clientOptions, retryConfig: opts.retries ?? DEFAULT_RETRIES },
  });
  if (routesServer) socketModeServers.set(app, routesServer);
  opts.metrics?.instrumentSlackApp(app);
  answerFirst(app, opts.ctx.work);
  screenDeliveries(app, {
    logger: opts.ctx.deps.logger,
    responseUrls: opts.responseUrls ?? slackResponseUrlCheck(config.SLACK_API_URL),
  });
  // Each request's work (after the ack too) is tracked, and done on behalf of whoever sent it.
  app.use(async ({ body, next }) => {
    await opts.track(actingAs(auditActorOf(body), next));
  });
  app.use(
    skipRepeatedDeliveries({
      log: opts.deliveries,
      clock: opts.ctx.deps.clock,
      logger: opts.ctx.deps.logger,
      signatureKey: REQUEST_SIGNATURE,
    }),
  );
  registerListeners(app, opts.ctx);
  app.error(async (err) => {
    opts.ctx.deps.logger.error({ err }, 'unhandled Slack listener error');
  });
  return app;
}

const socketModeServers = new WeakMap<object, () => Server | null>();

/**
 * The HTTP server of a started app (GET /healthz, GET /metrics, and over HTTP /slack/events): what
 * app.start() resolved with over HTTP, the routes' own server in Socket Mode.
 */
export function httpServerOf(app: object, started: unknown): Server {
  const server = socketModeServers.get(app)?.() ?? started;
  if (!(server instanceof http.Server)) throw new Error('the Slack app has no HTTP server: was it started?');
  return server;
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

/**
 * Before anything else sees a delivery (HTTP or Socket Mode): one that is not a Slack payload the
 * bot accepts is acknowledged and dropped (over HTTP the request guard has refused it already);
 * text the database cannot store is cleaned (storable-text.ts), and response URLs that are not
 * Slack's are removed (response-urls.ts), each logged by where it was, never by content.
 */
export function screenDeliveries(
  app: { processEvent(event: ReceiverEvent): Promise<void> },
  opts: { logger: Logger; responseUrls: ResponseUrlCheck },
) {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = async (event: ReceiverEvent) => {
    let body: unknown;
    try {
      const envelope = slackEnvelopeSchema.safeParse(event.body);
      if (!envelope.success)
        throw Object.assign(new Error('not a Slack payload the bot accepts'), {
          problems: envelopeProblems(envelope.error),
        });
      const cleaned = cleanUnstorable(event.body);
      if (cleaned.paths.length) {
        opts.logger.warn(
          { fields: cleaned.paths.slice(0, 20) },
          'Slack delivery had text the database cannot store (U+0000, unpaired surrogates): cleaned',
        );
      }
      const screened = screenResponseUrls(cleaned.value, opts.responseUrls);
      if (screened.refused.length) {
        opts.logger.warn(
          { fields: screened.refused },
          "Slack delivery named a response URL that is not Slack's: ignored (answers go by direct message)",
        );
      }
      body = screened.body;
    } catch (err) {
      opts.logger.warn({ err }, 'Slack delivery dropped: not a Slack payload the bot accepts');
      await event.ack().catch(() => {});
      return;
    }
    return processEvent({ ...event, body: body as ReceiverEvent['body'] });
  };
}

function reply(res: ServerResponse, status: number, body: object) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
