// The web view in tests: the bot started with Sign in with Slack configured on a port known before
// it starts (WEB_BASE_URL names it), sessions made directly in its database (a page test needs no
// OpenID Connect round trip; test/web/sign-in.test.ts does that one), and plain requests with a cookie.
import net from 'node:net';
import { before } from 'node:test';
import { PrismaWebSessionStore } from '../../src/db/prisma-web-sessions.ts';
import { startSession } from '../../src/web/session.ts';
import type { StandInUser } from './slack-standin.ts';
import type { TestDatabase } from './databases.ts';
import { useTestBot, type TestBot } from './bot.ts';

export const WEB_SESSION_SECRET = 'test-web-session-secret-0123456789abcdef-0123';
export const WEB_CLIENT_ID = '1111111111.2222222222';
export const WEB_CLIENT_SECRET = 'test-client-secret-0123456789';
/** The workspace of the Slack stand-in's users (the only one allowed in). */
export const WEB_TEAM_ID = 'T0001';

/** A TCP port free now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The settings that turn the web view on at http://127.0.0.1:`port`. */
export function webSettings(port: number, issuer = 'http://127.0.0.1:9/none'): Record<string, string> {
  return {
    PORT: String(port),
    WEB_BASE_URL: `http://127.0.0.1:${port}`,
    SLACK_CLIENT_ID: WEB_CLIENT_ID,
    SLACK_CLIENT_SECRET: WEB_CLIENT_SECRET,
    WEB_SESSION_SECRET,
    SLACK_TEAM_ID: WEB_TEAM_ID,
    SLACK_OIDC_ISSUER: issuer,
  };
}

/**
 * Inside a describe: useTestBot with the web view on (`base` is its address, http://127.0.0.1:port).
 * `env` are more settings; `issuer` is an OpenID Connect stand-in's address when sign-in is tested.
 */
export function useWebBot(
  database: TestDatabase,
  opts: Omit<Parameters<typeof useTestBot>[1], 'env'> & { env?: Record<string, string>; issuer?: () => string },
): ReturnType<typeof useTestBot> & { base: string } {
  const env: Record<string, string> = {};
  const holder = { base: '' };
  before(async () => {
    const port = await freePort();
    Object.assign(env, webSettings(port, opts.issuer?.()), opts.env ?? {});
    holder.base = `http://127.0.0.1:${port}`;
  });
  const bot = useTestBot(database, { ...opts, env });
  return Object.defineProperty(bot, 'base', { get: () => holder.base }) as ReturnType<typeof useTestBot> & {
    base: string;
  };
}

/** A session for `userId` made directly in the bot's database: the Cookie header that carries it. */
export async function sessionCookie(
  app: TestBot,
  who: { userId: string; name?: string; timeZone?: string },
  hours = 12,
): Promise<string> {
  const { cookie } = await startSession(
    {
      sessions: new PrismaWebSessionStore(app.bot.db.prisma),
      settings: {
        baseUrl: '',
        clientId: WEB_CLIENT_ID,
        clientSecret: WEB_CLIENT_SECRET,
        sessionSecret: WEB_SESSION_SECRET,
        sessionHours: hours,
        sessionIdleMinutes: 60,
        issuer: '',
        teamId: async () => WEB_TEAM_ID,
      },
    },
    {
      userId: who.userId,
      teamId: WEB_TEAM_ID,
      name: who.name ?? who.userId,
      timeZone: who.timeZone ?? 'Europe/London',
    },
    app.bot.deps.clock.now(),
  );
  return cookie.split(';')[0]!;
}

export interface WebAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** Where a redirect goes (relative to the bot), or null. */
  location: string | null;
}

/** GET `path` (e.g. `/web/incidents?page=2`) with a cookie, redirects not followed. */
export async function getPage(base: string, path: string, cookie?: string): Promise<WebAnswer> {
  const res = await fetch(`${base}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  return { status: res.status, headers: res.headers, text: await res.text(), location: res.headers.get('location') };
}

/** POST a form to `path` with a cookie, redirects not followed. */
export async function postForm(
  base: string,
  path: string,
  form: Record<string, string>,
  cookie?: string,
  headers: Record<string, string> = {},
): Promise<WebAnswer & { body: Buffer }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}), ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const body = Buffer.from(await res.arrayBuffer());
  return {
    status: res.status,
    headers: res.headers,
    text: body.toString('utf8'),
    body,
    location: res.headers.get('location'),
  };
}

/** The CSRF token a page's forms carry (its sign-out form has one). */
export function csrfOf(pageHtml: string): string {
  const m = /name="csrf" value="([^"]+)"/.exec(pageHtml);
  if (!m) throw new Error('no CSRF token on the page');
  return m[1]!;
}

export type { StandInUser };
