// Socket Mode (SLACK_APP_TOKEN): Slack's deliveries come over a WebSocket the bot opens itself, so
// the bot needs no public URL (local development, a laptop behind NAT). The connection's URL comes
// from `apps.connections.open` on SLACK_API_URL, like every other Web API call.
//
// Bolt's SocketModeReceiver can serve custom routes on a port of its own, but it neither reports the
// port it got (PORT=0) nor its listening errors, and does not wait for the socket to close on stop.
// This receiver serves the bot's routes (GET /healthz, GET /metrics, the PagerDuty webhook) on PORT
// itself (`server`): start() resolves once both the port listens and Slack said hello; stop() closes
// both.
import { match } from 'path-to-regexp';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import bolt from '@slack/bolt';
import type { AppsConnectionsOpenResponse, WebClientOptions } from '@slack/web-api';

const { SocketModeReceiver } = bolt;

export interface Route {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export interface SocketModeOptions {
  appToken: string;
  /** PORT of the routes' server (0: any free port). */
  port: number;
  routes: Route[];
  logger: bolt.Logger;
  logLevel: bolt.LogLevel;
  /** Options of the WebClient that calls `apps.connections.open` (slackApiUrl, timeout, fetch). */
  clientOptions: WebClientOptions;
  /** How long stop() waits for Slack to close the connection before leaving it (default 5 s). */
  closeTimeoutMs?: number;
}

/**
 * An HTTP server answering `routes` (exact paths, or path-to-regexp patterns such as `/web{/*rest}`,
 * as Bolt's HTTP receiver matches them), 404 for anything else; a throwing handler is a 500.
 */
export function routeServer(routes: Route[], onError: (err: unknown) => void): Server {
  const table = new Map<string, Map<string, Route['handler']>>();
  const patterns: { match: ReturnType<typeof match>; methods: Map<string, Route['handler']> }[] = [];
  for (const r of routes) {
    const pattern = /[:{*(]/.test(r.path);
    const methods = (pattern ? undefined : table.get(r.path)) ?? new Map<string, Route['handler']>();
    for (const m of r.method) methods.set(m.toUpperCase(), r.handler);
    if (pattern) patterns.push({ match: match(r.path, { decode: decodeURIComponent }), methods });
    else table.set(r.path, methods);
  }
  return http.createServer((req, res) => {
    let handler: Route['handler'] | undefined;
    try {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const method = (req.method ?? '').toUpperCase();
      handler = table.get(path)?.get(method) ?? patterns.find((p) => p.match(path))?.methods.get(method);
    } catch (err) {
      // A malformed %-escape in a path one of the patterns matched (decodeURIComponent): a 400, as the HTTP receiver answers.
      if (err instanceof URIError) {
        unreadableAddress(res);
        return;
      }
      // anything else unparseable: not one of ours
    }
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    try {
      handler(req, res);
    } catch (err) {
      onError(err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  });
}

/** The answer to an address whose %-escapes cannot be decoded (both receivers give it). */
export function unreadableAddress(res: ServerResponse): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end('That address cannot be read.\n');
}

/** Bolt's Socket Mode receiver, with the bot's routes on PORT (see the top of this file). */
export class SocketModeWithRoutes extends SocketModeReceiver {
  readonly server: Server;
  readonly #port: number;
  readonly #closeTimeoutMs: number;

  constructor(opts: SocketModeOptions) {
    super({
      appToken: opts.appToken,
      logger: opts.logger,
      logLevel: opts.logLevel,
      // Bolt's receiver passes these to the SocketModeClient's WebClient (apps.connections.open).
      installerOptions: { clientOptions: opts.clientOptions },
    });
    this.#port = opts.port;
    this.#closeTimeoutMs = opts.closeTimeoutMs ?? 5_000;
    this.server = routeServer(opts.routes, (err) => opts.logger.error('an HTTP route failed', err));
  }

  /** Listens on PORT, then connects to Slack; resolves once Slack said hello. */
  override async start(): Promise<AppsConnectionsOpenResponse> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.#port, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    try {
      return await super.start();
    } catch (err) {
      await this.#closeServer();
      throw err;
    }
  }

  /** Closes the WebSocket (waiting a few seconds at most for Slack's side) and the HTTP server. */
  override async stop(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.client.disconnect(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#closeTimeoutMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    await this.#closeServer();
  }

  #closeServer(): Promise<void> {
    if (!this.server.listening) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }
}
