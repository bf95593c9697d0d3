// The web view's one route (/web and everything under it): security headers on every answer, the
// session (a page without one sends the person to sign in and back; someone Slack no longer counts
// as a full member loses their sessions), the CSRF check of every form
// posted, the page table, and error pages. Nothing a request sends can end the process.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { match, type MatchFunction } from 'path-to-regexp';
import { AppError } from '../domain/errors.ts';
import { readBody } from '../http/body.ts';
import { readCookies } from './cookies.ts';
import { WebError, type Viewer, type WebDeps, type WebPage, type WebRequest, type WebResult } from './context.ts';
import { clearSessionCookie, viewerOf } from './session.ts';
import { errorPage } from './views/layout.ts';

/** The largest form the web view reads. */
const MAX_FORM = 64 * 1024;

/**
 * What every answer of the web view carries: no script at all, styles and images only from the bot
 * (and data: for the charts drawn into the page), forms only to the bot, never framed, never cached.
 */
export function securityHeaders(baseUrl: string): Record<string, string> {
  return {
    'content-security-policy':
      "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
    ...(baseUrl.startsWith('https:') ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
}

/** The route that serves `pages` under /web. */
export function webRoute(web: WebDeps, pages: readonly WebPage[], track: <T>(p: Promise<T>) => Promise<T>) {
  const table = pages.map((p) => ({
    page: p,
    match: match(p.path, { decode: decodeURIComponent }) as MatchFunction<Record<string, string>>,
  }));
  const headers = securityHeaders(web.settings.baseUrl);
  /** The costly pages' requests running now, in all and per person (WebPage.limit). */
  const runningOf = new Map<WebPage, { all: number; by: Map<string, number> }>();
  const origin = new URL(web.settings.baseUrl).origin;

  const send = (res: ServerResponse, result: WebResult) => {
    if (res.headersSent) return;
    if (result.kind === 'redirect') {
      res.writeHead(result.status ?? 303, {
        ...headers,
        'cache-control': 'no-store',
        location: result.location,
        ...(result.cookies?.length ? { 'set-cookie': result.cookies } : {}),
      });
      res.end();
    } else if (result.kind === 'html') {
      res.writeHead(result.status ?? 200, {
        ...headers,
        'cache-control': 'no-store',
        'content-type': 'text/html; charset=utf-8',
        ...result.headers,
        ...(result.cookies?.length ? { 'set-cookie': result.cookies } : {}),
      });
      res.end(result.body);
    } else {
      res.writeHead(result.status ?? 200, {
        ...headers,
        'cache-control': result.maxAge ? `private, max-age=${result.maxAge}` : 'no-store',
        'content-type': result.contentType,
        ...(result.filename
          ? { 'content-disposition': `attachment; filename="${result.filename.replace(/[^\w.-]/g, '_')}"` }
          : {}),
      });
      res.end(result.body);
    }
  };

  const problem = (
    status: number,
    message: string,
    viewer: Viewer | null,
    details: readonly string[] = [],
  ): WebResult => ({
    kind: 'html',
    status,
    body: errorPage({ status, message, details, viewer }),
  });

  /** Whether a GET page answers `sub`. */
  const pageHasGet = (sub: string) =>
    table.some(({ page, match: m }) => {
      try {
        return page.method === 'GET' && m(sub) !== false;
      } catch {
        return false;
      }
    });

  const serve = async (req: IncomingMessage): Promise<WebResult> => {
    const method = (req.method ?? '').toUpperCase();
    if (method !== 'GET' && method !== 'POST') return problem(405, 'Only GET and POST are answered here.', null);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', origin);
    } catch {
      return problem(400, 'That address cannot be read.', null);
    }
    const sub = url.pathname.slice('/web'.length) || '/';
    let found: { page: WebPage; params: Record<string, string> } | null = null;
    let otherMethod = false;
    for (const { page, match: m } of table) {
      let hit: ReturnType<typeof m> = false;
      try {
        hit = m(sub);
      } catch {
        // A malformed %-escape: the address itself is wrong, not a page that is missing.
        return problem(400, 'That address cannot be read.', null);
      }
      if (!hit) continue;
      if (page.method !== method) {
        otherMethod = true;
        continue;
      }
      found = { page, params: hit.params };
      break;
    }
    const cookies = readCookies(req);
    const now = web.deps.clock.now();
    const viewer = found?.page.public ? null : await viewerOf(web, cookies, now);
    if (viewer) {
      // Still a full member? Slack is asked at most every ten minutes; a guest, or someone
      // deactivated or gone, loses every session they have.
      const standing = await web.standing.check(viewer.userId);
      if (standing !== 'member') {
        const ended = await web.sessions.deleteForUser(viewer.userId);
        web.standing.forget(viewer.userId);
        web.logger.warn(
          { userId: viewer.userId, standing, sessions: ended },
          'web view access ended: Slack says this person is no longer a full member',
        );
        return { kind: 'redirect', location: '/web/access-ended', cookies: [clearSessionCookie()] };
      }
    }
    if (!found)
      return problem(
        otherMethod ? 405 : 404,
        otherMethod ? 'That page does not take this method.' : 'There is no such page.',
        viewer,
      );
    if (!found.page.public && !viewer) {
      // No session, or it ended: sign in, then come back to what was asked (a GET's own address; for
      // a form, the page it was on when that page has a GET, else the register).
      const back =
        method === 'GET' ? `${url.pathname}${url.search}` : pageHasGet(sub) ? url.pathname : '/web/incidents';
      return {
        kind: 'redirect',
        location: `/web/signin?return_to=${encodeURIComponent(back)}`,
        ...(cookies.has('incident_bot_session') ? { cookies: [clearSessionCookie()] } : {}),
      };
    }
    let form = new URLSearchParams();
    if (method === 'POST') {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/x-www-form-urlencoded')
        return problem(415, 'Forms are sent as application/x-www-form-urlencoded.', viewer);
      const body = await readBody(req, MAX_FORM);
      // The rest of the body is never read: the connection is closed after the answer.
      if (!body)
        return {
          ...(problem(413, 'That form is too large.', viewer) as Extract<WebResult, { kind: 'html' }>),
          headers: { connection: 'close' },
        };
      form = new URLSearchParams(body.toString('utf8'));
      if (!found.page.public) {
        // The form must come from one of our pages: its token, and (when the browser says) our origin.
        const given = Buffer.from(form.get('csrf') ?? '');
        const expected = Buffer.from(viewer!.csrfToken);
        const sentOrigin = req.headers.origin;
        if (
          given.length !== expected.length ||
          !timingSafeEqual(given, expected) ||
          (sentOrigin !== undefined && sentOrigin !== origin)
        )
          return problem(
            403,
            'That form did not come from this site, or your session changed since it was shown. Go back, reload the page and try again.',
            viewer,
          );
      }
    }
    const request: WebRequest = { method, url, params: found.params, form, headers: req.headers, viewer, cookies };
    const limit = found.page.limit;
    const running = limit ? (runningOf.get(found.page) ?? { all: 0, by: new Map<string, number>() }) : null;
    const who = viewer?.userId ?? '';
    if (limit && running) {
      if (running.all >= limit.global || (running.by.get(who) ?? 0) >= limit.perUser)
        return {
          ...(problem(
            503,
            running.all >= limit.global
              ? 'This takes a while and others are making one now. Try again in a minute.'
              : 'Yours is still being made. Wait for it, then try again.',
            viewer,
          ) as Extract<WebResult, { kind: 'html' }>),
          headers: { 'retry-after': '30' },
        };
      running.all++;
      running.by.set(who, (running.by.get(who) ?? 0) + 1);
      runningOf.set(found.page, running);
    }
    try {
      return await found.page.handle(request, web);
    } catch (err) {
      if (err instanceof WebError) return problem(err.status, err.message, viewer, err.details);
      if (err instanceof AppError) {
        const status =
          err.code === 'not_found' ? 404 : err.code === 'not_allowed' || err.code === 'forbidden' ? 403 : 400;
        return problem(status, err.userMessage, viewer);
      }
      web.logger.error({ err, path: url.pathname }, 'web page failed');
      return problem(
        500,
        'The page could not be made. Try again in a moment; if it goes on, tell the team that runs the bot.',
        viewer,
      );
    } finally {
      if (limit && running) {
        running.all--;
        const left = (running.by.get(who) ?? 1) - 1;
        if (left > 0) running.by.set(who, left);
        else running.by.delete(who);
      }
    }
  };

  return {
    path: '/web{/*rest}',
    method: ['GET', 'POST'],
    handler: (req: IncomingMessage, res: ServerResponse) => {
      void track(
        serve(req)
          .catch((err: unknown) => {
            web.logger.error({ err }, 'web request failed');
            return problem(500, 'The page could not be made.', null);
          })
          .then((result) => send(res, result))
          .catch((err: unknown) => {
            web.logger.error({ err }, 'web answer failed');
            if (!res.headersSent) res.writeHead(500);
            res.end();
          }),
      );
    },
  };
}
