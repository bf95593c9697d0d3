// Web sessions: a random id in a signed, HttpOnly, Secure, SameSite=Lax cookie; the database keeps
// its SHA-256 with who it is, their time zone, the CSRF token, when it ends and when it was last used.
// The cookie lasts only as long as the browser session (no Max-Age): on a shared clinical workstation
// closing the browser ends it, and a session left unused for WEB_SESSION_IDLE_MINUTES ends too.
import { createHash, randomBytes } from 'node:crypto';
import { setCookie, verifySigned, signValue } from './cookies.ts';
import type { Viewer, WebDeps } from './context.ts';

export const SESSION_COOKIE = 'incident_bot_session';

const hashOf = (id: string) => createHash('sha256').update(id).digest('hex');

/** A session's last use is written at most this often (one write a minute, not one a page). */
export const TOUCH_EVERY_MS = 60_000;

/** A new session for the person an id_token named; the Set-Cookie header that carries it. */
export async function startSession(
  web: Pick<WebDeps, 'sessions' | 'settings'>,
  who: { userId: string; teamId: string; name: string; timeZone: string },
  now: Date,
): Promise<{ cookie: string; viewer: Viewer }> {
  const id = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + web.settings.sessionHours * 3600_000);
  const csrfToken = randomBytes(32).toString('base64url');
  await web.sessions.create(hashOf(id), { ...who, csrfToken, createdAt: now, expiresAt, lastSeenAt: now });
  return {
    // No Max-Age: a browser-session cookie. The database's expiry bounds it all the same.
    cookie: setCookie(SESSION_COOKIE, signValue(web.settings.sessionSecret, id), { path: '/web', secure: true }),
    viewer: { ...who, csrfToken, expiresAt },
  };
}

/**
 * Who the session cookie names, or null (none, not signed by us, ended, expired, or unused for
 * WEB_SESSION_IDLE_MINUTES: then it is ended here). Its last use moves on at most once a minute.
 */
export async function viewerOf(
  web: Pick<WebDeps, 'sessions' | 'settings'>,
  cookies: ReadonlyMap<string, string>,
  now: Date,
): Promise<Viewer | null> {
  const id = verifySigned(web.settings.sessionSecret, cookies.get(SESSION_COOKIE));
  if (!id) return null;
  const hash = hashOf(id);
  const s = await web.sessions.find(hash, now);
  if (!s) return null;
  const idle = now.getTime() - s.lastSeenAt.getTime();
  if (idle > web.settings.sessionIdleMinutes * 60_000) {
    await web.sessions.delete(hash);
    return null;
  }
  if (idle >= TOUCH_EVERY_MS) await web.sessions.touch(hash, now);
  return s
    ? {
        userId: s.userId,
        teamId: s.teamId,
        name: s.name,
        timeZone: s.timeZone,
        csrfToken: s.csrfToken,
        expiresAt: s.expiresAt,
      }
    : null;
}

/** Ends the cookie's session (sign-out); the Set-Cookie header that clears the cookie. */
export async function endSession(
  web: Pick<WebDeps, 'sessions' | 'settings'>,
  cookies: ReadonlyMap<string, string>,
): Promise<string> {
  const id = verifySigned(web.settings.sessionSecret, cookies.get(SESSION_COOKIE));
  if (id) await web.sessions.delete(hashOf(id));
  return clearSessionCookie();
}

/** The Set-Cookie header that removes the session cookie (an unknown or expired one). */
export function clearSessionCookie(): string {
  return setCookie(SESSION_COOKIE, '', { path: '/web', maxAge: 0, secure: true });
}

/**
 * Where to go back to after signing in: a path of the web view (with its query), never another
 * site (`//evil`, `/\evil`, `https://…`); anything else is the register.
 */
export function safeReturnTo(value: string | null | undefined): string {
  if (!value || value.length > 2000) return '/web/incidents';
  if (!/^\/web(\/|\?|$)/.test(value) || /[\\\s]/.test(value) || value.startsWith('//')) return '/web/incidents';
  try {
    const u = new URL(value, 'http://x');
    if (u.origin !== 'http://x' || !u.pathname.startsWith('/web')) return '/web/incidents';
    return `${u.pathname}${u.search}`;
  } catch {
    return '/web/incidents';
  }
}
