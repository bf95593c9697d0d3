// A small PagerDuty REST client on @pagerduty/pdjs: full URLs from a configurable base (pdjs has no base-URL
// option), per-attempt timeouts, retries with exponential backoff on 429 / 5xx / network errors / timeouts, offset
// pagination. POST and PUT share that retry policy: callers make them idempotent (POST /incidents with an
// incident_key, PUT to a status). Every failure surfaces as OnCallUnavailable so callers can carry on without PagerDuty.
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';

import { api } from '@pagerduty/pdjs';
import { z } from 'zod';

import { OnCallUnavailable } from '../ports/on-call-provider.ts';

export type QueryValue = string | number | boolean | readonly string[] | null | undefined;
export type Query = Record<string, QueryValue>;

export interface PagerDutyClientOptions {
  token: string;
  /** e.g. https://api.pagerduty.com (config PAGERDUTY_API_URL); a trailing slash is ignored. */
  baseUrl: string;
  /** Per attempt, including reading the body. */
  timeoutMs?: number;
  /** Attempts after the first one, for 429, 5xx, network errors and timeouts. */
  retries?: number;
  /** First backoff; doubles on every retry. */
  backoffMs?: number;
  /** Upper bound for any single wait (backoff or Retry-After). */
  maxWaitMs?: number;
  /** Page size for getAll (PagerDuty's maximum is 100). */
  pageLimit?: number;
  /** getAll gives up (OnCallUnavailable) beyond this many pages. */
  maxPages?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Told about every attempt (metrics): its method, route, duration and error kind (null when it answered 2xx). */
  observe?: (sample: PagerDutyCallSample) => void;
}

/** One attempt as `observe` sees it. */
export interface PagerDutyCallSample {
  method: string;
  /** The path with ids replaced by `{id}`, e.g. `/incidents/{id}`. */
  route: string;
  seconds: number;
  /** `timeout`, `network`, `http_429`, `http_5xx`, `http_4xx`, or null for a 2xx answer. */
  error: string | null;
}

/** `/incidents/PABC123/log_entries` -> `/incidents/{id}/log_entries`: PagerDuty's collection names are lower-case words, its ids are not. */
export function routeOf(path: string): string {
  return path
    .split('?')[0]!
    .split('/')
    .map((segment) => (segment === '' || /^[a-z][a-z_]*$/.test(segment) ? segment : '{id}'))
    .join('/');
}

/** A 4xx answer (never retried): its status and parsed body, for callers that tell some 4xx apart. */
export class PagerDutyHttpError extends OnCallUnavailable {
  readonly status: number;
  readonly body: unknown;

  constructor(message: string, status: number, body: unknown) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export type RequestHeaders = Record<string, string>;

export interface PagerDutyClient {
  /** GET base+path?query; the parsed JSON body of a 2xx answer. */
  get(path: string, query?: Query): Promise<unknown>;
  /** POST base+path with a JSON body and extra headers (e.g. From); the parsed JSON body of a 2xx answer. */
  post(path: string, body: unknown, headers?: RequestHeaders): Promise<unknown>;
  /** PUT base+path with a JSON body and extra headers (e.g. From); the parsed JSON body of a 2xx answer. */
  put(path: string, body: unknown, headers?: RequestHeaders): Promise<unknown>;
  /** Every item of `key` across offset pages (limit/offset while `more`). */
  getAll(path: string, key: string, query?: Query): Promise<unknown[]>;
}

const ACCEPT = 'application/vnd.pagerduty+json;version=2';

/** Builds `?a=1&ids[]=x&ids[]=y` (array keys get `[]` unless they already end with it). */
export function buildQuery(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      const k = key.endsWith('[]') ? key : `${key}[]`;
      for (const v of value as readonly string[]) params.append(k, v);
    } else {
      params.append(key, String(value));
    }
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** Raw status and Retry-After of the last response an agent saw (pdjs hides a 429 behind its own retry). */
interface Seen {
  status?: number;
  retryAfter?: string;
}

/**
 * pdjs retries a 429 itself (3 times, 20 s apart by default) and never shows it to the caller. This agent sees the
 * raw response first: on a 429 it records it and aborts the attempt, so pdjs's retry fails at once and our own
 * backoff (honouring Retry-After) governs.
 */
function capturingAgent(protocol: string, seen: Seen, abort: () => void): http.Agent {
  const agent: http.Agent = protocol === 'https:' ? new https.Agent() : new http.Agent();
  const proto = Object.getPrototypeOf(agent) as { addRequest: (req: http.ClientRequest, opts: unknown) => void };
  const add = proto.addRequest;
  Object.defineProperty(agent, 'addRequest', {
    value(req: http.ClientRequest, opts: unknown) {
      req.once('response', (res: http.IncomingMessage) => {
        seen.status = res.statusCode;
        const ra = res.headers['retry-after'];
        seen.retryAfter = Array.isArray(ra) ? ra[0] : ra;
        if (res.statusCode === 429) abort();
      });
      return add.call(agent, req, opts);
    },
  });
  return agent;
}

type Attempt =
  | { kind: 'ok'; data: unknown }
  | { kind: 'retry'; reason: string; error: string; retryAfterMs?: number }
  | { kind: 'fail'; reason: string; error: string; status: number; body: unknown };

function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

const pageSchema = z.object({ more: z.boolean().nullish() }).loose();

export function createPagerDutyClient(options: PagerDutyClientOptions): PagerDutyClient {
  const {
    token,
    timeoutMs = 10_000,
    retries = 3,
    backoffMs = 500,
    maxWaitMs = 30_000,
    pageLimit = 100,
    maxPages = 50,
    sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    observe,
  } = options;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');

  interface Call {
    method: 'GET' | 'POST' | 'PUT';
    url: string;
    body?: unknown;
    headers?: RequestHeaders;
  }

  async function attempt(call: Call): Promise<Attempt> {
    const controller = new AbortController();
    const seen: Seen = {};
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve('timeout');
      }, timeoutMs);
    });
    const params = {
      url: call.url,
      method: call.method,
      token,
      headers: { ...call.headers, Accept: ACCEPT },
      ...(call.method === 'GET' ? {} : { data: call.body }),
      signal: controller.signal,
      // pdjs: no 30 s keep-alive timer, and no 20 s wait before its own 429 retry (which the agent aborts anyway).
      requestTimeout: 0,
      retryTimeout: 0,
      // node-fetch (under pdjs's cross-fetch) takes an agent factory.
      agent: (u: URL) => capturingAgent(u.protocol, seen, () => controller.abort()),
    };
    const pending = api(params as unknown as Parameters<typeof api>[0] & { url: string }).then(
      (res) => ({ res }),
      (err: unknown) => ({ err }),
    );
    try {
      const outcome = await Promise.race([pending, timeout]);
      if (outcome === 'timeout') return { kind: 'retry', reason: `timed out after ${timeoutMs} ms`, error: 'timeout' };
      if (seen.status === 429) {
        return {
          kind: 'retry',
          reason: 'HTTP 429 Too Many Requests',
          error: 'http_429',
          retryAfterMs: parseRetryAfter(seen.retryAfter),
        };
      }
      if ('err' in outcome) {
        const { err } = outcome;
        // pdjs rejects with the Response itself when the body is not JSON.
        if (err && typeof err === 'object' && 'status' in err && typeof err.status === 'number') {
          const status = err.status;
          if (status >= 500) return { kind: 'retry', reason: `HTTP ${status} (body not JSON)`, error: 'http_5xx' };
          return { kind: 'fail', reason: `HTTP ${status}: body is not JSON`, error: 'http_4xx', status, body: null };
        }
        return { kind: 'retry', reason: describeError(err), error: 'network' };
      }
      const { res } = outcome;
      if (res.status >= 200 && res.status < 300) return { kind: 'ok', data: res.data as unknown };
      const detail = JSON.stringify(res.data ?? null).slice(0, 200);
      if (res.status >= 500) return { kind: 'retry', reason: `HTTP ${res.status} ${detail}`, error: 'http_5xx' };
      return {
        kind: 'fail',
        reason: `HTTP ${res.status} ${detail}`,
        error: 'http_4xx',
        status: res.status,
        body: res.data as unknown,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  async function request(call: Call, path: string): Promise<unknown> {
    const what = `PagerDuty ${call.method} ${path}`;
    let last = '';
    const route = routeOf(path);
    for (let i = 0; i <= retries; i++) {
      const started = performance.now();
      const result = await attempt(call);
      observe?.({
        method: call.method,
        route,
        seconds: (performance.now() - started) / 1000,
        error: result.kind === 'ok' ? null : result.error,
      });
      if (result.kind === 'ok') return result.data;
      if (result.kind === 'fail')
        throw new PagerDutyHttpError(`${what} failed: ${result.reason}`, result.status, result.body);
      last = result.reason;
      if (i === retries) break;
      const wait = Math.min(maxWaitMs, result.retryAfterMs ?? backoffMs * 2 ** i);
      await sleep(wait);
    }
    throw new OnCallUnavailable(`${what} failed after ${retries + 1} attempts: ${last}`);
  }

  const get = (path: string, query?: Query) =>
    request({ method: 'GET', url: `${baseUrl}${path}${buildQuery(query)}` }, path);
  const post = (path: string, body: unknown, headers?: RequestHeaders) =>
    request({ method: 'POST', url: `${baseUrl}${path}`, body, headers }, path);
  const put = (path: string, body: unknown, headers?: RequestHeaders) =>
    request({ method: 'PUT', url: `${baseUrl}${path}`, body, headers }, path);

  async function getAll(path: string, key: string, query: Query = {}): Promise<unknown[]> {
    const items: unknown[] = [];
    let offset = 0;
    for (let page = 0; page < maxPages; page++) {
      const body = await get(path, { ...query, limit: pageLimit, offset });
      const parsed = pageSchema.extend({ [key]: z.array(z.unknown()) }).safeParse(body);
      if (!parsed.success) {
        throw new OnCallUnavailable(
          `PagerDuty GET ${path} answered an unexpected page: ${z.prettifyError(parsed.error)}`,
        );
      }
      const pageItems = parsed.data[key] as unknown[];
      items.push(...pageItems);
      if (!parsed.data.more || pageItems.length === 0) return items;
      offset += pageItems.length;
    }
    throw new OnCallUnavailable(`PagerDuty GET ${path} has more than ${maxPages} pages; giving up`);
  }

  return { get, getAll, post, put };
}
