import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { nestedDeeperThan } from '../domain/storable-text.ts';
import type { Logger } from '../logger.ts';
import { appRateLimitedSchema, envelopeProblems, slackEnvelopeSchema } from './payloads.ts';

/** Slack signs each request with its time: one more than this far from ours, either way, is refused. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;
/** Bolt's own limit on a request body. */
export const SLACK_BODY_LIMIT = 4 * 1024 * 1024;

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

export interface RequestGuardOptions {
  signingSecret: string;
  logger: Logger;
  /** Bolt's endpoints (default `/slack/events`). */
  endpoints?: string[];
  bodyLimit?: number;
  /** Unix ms now (tests). */
  now?: () => number;
}

/** What becomes of one request: handed to Bolt, or answered here. */
export type Verdict =
  | { pass: true; raw: Buffer; contentType: string }
  | { pass: false; status: number; reason: string; detail?: Record<string, unknown> };

const refuse = (status: number, reason: string, detail?: Record<string, unknown>): Verdict => ({
  pass: false,
  status,
  reason,
  ...(detail ? { detail } : {}),
});

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

/** The body, or null when it is larger than `limit` (then reading stops). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return resolve(null);
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      f();
    };
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        req.pause();
        finish(() => resolve(null));
      } else chunks.push(c);
    });
    req.on('end', () => finish(() => resolve(Buffer.concat(chunks))));
    req.on('error', (err) => finish(() => reject(err)));
    req.on('aborted', () => finish(() => reject(new Error('request aborted'))));
  });
}

/** Slack's v0 signature of `text` at `timestamp` matches `signature` (constant-time comparison). */
export function slackSignatureMatches(secret: string, timestamp: string, text: string, signature: string): boolean {
  const m = /^v0=([0-9a-f]{64})$/.exec(signature);
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(`v0:${timestamp}:${text}`).digest();
  return timingSafeEqual(Buffer.from(m[1]!, 'hex'), expected);
}

/**
 * Everything checked before a request reaches Bolt: its size, Slack's signature, a timestamp no
 * more than five minutes from now (Bolt only refuses old ones), a content type Slack uses, a body
 * that parses the way Bolt will parse it, and an envelope of a kind the bot accepts
 * (slackEnvelopeSchema). Slack's `ssl_check` and `app_rate_limited` are answered here.
 */
export async function screenSlackRequest(req: IncomingMessage, opts: RequestGuardOptions): Promise<Verdict> {
  const raw = await readBody(req, opts.bodyLimit ?? SLACK_BODY_LIMIT).catch(() => undefined);
  if (raw === undefined) return refuse(400, 'the request body could not be read');
  if (raw === null) return refuse(413, 'body too large');
  const text = raw.toString('utf8');
  const contentType = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();

  // Slack's certificate check is not signed (Bolt answers it without a signature too): answered, nothing else.
  if (contentType === FORM && parseQuery(text).ssl_check === '1')
    return { pass: false, status: 200, reason: 'ssl_check' };

  const timestamp = header(req, 'x-slack-request-timestamp') ?? '';
  const signature = header(req, 'x-slack-signature') ?? '';
  if (!/^[1-9]\d{0,11}$/.test(timestamp)) return refuse(401, 'no valid x-slack-request-timestamp');
  const skew = Math.floor((opts.now ?? Date.now)() / 1000) - Number(timestamp);
  if (Math.abs(skew) > MAX_CLOCK_SKEW_SECONDS) {
    return refuse(
      401,
      `signed ${Math.abs(skew)} s ${skew > 0 ? 'ago' : 'in the future'}: more than ${MAX_CLOCK_SKEW_SECONDS} s from now`,
    );
  }
  if (!slackSignatureMatches(opts.signingSecret, timestamp, text, signature)) return refuse(401, 'bad signature');

  if (contentType !== FORM && contentType !== JSON_TYPE)
    return refuse(400, 'unsupported content type', { contentType: contentType.slice(0, 100) });
  // Parsed as Bolt parses it (HTTPModuleFunctions.parseHTTPRequestBody), so what is checked is what Bolt sees.
  let body: unknown;
  try {
    if (contentType === FORM) {
      const form = parseQuery(text);
      body = typeof form.payload === 'string' ? JSON.parse(form.payload) : form;
    } else {
      body = JSON.parse(text);
    }
  } catch {
    return refuse(400, contentType === FORM ? 'payload is not JSON' : 'body is not JSON');
  }
  if (nestedDeeperThan(body)) return refuse(400, 'body nested too deeply');
  const envelope = slackEnvelopeSchema.safeParse(body);
  if (!envelope.success)
    return refuse(400, 'not a Slack payload the bot accepts', { problems: envelopeProblems(envelope.error) });
  if (appRateLimitedSchema.safeParse(body).success) return { pass: false, status: 200, reason: 'app_rate_limited' };
  return { pass: true, raw, contentType };
}

function answer(res: ServerResponse, status: number, error?: string) {
  if (res.headersSent) return;
  if (error) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error }));
  } else {
    res.writeHead(status);
    res.end();
  }
}

/**
 * Puts screenSlackRequest in front of Bolt's HTTPReceiver for its endpoints: a request that fails
 * it is answered (401 unsigned or outside the time window, 413 too large, 400 malformed) and
 * logged, and never reaches Bolt; one that passes is handed on already read (Bolt reuses
 * `req.rawBody`) with its content type as Bolt compares it. Other routes go straight to Bolt. No
 * request can throw out of here.
 */
export function guardSlackRequests(
  receiver: { requestListener: (req: IncomingMessage, res: ServerResponse) => void },
  opts: RequestGuardOptions,
): void {
  const bolt = receiver.requestListener;
  const endpoints = new Set(opts.endpoints ?? ['/slack/events']);
  receiver.requestListener = (req, res) => {
    let path: string | null = null;
    try {
      path = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      // Bolt answers what it cannot route.
    }
    if (path === null || !endpoints.has(path) || (req.method ?? '').toUpperCase() !== 'POST') return bolt(req, res);
    void screenSlackRequest(req, opts)
      .then((verdict) => {
        if (verdict.pass) {
          req.headers['content-type'] = verdict.contentType;
          (req as IncomingMessage & { rawBody?: Buffer }).rawBody = verdict.raw;
          bolt(req, res);
          return;
        }
        if (verdict.status === 200) {
          if (verdict.reason === 'app_rate_limited')
            opts.logger.warn({}, 'Slack says it is not sending this app events for a minute (app_rate_limited)');
          answer(res, 200);
          return;
        }
        opts.logger.warn(
          { status: verdict.status, reason: verdict.reason, ...verdict.detail },
          'Slack request refused',
        );
        // A body left unread (too large) is discarded by Node once the answer is sent (as under Bolt).
        answer(res, verdict.status, verdict.reason);
      })
      .catch((err: unknown) => {
        opts.logger.error({ err }, 'a Slack request could not be handled');
        answer(res, 500);
      });
  };
}
